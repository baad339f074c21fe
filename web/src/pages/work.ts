import { api, ApiError, urls, type TimelineEntry, type Work } from '../api.ts';
import { signAction } from '../keys.ts';
import { DISPUTE_REASONS, describeLogEvent, describeSourceType } from '../lib/describe.ts';
import type { StoredIdentity } from '../lib/identities.ts';
import { signedInIdentity } from '../lib/session.ts';
import type { PageContext } from '../router.ts';
import {
  clearError,
  definitionList,
  errorBox,
  errorSlot,
  fieldError,
  levelBadge,
  progressBar,
  showError,
  signatureStatus,
} from '../ui/components.ts';
import { field, formatDate, h, replace } from '../ui/dom.ts';
import { attestationList, disputeList } from '../ui/evidence.ts';
import { processUploader } from '../ui/process.ts';

export async function renderWork(ctx: PageContext): Promise<void> {
  const id = ctx.params.id!;
  let work: Work;
  try {
    work = await api.getWork(id);
  } catch (err) {
    if (ctx.signal.aborted) return;
    replace(
      ctx.main,
      h('h1', null, err instanceof ApiError && err.status === 404 ? 'Work not found' : 'Could not load this work'),
      errorBox(err),
    );
    return;
  }
  const [identity, timelineAnswer] = await Promise.all([
    signedInIdentity(),
    api.getTimeline(id).then(
      (t) => t.entries,
      (err: unknown) => err,
    ),
  ]);
  if (ctx.signal.aborted) return;
  const timelineEntries = Array.isArray(timelineAnswer) ? (timelineAnswer as TimelineEntry[]) : undefined;
  const timelineError = Array.isArray(timelineAnswer) ? undefined : timelineAnswer;
  document.title = `${work.title} — Aura`;
  const reload = () => ctx.navigate(urls.work(id));
  const isArtist = identity && work.artist && identity.handle === work.artist.handle;
  const earlyProcess = (work.processImages ?? []).filter((p) => p.beforeRegistration !== false).length;
  replace(
    ctx.main,
    h('h1', null, work.title || 'Untitled'),
    h(
      'p',
      { class: 'byline' },
      work.artist ? ['by ', h('a', { href: urls.profile(work.artist.handle) }, work.artist.displayName || `@${work.artist.handle}`)] : null,
      [work.year, work.medium].filter(Boolean).length ? ` · ${[work.year, work.medium].filter(Boolean).join(' · ')}` : null,
    ),
    work.revoked
      ? h(
          'p',
          { class: 'banner danger', role: 'note' },
          'Revoked by the artist',
          work.revokedAt ? ` on ${formatDate(work.revokedAt)}` : '',
          '. The registration stays in the log but no longer counts as evidence.',
        )
      : null,
    work.disputes?.length
      ? h(
          'p',
          { class: 'banner warning', role: 'note' },
          `This work has ${work.disputes.length} dispute${work.disputes.length === 1 ? '' : 's'}. Read them below before relying on it.`,
        )
      : null,
    work.composite
      ? h(
          'p',
          { class: 'banner warning', role: 'note' },
          'The artist declared that this work combines their own work with AI-generated or synthetic elements.',
        )
      : null,
    h(
      'div',
      { class: 'work-head' },
      h('figure', { class: 'work-image' }, h('img', { src: urls.thumbnail(id), alt: `“${work.title}”` })),
      h(
        'div',
        null,
        levelBadge(work.evidenceLevel),
        definitionList([
          ['Statement', work.statement],
          ['How it was made', describeSourceType(work.digitalSourceType)],
          ['Registered', work.registeredAt ? formatDate(work.registeredAt) : undefined],
          [
            'Log entry',
            typeof work.logIndex === 'number' ? h('a', { href: urls.logEntry(work.logIndex) }, `#${work.logIndex}`) : undefined,
          ],
          [
            'Signature',
            work.signature
              ? h(
                  'span',
                  null,
                  signatureStatus(work.signature),
                  h('span', { class: 'muted' }, ' · key '),
                  h('code', null, work.signature.kid ?? ''),
                )
              : undefined,
          ],
          [
            'Work-in-progress images',
            work.processImages ? `${work.processImages.length} (${earlyProcess} logged before the final)` : undefined,
          ],
          ['Size', work.width && work.height ? `${work.width} × ${work.height} px` : undefined],
          ['SHA-256', work.sha256 ? h('code', null, work.sha256) : undefined],
        ]),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'att-h' },
      h('h2', { id: 'att-h' }, 'Attestations'),
      attestationList(work.attestations),
      identity?.kind === 'organization'
        ? h('p', null, h('a', { href: `/attest?work=${encodeURIComponent(id)}` }, `Attest this work as @${identity.handle}`))
        : null,
    ),
    h('section', { 'aria-labelledby': 'disp-h' }, h('h2', { id: 'disp-h' }, 'Disputes'), disputeList(work.disputes)),
    h(
      'section',
      { 'aria-labelledby': 'time-h' },
      h('h2', { id: 'time-h' }, 'History in the public log'),
      timeline(timelineEntries, timelineError),
    ),
    credentialSection(work),
    proofSection(id, work.revoked === true),
    identity && isArtist && !work.revoked ? contentCredentialsForm(id) : null,
    identity && isArtist && !work.revoked
      ? processUploader({
          workId: id,
          identity,
          heading: 'Add work-in-progress images',
          intro: 'Kept as process evidence on this page. Only images logged before the final count towards evidence level 2.',
        })
      : null,
    identity && isArtist && !work.revoked ? revokeForm(id, identity, reload) : null,
    identity && !isArtist ? disputeForm(id, identity, reload) : null,
    !identity
      ? h('p', { class: 'muted' }, 'Something wrong with this work? ', h('a', { href: '/identity' }, 'Sign in'), ' to file a dispute.')
      : null,
  );
}

function timeline(entries: TimelineEntry[] | undefined, error: unknown): HTMLElement {
  if (error) return errorBox(error);
  if (!entries?.length) return h('p', { class: 'muted' }, 'No log entries reported for this work.');
  return h(
    'ol',
    { class: 'timeline' },
    [...entries]
      .sort((a, b) => a.index - b.index)
      .map((e) =>
        h(
          'li',
          null,
          h('a', { href: urls.logEntry(e.index) }, `#${e.index}`),
          ` ${describeLogEvent(e.type)}`,
          e.at ? h('span', { class: 'muted' }, ` · ${formatDate(e.at)}`) : null,
        ),
      ),
  );
}

function decodeSegment(segment: string | undefined): unknown {
  if (!segment) return undefined;
  try {
    const bin = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  } catch {
    return undefined;
  }
}

function credentialSection(work: Work): HTMLElement | null {
  const jws = work.credential?.jws;
  const [header, payload] = jws ? jws.split('.').map((s, i) => (i < 2 ? decodeSegment(s) : undefined)) : [];
  const shown = payload ?? work.credential?.payload;
  if (!shown) return null;
  return h(
    'section',
    { 'aria-labelledby': 'cred-h' },
    h('h2', { id: 'cred-h' }, 'Credential'),
    h('p', null, 'The artist’s signed statement, a W3C Verifiable Credential secured with a JWS.'),
    h(
      'details',
      null,
      h('summary', null, 'Show the signed credential'),
      header ? [h('h3', null, 'Header'), h('pre', { class: 'json' }, JSON.stringify(header, null, 2))] : null,
      h('h3', null, 'Payload'),
      h('pre', { class: 'json' }, JSON.stringify(shown, null, 2)),
      jws ? [h('h3', null, 'Compact JWS'), h('pre', { class: 'jws' }, jws)] : null,
    ),
  );
}

function proofSection(id: string, revoked: boolean): HTMLElement {
  const bundle = h(
    'p',
    null,
    h('a', { href: urls.bundle(id), download: `aura-work-${id}.bundle.json`, class: 'button secondary' }, 'Download the proof bundle'),
    ' Check it without this server: ',
    h('code', null, 'aura verify-bundle bundle.json [image]'),
  );
  // A revoked registration is no longer a claim to display elsewhere: its proof stays, its badge is not offered.
  if (revoked)
    return h(
      'section',
      { 'aria-labelledby': 'proof-h' },
      h('h2', { id: 'proof-h' }, 'Proof'),
      bundle,
      h('p', { class: 'muted' }, 'No badge to embed: the artist revoked this registration.'),
    );
  const origin = location.origin;
  const snippet = `<a href="${origin}${urls.work(id)}"><img src="${origin}${urls.badge(id)}" alt="Registered on Aura as human-made art"></a>`;
  const code = h('textarea', { readonly: true, rows: '3', class: 'snippet', id: 'badge-snippet' });
  code.value = snippet;
  const copied = h('span', { role: 'status', class: 'muted' });
  const copy = h('button', { type: 'button', class: 'secondary' }, 'Copy snippet');
  copy.addEventListener('click', async () => {
    code.select();
    try {
      await navigator.clipboard.writeText(snippet);
      copied.textContent = ' Copied.';
    } catch {
      copied.textContent = ' Press Ctrl+C (⌘C) to copy the selected snippet.';
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'proof-h' },
    h('h2', { id: 'proof-h' }, 'Proof and badge'),
    bundle,
    h('p', null, h('img', { src: urls.badge(id), alt: 'The embeddable Aura badge for this work', class: 'badge-preview' })),
    h('label', { for: 'badge-snippet' }, 'Embed the badge on your site'),
    code,
    h('p', null, copy, copied),
  );
}

/** The artist uploads their file and gets it back with a C2PA manifest signed by the registry. */
function contentCredentialsForm(workId: string): HTMLElement {
  const input = h('input', { type: 'file', name: 'image', accept: 'image/jpeg,image/png,image/webp', required: true });
  const slot = errorSlot();
  const progress = progressBar();
  const status = h('p', { role: 'status', class: 'muted cc-status' });
  const submit = h('button', { type: 'submit' }, 'Download with Content Credentials');
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    field('Your file of this work (JPEG, PNG or WebP)', input),
    h('div', { class: 'actions' }, submit),
    progress.el,
    status,
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearError(slot);
    const file = input.files?.[0];
    if (!file) return fieldError(input, 'Choose the registered file, or a copy of it.');
    submit.disabled = true;
    try {
      progress.busy('Embedding and signing the C2PA manifest…');
      const result = await api.contentCredentials(workId, file);
      const url = URL.createObjectURL(result.blob);
      const link = h('a', { href: url, download: result.filename }, result.filename);
      replace(status, 'Ready: ', link, ` (manifest ${result.manifestId})`);
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      showError(slot, err);
    } finally {
      submit.disabled = false;
      progress.done();
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'cc-h' },
    h('h2', { id: 'cc-h' }, 'Content Credentials'),
    h(
      'p',
      null,
      'Get your file back with a C2PA manifest embedded: same pixels, same format. It carries this registration, your verified identity and an offline proof, so C2PA tools (and ',
      h('code', null, 'aura verify-bundle'),
      ') can check it.',
    ),
    form,
  );
}

function revokeForm(workId: string, identity: StoredIdentity, done: () => void): HTMLElement {
  const reason = h('textarea', { name: 'reason', rows: '2', maxlength: '1000' });
  const slot = errorSlot();
  const progress = progressBar();
  const submit = h('button', { type: 'submit', class: 'danger' }, 'Revoke this registration');
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    field('Reason (public, optional)', reason),
    h('div', { class: 'actions' }, submit),
    progress.el,
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearError(slot);
    if (!confirm('Revoke this registration? This is permanent and public.')) return;
    submit.disabled = true;
    try {
      progress.busy('Signing the revocation with your key…');
      const jws = await signAction(identity, {
        action: 'work.revoke',
        workId,
        ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
      });
      await api.revokeWork(workId, jws);
      done();
    } catch (err) {
      showError(slot, err);
      submit.disabled = false;
    } finally {
      progress.done();
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'revoke-h' },
    h('h2', { id: 'revoke-h' }, 'Revoke'),
    h('p', null, 'Made a mistake? Revoking is recorded in the log; the registration is never deleted but stops counting as evidence.'),
    form,
  );
}

function disputeForm(workId: string, identity: StoredIdentity, done: () => void): HTMLElement {
  const reason = h(
    'select',
    { name: 'reason' },
    DISPUTE_REASONS.map((r) => h('option', { value: r.reason }, r.label)),
  );
  const text = h('textarea', { name: 'text', rows: '3', maxlength: '2000', required: true });
  const slot = errorSlot();
  const progress = progressBar();
  const submit = h('button', { type: 'submit', class: 'secondary' }, 'Sign and file the dispute');
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    field('What is wrong', reason),
    field('Explain, with sources if you can (public)', text),
    h('div', { class: 'actions' }, submit),
    progress.el,
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearError(slot);
    if (!text.value.trim()) return fieldError(text, 'Explain the dispute: it is shown beside the work.');
    submit.disabled = true;
    try {
      progress.busy('Signing the dispute with your key…');
      const jws = await signAction(identity, { action: 'work.dispute', workId, reason: reason.value, text: text.value.trim() });
      await api.disputeWork(workId, jws);
      done();
    } catch (err) {
      showError(slot, err);
      submit.disabled = false;
    } finally {
      progress.done();
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'dispute-h' },
    h('h2', { id: 'dispute-h' }, 'File a dispute'),
    h('p', null, `Signed as @${identity.handle}. Disputes are public log entries shown beside the work.`),
    form,
  );
}
