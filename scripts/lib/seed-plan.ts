/**
 * What the demo seed creates, as plain data: accounts, works and what happens to them, and (for a server whose
 * clock the seeder may move) when each step happens. Pure and deterministic: the same options give the same plan,
 * so a rerun recognises what it made before.
 */

export type AttestationType = 'witnessed-creation' | 'studio-visit' | 'exhibited' | 'acquired-from-artist' | 'expert-opinion';
export type DisputeReason = 'ai-generated' | 'not-the-author' | 'copied';

export interface SeedAccount {
  handle: string;
  displayName: string;
  kind: 'artist' | 'organization';
  bio: string;
  website?: string;
}

export interface SeedWork {
  /** Stable name of the work inside the plan (file names, seed state). */
  key: string;
  artist: string;
  imageSeed: number;
  title: string;
  year: number;
  medium: string;
  statement: string;
  digitalSourceType: string;
  width: number;
  height: number;
  format: 'png' | 'jpeg';
  /** Work-in-progress stages (renderArtwork `stage`) logged before the final; empty for most works. */
  processStages: number[];
  attestation?: { type: AttestationType; note: string; date: string };
  revoke?: { reason: string };
  dispute?: { by: string; reason: DisputeReason; text: string };
}

export interface SeedPlan {
  accounts: SeedAccount[];
  gallery: string;
  /** The operator verifies the gallery (organization.verified), so its attestations give level 3. */
  galleryVerification: { note: string };
  works: SeedWork[];
  /** The artist who adds a new key and revokes the old one at the end. */
  keyRotation: string;
}

export const MIN_WORKS = 8;
export const MAX_WORKS = 200;
export const DEFAULT_WORKS = 30;

/** Stages of the process works; the last one is logged at least a day after the first (see scheduleHistory). */
export const PROCESS_STAGES = [0.25, 0.5, 0.75, 0.9];

const ARTISTS: Array<SeedAccount & { medium: string; sourceType: string; format: 'png' | 'jpeg' }> = [
  {
    handle: 'mira-okafor',
    displayName: 'Mira Okafor',
    kind: 'artist',
    bio: 'Painter. Oil on linen, harbours and weather. (Demo account.)',
    medium: 'oil on linen',
    sourceType: 'digitalCapture',
    format: 'jpeg',
  },
  {
    handle: 'jun-takeda',
    displayName: 'Jun Takeda',
    kind: 'artist',
    bio: 'Woodcut and linocut prints, pulled by hand. (Demo account.)',
    medium: 'woodcut print',
    sourceType: 'print',
    format: 'png',
  },
  {
    handle: 'lena-vogt',
    displayName: 'Lena Vogt',
    kind: 'artist',
    bio: 'Digital illustration, drawn stroke by stroke on a tablet. (Demo account.)',
    medium: 'digital painting',
    sourceType: 'digitalCreation',
    format: 'png',
  },
  {
    handle: 'tomas-reyes',
    displayName: 'Tomás Reyes',
    kind: 'artist',
    bio: 'Film photographer, 6×7 negatives scanned at home. (Demo account.)',
    medium: 'gelatin silver print',
    sourceType: 'negativeFilm',
    format: 'jpeg',
  },
  {
    handle: 'ines-carvalho',
    displayName: 'Inês Carvalho',
    kind: 'artist',
    bio: 'Collage and mixed media, cut and glued by hand. (Demo account.)',
    medium: 'collage on paper',
    sourceType: 'humanEdits',
    format: 'png',
  },
];

const GALLERY: SeedAccount = {
  handle: 'harbour-gallery',
  displayName: 'Harbour Gallery',
  kind: 'organization',
  bio: 'An independent gallery showing contemporary painting and prints. (Demo account.)',
  website: 'https://example.org/harbour-gallery',
};

const ADJECTIVES = ['Quiet', 'Salt', 'Late', 'Amber', 'Northern', 'Borrowed', 'Low', 'Paper', 'Winter', 'Unfinished', 'Folded'];
const NOUNS = [
  'Harbour',
  'Orchard',
  'Tide Line',
  'Kitchen Window',
  'Quarry',
  'Rooftops',
  'Estuary',
  'Garden Wall',
  'Market',
  'Lighthouse',
  'Field Notes',
  'Stairwell',
  'Ferry',
];
const SIZES: Array<[number, number]> = [
  [800, 600],
  [600, 800],
  [720, 720],
  [900, 600],
];

const ATTESTATIONS: Array<{ type: AttestationType; note: string }> = [
  { type: 'exhibited', note: 'Shown in the group exhibition "Weather Systems".' },
  { type: 'acquired-from-artist', note: 'Acquired directly from the artist’s studio.' },
  { type: 'studio-visit', note: 'Seen in progress during a studio visit by our curator.' },
  { type: 'witnessed-creation', note: 'Made during our open-studio residency; staff watched it being made.' },
  { type: 'expert-opinion', note: 'Examined by our conservator: consistent with the artist’s hand and materials.' },
];

type Role = 'plain' | 'process' | 'attest' | 'revoke' | 'disputed';

/** The first works cover every case even for a small plan; later ones repeat a mix. */
const FIRST_ROLES: Role[] = ['disputed', 'process', 'revoke', 'attest', 'plain', 'attest', 'process', 'attest'];

function roleOf(i: number): Role {
  if (i < FIRST_ROLES.length) return FIRST_ROLES[i]!;
  if (i % 6 === 1) return 'process';
  if (i % 6 === 3) return 'attest';
  return 'plain';
}

export function planSeed(workCount = DEFAULT_WORKS): SeedPlan {
  if (!Number.isInteger(workCount) || workCount < MIN_WORKS || workCount > MAX_WORKS) {
    throw new RangeError(`the number of works must be an integer from ${MIN_WORKS} to ${MAX_WORKS}`);
  }
  let attestations = 0;
  const works = Array.from({ length: workCount }, (_, i): SeedWork => {
    const artist = ARTISTS[i % ARTISTS.length]!;
    const [width, height] = SIZES[i % SIZES.length]!;
    const role = roleOf(i);
    // ADJECTIVES and NOUNS have coprime lengths, so titles stay distinct for the first 143 works.
    const title = `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[i % NOUNS.length]}${i >= ADJECTIVES.length * NOUNS.length ? ` ${i}` : ''}`;
    const work: SeedWork = {
      key: `w${String(i + 1).padStart(3, '0')}`,
      artist: artist.handle,
      imageSeed: 1000 + i * 17,
      title,
      year: 2019 + (i % 7),
      medium: artist.medium,
      statement: `Made by hand by ${artist.displayName}. This is a generated demo image, not a real artwork.`,
      digitalSourceType: artist.sourceType,
      width,
      height,
      format: artist.format,
      processStages: role === 'process' ? PROCESS_STAGES : [],
    };
    if (role === 'attest') {
      const a = ATTESTATIONS[attestations++ % ATTESTATIONS.length]!;
      work.attestation = { ...a, date: `${work.year + 1}-0${1 + (i % 9)}-15` };
    }
    if (role === 'revoke') work.revoke = { reason: 'Registered the wrong photograph of this piece.' };
    if (role === 'disputed') {
      const by = ARTISTS[(i + 1) % ARTISTS.length]!.handle;
      work.dispute = { by, reason: 'copied', text: 'This composition closely follows a sketch I posted in 2018. (Demo dispute.)' };
    }
    return work;
  });
  return {
    accounts: [...ARTISTS.map(({ medium: _m, sourceType: _s, format: _f, ...a }) => a), GALLERY],
    gallery: GALLERY.handle,
    galleryVerification: { note: 'Demo: the operator checked the gallery’s registration and premises.' },
    works,
    keyRotation: ARTISTS[3]!.handle,
  };
}

export type HistoryStep =
  | { at: Date; kind: 'account'; handle: string }
  | { at: Date; kind: 'process'; work: SeedWork; stage: number }
  | { at: Date; kind: 'register'; work: SeedWork }
  | { at: Date; kind: 'attest'; work: SeedWork };

const HOUR = 3600_000;
export const DAY = 24 * HOUR;
/** Process images are logged this far apart, so the first and the last are more than a day apart. */
export const PROCESS_INTERVAL_MS = 10 * HOUR;
const LEAD_IN_MS = PROCESS_STAGES.length * PROCESS_INTERVAL_MS + 2 * HOUR;

/**
 * Lays the plan's history out in time between `start` and `end`: accounts first, then the works one after another
 * (each process image of a work PROCESS_INTERVAL_MS apart, before it), each attestation a few hours after its work.
 * Signed actions (revocation, dispute, key rotation) are not here: they happen at real time, afterwards.
 */
export function scheduleHistory(plan: SeedPlan, start: Date, end: Date): HistoryStep[] {
  const span = end.getTime() - start.getTime();
  if (span < LEAD_IN_MS + DAY) throw new RangeError('the simulated history needs at least three days');
  const t0 = start.getTime();
  const steps: HistoryStep[] = plan.accounts.map((a, i) => ({ at: new Date(t0 + i * 60_000), kind: 'account' as const, handle: a.handle }));
  const first = t0 + LEAD_IN_MS;
  const gap = (span - LEAD_IN_MS - 6 * HOUR) / plan.works.length;
  plan.works.forEach((work, i) => {
    const registeredAt = first + i * gap;
    work.processStages.forEach((stage, k) => {
      steps.push({ at: new Date(registeredAt - (work.processStages.length - k) * PROCESS_INTERVAL_MS), kind: 'process', work, stage });
    });
    steps.push({ at: new Date(registeredAt), kind: 'register', work });
    if (work.attestation) steps.push({ at: new Date(registeredAt + 5 * HOUR), kind: 'attest', work });
  });
  return steps.sort((a, b) => a.at.getTime() - b.at.getTime());
}
