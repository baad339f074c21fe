import { api, ApiError, retrySafely, urls, type Work, type WorkSummary } from '../api.ts';
import { signCredential } from '../keys.ts';
import { ATTESTATION_TYPES } from '../lib/describe.ts';
import type { StoredIdentity } from '../lib/identities.ts';
import { signedInIdentity } from '../lib/session.ts';
import type { PageContext } from '../router.ts';
import { clearError, errorBox, errorSlot, levelBadge, progressBar, showError, showFormError } from '../ui/components.ts';
import { field, h, replace } from '../ui/dom.ts';

export async function renderAttest(ctx: PageContext): Promise<void> {
  const identity = await signedInIdentity();
  if (ctx.signal.aborted) return;
  const intro = h(
    'p',
    { class: 'lede' },
    'Organisations vouch for works: an attestation is a credential signed with the organisation’s key that references the work’s own credential, and it lifts the work to evidence level 3 once the registry’s operator has verified the organisation.',
  );
  if (identity?.kind !== 'organization') {
    replace(
      ctx.main,
      h('h1', null, 'Attest a work'),
      intro,
      h(
        'p',
        { class: 'notice' },
        identity
          ? `You are signed in as the artist @${identity.handle}. Only organisation accounts attest works.`
          : 'Sign in with your organisation’s identity first. ',
        identity ? null : h('a', { href: '/identity' }, 'Create or restore an identity'),
      ),
    );
    return;
  }
  const workArea = h('div', { 'aria-live': 'polite' });
  const q = h('input', { type: 'search', name: 'q', id: 'attest-q', placeholder: 'Title, artist, or the work’s id or address' });
  const searchErrors = errorSlot();
  const results = h('div');
  const search = h(
    'form',
    { class: 'search', role: 'search' },
    h('label', { for: 'attest-q' }, 'Find the work'),
    q,
    h('button', { type: 'submit', class: 'secondary' }, 'Find'),
  );
  search.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearError(searchErrors);
    const text = q.value.trim();
    const direct = /\/w\/([^/?#]+)/.exec(text)?.[1];
    if (direct) return ctx.navigate(`/attest?work=${encodeURIComponent(decodeURIComponent(direct))}`);
    try {
      const list = await api.listWorks({ q: text });
      replace(results, pickList(list.items ?? []));
    } catch (err) {
      showError(searchErrors, err);
    }
  });
  replace(
    ctx.main,
    h('h1', null, 'Attest a work'),
    intro,
    h('p', null, `Signing as @${identity.handle}.`),
    search,
    searchErrors,
    results,
    workArea,
  );
  const workId = ctx.query.get('work');
  if (workId) {
    try {
      const work = await api.getWork(workId);
      if (!ctx.signal.aborted) replace(workArea, attestForm(ctx, identity, work));
    } catch (err) {
      if (!ctx.signal.aborted) replace(workArea, errorBox(err));
    }
  }
}

function pickList(items: WorkSummary[]): HTMLElement {
  if (!items.length) return h('p', { class: 'muted' }, 'No registered work matches.');
  return h(
    'ul',
    { class: 'pick-list' },
    items.map((w) =>
      h(
        'li',
        null,
        h(
          'a',
          { href: `/attest?work=${encodeURIComponent(w.id)}` },
          h('img', { src: urls.thumbnail(w.id), alt: '', loading: 'lazy' }),
          h('span', null, w.title || 'Untitled', w.artist ? ` — ${w.artist.displayName || `@${w.artist.handle}`}` : ''),
        ),
      ),
    ),
  );
}

function attestForm(ctx: PageContext, identity: StoredIdentity, work: Work): HTMLElement {
  const radios = ATTESTATION_TYPES.map((t, i) => {
    const input = h('input', { type: 'radio', name: 'type', value: t.type, id: `att-${t.type}`, checked: i === 0 });
    return h(
      'label',
      { for: input.id, class: 'choice' },
      input,
      h('span', null, h('strong', null, t.label), h('span', { class: 'muted' }, ` — ${t.explanation}`)),
    );
  });
  const note = h('textarea', { name: 'note', rows: '3', maxlength: '2000' });
  const date = h('input', { type: 'date', name: 'date' });
  const slot = errorSlot();
  const progress = progressBar();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign the attestation');
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('fieldset', null, h('legend', null, 'What are you attesting?'), radios),
    field('Note (public, optional)', note, 'For example the exhibition, or how you witnessed the work being made.'),
    field('Date (optional)', date, 'When it happened.'),
    h('div', { class: 'actions' }, submit),
    progress.el,
    slot,
  );
  const submitSigned = retrySafely();
  let draft: { draftId: string; payload: unknown; type: string; note: string; date: string } | undefined;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearError(slot);
    const type = form.querySelector<HTMLInputElement>('input[name="type"]:checked')?.value ?? ATTESTATION_TYPES[0]!.type;
    submit.disabled = true;
    try {
      // A retry after an unknown outcome reuses the same draft, so the same signature can be replayed safely.
      if (!draft || draft.type !== type || draft.note !== note.value.trim() || draft.date !== date.value) {
        progress.busy('Preparing the attestation…');
        const prepared = await api.createAttestationDraft(work.id, {
          type,
          ...(note.value.trim() ? { note: note.value.trim() } : {}),
          ...(date.value ? { date: date.value } : {}),
        });
        draft = { ...prepared, type, note: note.value.trim(), date: date.value };
      }
      progress.busy('Signing with your organisation’s key…');
      const jws = await signCredential(identity, draft.payload);
      const { draftId } = draft;
      const result = await submitSigned((key) => api.submitAttestation(work.id, draftId, jws, key));
      if (ctx.signal.aborted) return;
      replace(
        form,
        h(
          'p',
          { class: 'ok', role: 'status' },
          'Attestation signed and recorded',
          typeof result.logIndex === 'number'
            ? [' as log entry ', h('a', { href: urls.logEntry(result.logIndex) }, `#${result.logIndex}`)]
            : '',
          '.',
        ),
        h('p', null, h('a', { href: urls.work(work.id) }, 'See it on the work’s page')),
      );
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 0 || err.status >= 500))) draft = undefined;
      showFormError(form, slot, err);
      submit.disabled = false;
    } finally {
      progress.done();
    }
  });
  return h(
    'section',
    { class: 'attest-work', 'aria-labelledby': 'attest-work-h' },
    h('h2', { id: 'attest-work-h' }, `“${work.title}”`, work.artist ? ` by ${work.artist.displayName || `@${work.artist.handle}`}` : ''),
    h(
      'div',
      { class: 'upload-row' },
      h('figure', { class: 'preview' }, h('img', { src: urls.thumbnail(work.id), alt: `“${work.title}”` })),
      levelBadge(work.evidenceLevel),
    ),
    form,
  );
}
