import { api, urls, type ContentCredentialsReport, type VerifyMatch, type VerifyReport } from '../api.ts';
import { describeMatch, describeSourceType } from '../lib/describe.ts';
import type { PageContext } from '../router.ts';
import {
  UserError,
  clearError,
  definitionList,
  dropZone,
  errorSlot,
  levelBadge,
  listenForPaste,
  progressBar,
  showError,
  signatureStatus,
} from '../ui/components.ts';
import { h, replace } from '../ui/dom.ts';
import { attestationList, disputeList, evidenceSection } from '../ui/evidence.ts';
import { checkImageFile } from '../lib/describe.ts';
import { checkEntry, fetchCheckedHead, type CheckedHead } from '../lib/log-check.ts';

export function renderVerify(ctx: PageContext): void {
  const errors = errorSlot();
  const progress = progressBar();
  const results = h('section', { class: 'results', 'aria-live': 'polite', 'aria-label': 'Verification result' });
  let objectUrl: string | undefined;
  ctx.signal.addEventListener('abort', () => objectUrl && URL.revokeObjectURL(objectUrl));

  async function check(file: File): Promise<void> {
    const problem = checkImageFile(file);
    if (problem) {
      showError(errors, new UserError(problem));
      return;
    }
    clearError(errors);
    results.replaceChildren();
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(file);
    progress.set(0);
    try {
      const report = await api.verify(file, (f) => (f < 1 ? progress.set(f) : progress.busy('Comparing with the registry…')));
      if (ctx.signal.aborted) return;
      progress.done();
      replace(results, renderReport(report, objectUrl, file.name));
      results.querySelector<HTMLElement>('h2')?.focus();
    } catch (err) {
      if (ctx.signal.aborted) return;
      progress.done();
      showError(errors, err);
    }
  }

  const zone = dropZone({
    label: 'Drop an image here, or choose a file',
    hint: 'You can also paste an image. Any copy works — resized, re-compressed or re-posted. Nothing you check is stored.',
    onFiles: (files) => void check(files[0]!),
    errorSlot: errors,
  });
  listenForPaste(ctx.signal, (file) => void check(file));

  replace(
    ctx.main,
    h(
      'section',
      { class: 'hero' },
      h('h1', null, 'Was this made by a human?'),
      h(
        'p',
        { class: 'lede' },
        'Aura is a public registry of human-made art. Artists sign their works with their own keys, galleries vouch for them, and every claim is written to an append-only log that anyone can check.',
      ),
      zone.el,
      errors,
      progress.el,
    ),
    results,
    h(
      'section',
      { class: 'ways', 'aria-label': 'Other things to do' },
      h(
        'a',
        { class: 'card', href: '/register' },
        h('h2', null, 'Register a work'),
        h('p', null, 'Sign a statement that you made it, with a key that never leaves your device.'),
      ),
      h(
        'a',
        { class: 'card', href: '/works' },
        h('h2', null, 'Browse works'),
        h('p', null, 'See registered works and which galleries witnessed, exhibited or acquired them.'),
      ),
      h(
        'a',
        { class: 'card', href: '/log' },
        h('h2', null, 'Check the log'),
        h('p', null, 'Every registration, attestation and dispute is an entry in a public, append-only log.'),
      ),
    ),
  );
}

export function renderReport(report: VerifyReport, uploadedUrl: string, fileName: string): HTMLElement[] {
  const matches = report.matches ?? [];
  // One signed head for all matches; its failure is reported per match.
  const head = matches.length ? fetchCheckedHead() : Promise.reject(new Error('no matches'));
  head.catch(() => undefined);
  const standing = matches.filter((m) => !m.revoked);
  const summary =
    matches.length && !standing.length
      ? h(
          'div',
          { class: 'summary revoked' },
          h('h2', { tabindex: '-1' }, 'This image matches only a revoked registration'),
          h(
            'p',
            null,
            'The artist withdrew the registration below. It stays in the public log, but it no longer backs any claim that a human made this image.',
          ),
        )
      : matches.length
        ? h(
            'div',
            { class: 'summary found' },
            h(
              'h2',
              { tabindex: '-1' },
              matches.length === 1 ? 'This image matches a registered work' : `This image matches ${matches.length} registered works`,
            ),
            h(
              'p',
              null,
              'Best match first. Compare the images yourself: a match means the pictures are alike, and the level below says how strongly the human-made claim is backed.',
            ),
          )
        : h(
            'div',
            { class: 'summary none' },
            h('h2', { tabindex: '-1' }, 'No registered work matches this image'),
            h('p', null, 'Nobody has registered this image, or a close copy of it, with Aura.'),
            h(
              'ul',
              null,
              h('li', null, 'This does not mean it was made by AI: most human-made art is not registered anywhere.'),
              h('li', null, 'It does not mean it was made by a human either: Aura only knows what artists have registered.'),
              h('li', null, 'Heavily cropped, repainted or collaged copies may not be recognised.'),
            ),
          );
  return [
    summary,
    ...matches.map((m, i) => matchCard(m, i, uploadedUrl, fileName, head)),
    ...(report.contentCredentials?.present ? [contentCredentialsSection(report.contentCredentials)] : []),
    evidenceSection(report.evidence, 'What this file itself says'),
    h(
      'details',
      { class: 'fingerprint' },
      h('summary', null, 'Fingerprints of the uploaded file'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, 'SHA-256'),
        h('dd', null, h('code', null, report.sha256)),
        h('dt', null, 'PDQ'),
        h('dd', null, h('code', null, report.pdq)),
      ),
    ),
  ];
}

/** The file's C2PA manifest as c2pa-rs validated it on the server; a mismatch with the pixels is shown, never hidden. */
function contentCredentialsSection(cc: ContentCredentialsReport): HTMLElement {
  const state = cc.intact
    ? h(
        'span',
        { class: 'ok' },
        `✓ Intact (${cc.validationState ?? 'valid'})`,
        cc.failures.length ? ` — the signer is not on your C2PA trust list (${cc.failures.map((f) => f.code).join(', ')})` : '',
      )
    : h('span', { class: 'bad' }, `✗ Does not validate (${cc.validationState ?? 'invalid'})`);
  return h(
    'section',
    { class: 'content-credentials', 'aria-labelledby': 'cc-h' },
    h('h2', { id: 'cc-h' }, 'Content Credentials in this file'),
    cc.warnings.map((w) => h('p', { class: 'banner warning', role: 'note' }, w)),
    definitionList([
      ['Validation', state],
      [
        'Codes',
        cc.failures.length
          ? h(
              'ul',
              null,
              cc.failures.map((f) => h('li', null, h('code', null, f.code), f.explanation ? ` — ${f.explanation}` : '')),
            )
          : 'no failure codes',
      ],
      [
        'Signed by',
        cc.signer ? [cc.signer.commonName, cc.signer.issuer ? `(issued by ${cc.signer.issuer})` : ''].filter(Boolean).join(' ') : undefined,
      ],
      ['Made with', cc.claimGenerator],
      [
        'Actions',
        cc.actions.length
          ? cc.actions.map((a) => `${a.action}${a.digitalSourceType ? ` (${describeSourceType(a.digitalSourceType)})` : ''}`).join('; ')
          : undefined,
      ],
      [
        'Identity (CAWG)',
        cc.identities.length ? cc.identities.map((i) => `${i.names.join(', ') || 'unnamed'} — ${i.sigType}`).join('; ') : undefined,
      ],
      [
        'Aura registration',
        cc.aura
          ? h(
              'span',
              null,
              h(
                'a',
                { href: urls.work(cc.aura.workId) },
                cc.aura.known ? 'the registered work' : `work ${cc.aura.workId} (not in this registry)`,
              ),
              cc.aura.level ? ` · evidence level ${cc.aura.level.level} (${cc.aura.level.name})` : '',
              cc.aura.pixelsMatch ? '' : h('strong', { class: 'bad' }, ' · the pixels do not match it'),
            )
          : undefined,
      ],
    ]),
  );
}

/** Fills in, once the browser has checked it, whether the work's entry is under the signed log head. */
function logStatus(index: number, head: Promise<CheckedHead>): HTMLElement {
  const status = h('span', { class: 'muted' }, 'checking the inclusion proof…');
  const el = h('span', null, 'Recorded as entry ', h('a', { href: urls.logEntry(index) }, `#${index}`), ' · ', status);
  void head
    .then((checked) => checkEntry(index, checked))
    .then(({ status: result, head: { checkpoint, signatureValid } }) => {
      const signed = signatureValid === true;
      if (result === 'included' && signed)
        replace(
          status,
          h(
            'span',
            { class: 'ok' },
            `✓ inclusion proof checked in your browser against the registry’s signed checkpoint (${checkpoint.size} entries)`,
          ),
        );
      else if (result === 'included')
        replace(
          status,
          h('span', { class: 'warn' }, 'inclusion proof matches the checkpoint, but the checkpoint signature could not be checked'),
        );
      else if (result === 'not-covered') replace(status, 'not yet covered by the latest checkpoint');
      else replace(status, h('span', { class: 'bad' }, '✗ the inclusion proof does not match the checkpoint'));
      status.className = '';
    })
    .catch(() => {
      status.textContent = 'the proof could not be fetched — open the entry to retry';
    });
  return el;
}

function matchCard(m: VerifyMatch, i: number, uploadedUrl: string, fileName: string, head: Promise<CheckedHead>): HTMLElement {
  const meaning = describeMatch(m.verdict);
  const percent = Math.round(m.similarity * 100);
  const artist = m.work?.artist;
  const headingId = `match-${i}`;
  return h(
    'article',
    { class: `match${m.revoked ? ' revoked' : ''}`, 'aria-labelledby': headingId },
    h(
      'h3',
      { id: headingId },
      h('a', { href: urls.work(m.workId) }, m.work?.title || 'Untitled'),
      artist ? [' by ', h('a', { href: urls.profile(artist.handle) }, artist.displayName || `@${artist.handle}`)] : null,
    ),
    m.revoked
      ? h(
          'p',
          { class: 'banner danger', role: 'note' },
          'Revoked: the artist has withdrawn this registration. It no longer counts as evidence.',
        )
      : null,
    m.disputes?.length
      ? h(
          'p',
          { class: 'banner warning', role: 'note' },
          `Disputed: ${m.disputes.length} open dispute${m.disputes.length === 1 ? '' : 's'} — see below.`,
        )
      : null,
    h(
      'div',
      { class: 'compare' },
      h('figure', null, h('img', { src: uploadedUrl, alt: `Your image (${fileName})` }), h('figcaption', null, 'Your image')),
      h(
        'figure',
        null,
        h('img', { src: urls.thumbnail(m.workId), alt: `Registered work “${m.work?.title ?? ''}”`, loading: 'lazy' }),
        h('figcaption', null, 'Registered work'),
      ),
    ),
    levelBadge(m.evidenceLevel),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Similarity'),
      h(
        'dd',
        null,
        h('strong', null, `${meaning.label} — ${percent}% similar`),
        distanceNote(m),
        meaning.explanation,
        m.note ? h('p', { class: 'note' }, m.note) : null,
      ),
      h('dt', null, 'Transform detected'),
      h('dd', null, m.transform),
      h('dt', null, 'Signature'),
      h(
        'dd',
        null,
        signatureStatus(m.signature),
        m.signature?.kid ? h('span', { class: 'muted' }, ` · key ${m.signature.kid.slice(0, 12)}…`) : null,
      ),
      h('dt', null, 'Public log'),
      h('dd', null, typeof m.logIndex === 'number' ? [logStatus(m.logIndex, head)] : 'No log entry reported.'),
    ),
    h('h4', null, 'Attestations'),
    attestationList(m.attestations),
    h('h4', null, 'Disputes'),
    disputeList(m.disputes),
    h('p', null, h('a', { href: urls.work(m.workId) }, 'Full record, proof bundle and history →')),
  );
}

/** How far the hashes are apart, and what made it a match when that was not the hash distance. */
function distanceNote(m: VerifyMatch): string {
  const local = m.matchedOn.localFeatures;
  if (!local) return ` (${m.distance} of 256 bits differ; ${m.maxDistance} is the most that still counts as a match). `;
  const aligned = local.alignedBy === 'correlation' ? 'the pictures line up as a whole' : `${local.inliers} keypoints line up`;
  return ` (${m.distance} of 256 bits differ, past the hash threshold; ${aligned} and ${Math.round(local.agreement * 100)}% of the overlapping picture agrees). `;
}
