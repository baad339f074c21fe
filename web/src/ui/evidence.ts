import type { Attestation, Dispute, OrganizationStanding, PublicEvidence } from '../api.ts';
import { urls } from '../api.ts';
import { attestationLabel, describeSourceType, disputeLabel } from '../lib/describe.ts';
import { definitionList, markerList } from './components.ts';
import { formatDate, h } from './dom.ts';

/** The public metadata of an image: camera, software, C2PA, AI markers. */
export function evidenceSection(evidence: PublicEvidence | undefined, heading: string): HTMLElement {
  const e = evidence ?? { aiMarkers: [] };
  const camera = e.camera
    ? [e.camera.make, e.camera.model].filter(Boolean).join(' ') + (e.camera.lens ? ` (lens: ${e.camera.lens})` : '')
    : undefined;
  const c2pa = e.c2pa?.present
    ? [
        'Content Credentials (C2PA) manifest present',
        e.c2pa.claimGenerator ? ` — made with ${e.c2pa.claimGenerator}` : '',
        e.c2pa.signatureValid === true ? '; signature valid' : e.c2pa.signatureValid === false ? '; signature could not be validated' : '',
        e.c2pa.actions?.length ? `; actions: ${e.c2pa.actions.join(', ')}` : '',
        e.c2pa.digitalSourceType ? `; source: ${describeSourceType(e.c2pa.digitalSourceType)}` : '',
      ].join('')
    : 'none';
  const markers = Array.isArray(e.aiMarkers) ? e.aiMarkers : [];
  return h(
    'section',
    { class: 'evidence', 'aria-labelledby': 'evidence-h' },
    h('h2', { id: 'evidence-h' }, heading),
    definitionList([
      ['Camera', camera || 'not recorded'],
      ['Software', e.software || 'not recorded'],
      ['Created', e.created ? formatDate(e.created) : 'not recorded'],
      ['Creator', e.creator],
      ['Rights', e.rights],
      ['Declared source', e.digitalSourceType ? describeSourceType(e.digitalSourceType) : undefined],
      ['C2PA', c2pa],
    ]),
    h('h3', null, 'AI markers'),
    markers.length
      ? [
          h('p', { class: 'warn' }, `${markers.length} marker${markers.length === 1 ? '' : 's'} of AI generation found in this file:`),
          markerList(markers),
        ]
      : h('p', null, 'No AI-generation markers found in this file’s metadata. Metadata is easy to strip, so this alone proves nothing.'),
  );
}

export function attestationList(items: Attestation[] | undefined): HTMLElement {
  if (!items?.length) return h('p', { class: 'muted' }, 'No organisation has attested this work yet.');
  return h(
    'ul',
    { class: 'attestations' },
    items.map((a) =>
      h(
        'li',
        null,
        h('strong', null, attestationLabel(a.type)),
        a.issuer
          ? [
              ' by ',
              h('a', { href: urls.profile(a.issuer.handle) }, a.issuer.displayName || `@${a.issuer.handle}`),
              issuerStanding(a.issuer),
            ]
          : null,
        a.date ? ` · ${a.date}` : a.issuedAt ? ` · ${formatDate(a.issuedAt)}` : null,
        a.valid === false ? h('span', { class: 'bad' }, ' · signature invalid') : null,
        a.valid !== false && a.issuer?.verified === false
          ? h(
              'p',
              { class: 'muted standing-note' },
              'Shown, but it does not raise the evidence level: the registry’s operator has not verified this organisation.',
            )
          : null,
        a.note ? h('p', { class: 'note' }, a.note) : null,
      ),
    ),
  );
}

/** "verified organisation since …, by the registry's operator" or "unverified organisation" (withdrawn: when). */
export function issuerStanding(issuer: Partial<OrganizationStanding>): HTMLElement | null {
  if (issuer.verified === undefined) return null;
  const v = issuer.verification;
  if (issuer.verified && v) {
    return h(
      'span',
      { class: 'standing' },
      h('span', { class: 'tag ok' }, 'verified organisation'),
      ` since ${formatDate(v.since)} by the registry’s operator`,
    );
  }
  return h(
    'span',
    { class: 'standing' },
    h('span', { class: 'tag warn' }, 'unverified organisation'),
    v?.status === 'withdrawn' && v.withdrawnAt ? ` · verification withdrawn on ${formatDate(v.withdrawnAt)}` : null,
  );
}

export function disputeList(items: Dispute[] | undefined): HTMLElement {
  if (!items?.length) return h('p', { class: 'muted' }, 'No disputes.');
  return h(
    'ul',
    { class: 'disputes' },
    items.map((d) =>
      h(
        'li',
        null,
        h('strong', null, `Disputed: ${disputeLabel(d.reason)}`),
        d.filedBy
          ? [' — filed by ', h('a', { href: urls.profile(d.filedBy.handle) }, d.filedBy.displayName || `@${d.filedBy.handle}`)]
          : null,
        d.filedAt ? ` on ${formatDate(d.filedAt)}` : null,
        d.status ? ` (${d.status})` : null,
        d.text ? h('p', { class: 'note' }, d.text) : null,
      ),
    ),
  );
}
