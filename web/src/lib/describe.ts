/** Plain-language descriptions of registry facts. Pure functions, no DOM. */

export interface LevelInfo { level: number; name: string; summary: string }

export const EVIDENCE_LEVELS: LevelInfo[] = [
  { level: 0, name: 'Unverified', summary: 'Nothing backs a human-made claim for this image: it matches no registered work, or only works the artist has revoked.' },
  { level: 1, name: 'Self-declared', summary: 'The artist signed a statement, with their own key, that a human made this work. Nobody else has vouched for it yet.' },
  { level: 2, name: 'Process evidence', summary: 'Self-declared, plus at least three work-in-progress images of this work recorded in the public log earlier, over at least 24 hours.' },
  { level: 3, name: 'Witnessed', summary: 'Self-declared, plus a signed attestation from at least one organisation the registry’s operator has verified, such as a gallery that witnessed, exhibited or acquired it.' },
];

/** Accepts the server's `{ level, name, explanation }` or a bare number. */
export function levelInfo(level: number | { level: number } | undefined | null): LevelInfo {
  const n = typeof level === 'object' && level !== null ? level.level : level;
  return EVIDENCE_LEVELS.find((l) => l.level === n) ?? EVIDENCE_LEVELS[0]!;
}

/** PDQ distances are out of 256 bits; a match is ≤ 31. */
export const PDQ_BITS = 256;
export const MATCH_THRESHOLD = 31;

export function similarityPercent(distance: number): number {
  return Math.round(((PDQ_BITS - Math.min(Math.max(distance, 0), PDQ_BITS)) / PDQ_BITS) * 100);
}

export interface MatchMeaning { label: string; explanation: string }

/** `verdict` is the server's judgement ('exact' | 'same' | 'similar'); without it the distance decides. */
export function describeMatch(distance: number, exact: boolean, verdict?: string): MatchMeaning {
  if (verdict === 'same') return { label: 'Same image', explanation: 'The same picture — typically a resized, re-compressed, cropped or re-posted copy.' };
  if (verdict === 'similar') return similar;
  if (exact || verdict === 'exact') return { label: 'Same file', explanation: 'The uploaded file is byte-for-byte the file that was registered.' };
  if (distance <= 10) return { label: 'Same image', explanation: 'Visually the same picture — typically a resized, re-compressed or re-posted copy.' };
  if (distance <= 20) return { label: 'Same image, altered', explanation: 'Very likely the same picture with visible changes such as cropping, filters or heavy compression.' };
  return similar;
}

const similar: MatchMeaning = {
  label: 'Similar',
  explanation: 'Close to a registered work but not the same — it may be an edited copy, or a different version (for example another colourway) of the same design. Compare them side by side.',
};

const TRANSFORMS: Record<string, string> = {
  global: 'none — same orientation',
  identity: 'none — same orientation',
  rot90: 'rotated 90° clockwise',
  rot180: 'rotated 180°',
  rot270: 'rotated 90° counter-clockwise',
  flipx: 'mirrored top to bottom',
  flipy: 'mirrored left to right',
  'flip-plus1': 'mirrored along the diagonal from top left to bottom right',
  'flip-minus1': 'mirrored along the diagonal from top right to bottom left',
};

export function describeTransform(transform: string | undefined): string {
  if (!transform) return 'none detected';
  const known = TRANSFORMS[transform.toLowerCase()];
  if (known) return known;
  const crop = /^crop-?(\d+)/i.exec(transform);
  if (crop) return `cropped or padded (matched a ${crop[1]}% window of the original)`;
  return transform;
}

export const DIGITAL_SOURCE_BASE = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

/** Human-made terms offered at registration (the retired terms are accepted by the server but not offered). */
export const HUMAN_SOURCE_TYPES: { term: string; label: string }[] = [
  { term: 'digitalCreation', label: 'Digital creation — drawn or painted by hand with digital tools' },
  { term: 'digitalCapture', label: 'Photograph or scan of a physical work, or a photograph' },
  { term: 'negativeFilm', label: 'Scan of a film negative' },
  { term: 'positiveFilm', label: 'Scan of slide film' },
  { term: 'print', label: 'Scan of a print' },
  { term: 'humanEdits', label: 'Human edits of a captured image' },
  { term: 'compositeCapture', label: 'Composite of several captures' },
];

/** Declared honestly, these let a work that contains generated parts be registered; the declaration is shown everywhere. */
export const COMPOSITE_SOURCE_TYPES: { term: string; label: string }[] = [
  { term: 'compositeWithTrainedAlgorithmicMedia', label: 'Composite: my work combined with AI-generated elements' },
  { term: 'compositeSynthetic', label: 'Composite including synthetic (computer-generated) elements' },
];

const AI_TERMS = ['trainedAlgorithmicMedia', 'compositeWithTrainedAlgorithmicMedia', 'algorithmicMedia', 'compositeSynthetic'];

export function describeSourceType(uri: string | undefined): string {
  if (!uri) return 'not stated';
  const term = uri.startsWith(DIGITAL_SOURCE_BASE) ? uri.slice(DIGITAL_SOURCE_BASE.length) : uri;
  const known = [...HUMAN_SOURCE_TYPES, ...COMPOSITE_SOURCE_TYPES].find((t) => t.term === term);
  if (known) return known.label;
  if (term === 'digitalArt') return 'Digital art (retired term)';
  if (term === 'minorHumanEdits') return 'Minor human edits (retired term)';
  if (AI_TERMS.includes(term)) return `AI-generated or AI-assisted (${term})`;
  return term;
}

export const ATTESTATION_TYPES: { type: string; label: string; explanation: string }[] = [
  { type: 'witnessed-creation', label: 'Witnessed creation', explanation: 'We saw the artist make this work.' },
  { type: 'studio-visit', label: 'Studio visit', explanation: 'We visited the studio and saw the work and its process.' },
  { type: 'exhibited', label: 'Exhibited', explanation: 'We exhibited this work.' },
  { type: 'acquired-from-artist', label: 'Acquired from the artist', explanation: 'We acquired this work directly from the artist.' },
  { type: 'expert-opinion', label: 'Expert opinion', explanation: 'In our professional opinion this work was made by this artist, by hand.' },
];

export const attestationLabel = (type: string) => ATTESTATION_TYPES.find((t) => t.type === type)?.label ?? type;

export const DISPUTE_REASONS: { reason: string; label: string }[] = [
  { reason: 'ai-generated', label: 'It was generated by AI' },
  { reason: 'not-the-author', label: 'The registrant is not the author' },
  { reason: 'copied', label: 'It copies someone else’s work' },
];

export const disputeLabel = (reason: string) => DISPUTE_REASONS.find((d) => d.reason === reason)?.label ?? reason;

const MARKER_KINDS: Record<string, string> = {
  'digital-source-type': 'Metadata declares an AI source type',
  'c2pa-digital-source-type': 'Content Credentials (C2PA) record an AI generation step',
  'generator-software': 'Software named is an AI image generator',
  'generator-parameters': 'Generator settings (prompt, steps, workflow) embedded in the file',
  'midjourney-job-id': 'Midjourney job id',
};

export const describeMarkerKind = (kind: string) => MARKER_KINDS[kind] ?? kind;

export const LOG_EVENT_LABELS: Record<string, string> = {
  'work.registered': 'Work registered',
  'work.revoked': 'Work revoked',
  'attestation.issued': 'Attestation issued',
  'key.added': 'Key added',
  'key.revoked': 'Key revoked',
  'dispute.filed': 'Dispute filed',
  'draft.registered': 'Work-in-progress image registered',
  'process.registered': 'Work-in-progress image registered',
  'account.created': 'Account created',
  'organization.verified': 'Organisation verified by the operator',
  'organization.withdrawn': 'Operator withdrew an organisation’s verification',
  'organization.domain-linked': 'Organisation linked a domain',
};

export const describeLogEvent = (type: string) => LOG_EVENT_LABELS[type] ?? type;

export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/tiff', 'image/gif'];

/** Client-side pre-check so an obviously wrong file gets an answer without an upload. Null means fine. */
export function checkImageFile(file: { name: string; type: string; size: number }, maxBytes?: number): string | null {
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.type && !ACCEPTED_IMAGE_TYPES.includes(file.type)) {
    const what = file.type === 'image/heic' || file.type === 'image/heif' ? 'HEIC/HEIF photos' : `${file.type} files`;
    return `Aura cannot read ${what}. Use a JPEG, PNG, WebP, AVIF, TIFF or GIF image.`;
  }
  if (!file.type && !/\.(jpe?g|png|webp|avif|tiff?|gif)$/i.test(file.name)) {
    return `“${file.name}” does not look like an image. Use a JPEG, PNG, WebP, AVIF, TIFF or GIF image.`;
  }
  if (maxBytes && file.size > maxBytes) return `“${file.name}” is too large (${Math.ceil(file.size / 1e6)} MB).`;
  return null;
}
