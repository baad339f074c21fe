import type { LabelledHash } from '../images/types.ts';
import { chromaDistance, colouredCells, colourOnOneSideOnly, isColourway } from '../images/colour-layout.ts';
import { greyDistance, tonesDiffer, windowGreys, type ToneLayout } from '../images/tone-layout.ts';
import { DIHEDRAL_LABELS } from '../images/pdq.ts';
import {
  ANCHORED_PREFIX,
  anchoredWindows,
  contentWindow,
  cropWindows,
  PAGED_LABEL,
  PART_PREFIX,
  partWindows,
  STORED_CROP_SCALES,
  VIEW_PREFIX,
  SHIFT_PREFIX,
  type Window,
} from '../images/regions.ts';
import { FRAMED_LABEL } from '../images/frame.ts';
import { ON_WHITE_LABEL } from '../images/alpha.ts';
import { FITTED_PREFIX, TURNED_LABEL } from '../images/rotation.ts';
import { isStructureLabel, STRUCTURE_BLACK_LABEL, STRUCTURE_LABEL, structureOrientation } from '../images/structure.ts';
import type { Fingerprint } from '../images/types.ts';
import type { GreyPlane } from '../images/keypoints.ts';
import { hammingDistanceHex } from './hashes.ts';
import {
  ALPHA_BLACK_LABEL,
  ALPHA_GREY_LABEL,
  LIGHTNESS_LABELS,
  SAME_WINDOW_LABEL,
  partTarget,
  viewTarget,
  type MatchTarget,
} from './label-classes.ts';

export const MATCH_DISTANCE = 31;
/** Flat or minimalist images have unstable PDQ hashes: below this quality a stricter distance applies. */
export const LOW_QUALITY = 50;
export const LOW_QUALITY_DISTANCE = 20;
/** Whether copies of an image of this PDQ quality are matched with the stricter distance. */
export const matchedStrictly = (pdqQuality: number): boolean => pdqQuality < LOW_QUALITY;
/** At or below this distance the copy is the same picture; above, only similar (e.g. a colourway). */
export const SAME_DISTANCE = 16;
/**
 * Below this PDQ quality a hash carries no picture: a uniform or alpha-only image flattened to one
 * colour hashes to all zeros at quality 0, and every flat work collides with every other. Measured on
 * the tuning corpus (docs/matching.md): a 400-px JPEG re-save moved the global hash of works of quality
 * 0–2 by 26–182 bits (noise), of quality 3–4 by 16–38, of quality 8–12 by 8–10.
 */
export const QUALITY_FLOOR = 3;
/**
 * PDQ's median threshold sets about half of the 256 bits (127–128 for distinct coefficients); a hash far
 * from half comes from a plane whose coefficients tie at the median, i.e. one with (almost) no structure.
 */
const MIN_SET_BITS = 64;
const MAX_SET_BITS = 256 - MIN_SET_BITS;

/**
 * The hash PDQ gives a window with no low-frequency content: its 16 × 16 coefficients are rounding
 * residue, and their signs against the median fall in a checkerboard (the second pattern is the first
 * mirrored). A flat window hashes to it at a low quality; a fine regular pattern (a grid of dots) does
 * too, but at quality 100, because PDQ's quality reads the 64 × 64 plane's gradients, which the pattern
 * has, while the hash reads only the lowest frequencies, which it has not.
 */
export const FLAT_PATTERNS = ['5555aaaa'.repeat(8), 'aaaa5555'.repeat(8)];
/**
 * Within this many bits of a flat pattern a hash carries no picture. Measured on the corpus' stored hashes
 * (docs/matching.md): three lie 2–24 bits from one (a dot grid's centred windows, a star field's), the
 * next 48, the bulk 112–135; through those three, copies of unrelated works with a flat centre matched
 * each other at 2–30 bits.
 */
export const FLAT_PATTERN_DISTANCE = 32;

/**
 * A hash that must never match (or block a registration) on its own: quality below the floor, far from
 * half its bits set, or near a flat pattern. Such a work still registers and is still found by its exact
 * SHA-256 (and, when its main hash is degenerate, by its structure).
 */
export function isDegenerate(h: Pick<LabelledHash, 'hash' | 'quality'>): boolean {
  if (h.quality < QUALITY_FLOOR) return true;
  const ones = setBits(h.hash);
  if (ones < MIN_SET_BITS || ones > MAX_SET_BITS) return true;
  return FLAT_PATTERNS.some((flat) => hammingDistanceHex(h.hash, flat) <= FLAT_PATTERN_DISTANCE);
}

const NIBBLE_ONES = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];
function setBits(hex: string): number {
  let ones = 0;
  for (let i = 0; i < hex.length; i++) ones += NIBBLE_ONES[parseInt(hex[i]!, 16)]!;
  return ones;
}

/**
 * Every hash a query contributes, each with the stored hashes it is compared with (the pairs the match
 * rules need, not all 20 × 13): the dihedral variants against the work's whole image ('global' and
 * 'alpha-black': rotated, flipped, re-encoded copies); the query's 'global' also against every stored
 * region (the copy is a crop of the work); the query's lightness hashes against the stored lightness hashes
 * and 'global' (the copy's colours or brightness changed); the query's other regions against the stored
 * 'global' (the copy is the work padded, letter-boxed or flattened), and its 'crop-72' also against the
 * stored 'crop-72' (a watermark or caption near the edge).
 */
export function queryHashes(fp: Fingerprint): (LabelledHash & { against: MatchTarget })[] {
  // A copy kept transparent is matched through its white flatten (and, below, its black one); the grey
  // flatten is stored for copies flattened on a colour, whose own hash is their global one.
  // The black flatten of a transparent copy is its silhouette. It is the picture only when the white
  // flatten shows nothing (a light alpha-only work kept transparent); otherwise two icons drawn on one
  // template (a page, a folder) share it and would match each other.
  const whiteFlattenBlank = isDegenerate({ hash: fp.pdq, quality: fp.pdqQuality });
  const queried = (label: string) =>
    !label.startsWith(ANCHORED_PREFIX) && label !== ALPHA_GREY_LABEL && (label !== ALPHA_BLACK_LABEL || whiteFlattenBlank);
  const pdq = [
    ...fp.variants.map((v) => ({ ...v, against: v.label === 'global' ? ('any' as const) : ('whole' as const) })),
    ...fp.regions.filter((r) => queried(r.label)).map((r) => ({ ...r, against: regionTarget(r.label) })),
  ].filter((h) => !isDegenerate(h));
  // The structure hashes in the 8 orientations meet the structure rows of degenerate works, and only
  // those; a detailed query is no copy of a degenerate work (judgeStructureMatch), so it sends none.
  const structure = (matchedStrictly(fp.pdqQuality) ? (fp.structure ?? []) : [])
    .filter((h) => h.label !== STRUCTURE_BLACK_LABEL)
    .map((h) => ({ ...h, quality: fp.pdqQuality, against: 'structure' as const }));
  return [...pdq, ...structure];
}

function regionTarget(label: string): MatchTarget {
  if (LIGHTNESS_LABELS.includes(label)) return 'lightness';
  // A rung of the query's centred ladder: the copy padded (against 'global'), or cropped around the
  // centre (rung q of a copy cropped to 1 − c meets the work's rung s = q(1 − c)); 'crop-72' also
  // window to window (a watermark or caption near the edges).
  if (label === SAME_WINDOW_LABEL || label.startsWith('crop-')) return 'whole-or-regions';
  // A copy kept transparent of a light alpha-only work is uniform on white: only its black flatten, which
  // the work stored too, has the picture. A copy rotated by a few degrees, turned back upright
  // (api/images/rotation.ts), and the picture inside a screenshot's frame (frame.ts) are the work's whole image too.
  // A copy on a coloured background put back on white (alpha.ts reflattenedOnWhite) too.
  if (label === ALPHA_BLACK_LABEL || label === TURNED_LABEL || label === FRAMED_LABEL || label === ON_WHITE_LABEL) return 'whole';
  // The content inside uniform borders (a sprite's transparent margin flattened, a mat, padding): a copy
  // cropped within that margin, or padded more, has the same content box as the work.
  // The picture on a page under a toolbar (regions.ts pageWindow) is the work, or its content box.
  if (label === 'trimmed' || label === PAGED_LABEL) return 'any';
  // A view anchored to a side or corner of the copy meets the work's window anchored there.
  const view = viewTarget(label);
  if (view) return view;
  // The copy turned back by a fixed angle (rotation.ts fittedViews): the work's centred windows.
  if (label.startsWith(FITTED_PREFIX)) return 'regions';
  // A centred view moved off the copy's centre (regions.ts shiftedWindows): the work's centred windows.
  if (label.startsWith(SHIFT_PREFIX)) return 'regions';
  // A part window meets the work's window of the same part (a logo or sticker over the other end).
  const part = partTarget(label);
  if (part) return part;
  return 'whole-only';
}

/**
 * Hashes a registered work is indexed under: its PDQ hashes but the degenerate ones (see isDegenerate),
 * and, when its whole-image hash is degenerate or noisy, its structure hashes (upright, on white and on black).
 */
export const storedHashes = (fp: Pick<Fingerprint, 'pdq' | 'pdqQuality' | 'regions' | 'structure'>): LabelledHash[] => [
  ...[{ label: 'global', hash: fp.pdq, quality: fp.pdqQuality }, ...fp.regions.filter((r) => isStoredRegion(r.label))].filter(
    (h) => !isDegenerate(h),
  ),
  ...storedStructure(fp),
];

/**
 * Below this PDQ quality (and at or above QUALITY_FLOOR) a work's hash is noisy: it carries the picture,
 * but a plain re-save moves it 16–38 bits, past the strict threshold (QUALITY_FLOOR's measurements), so
 * the work is stored under its structure hashes too. Measured on the tuning part (docs/matching.md).
 */
export const NOISY_QUALITY = 8;

/** The structure hashes a work is indexed under: only when its PDQ hash carries no picture, or a noisy one. */
export function storedStructure(fp: Pick<Fingerprint, 'pdq' | 'pdqQuality' | 'structure'>): LabelledHash[] {
  if (fp.pdqQuality >= NOISY_QUALITY && !isDegenerate({ hash: fp.pdq, quality: fp.pdqQuality })) return [];
  return (fp.structure ?? [])
    .filter((h) => h.label === STRUCTURE_LABEL || h.label === STRUCTURE_BLACK_LABEL)
    .map((h) => ({ ...h, quality: fp.pdqQuality }));
}

const STORED_CROP_LABELS = STORED_CROP_SCALES.map((s) => `crop-${Math.round(s * 100)}`);
/** The query hashes the whole centred ladder and its anchored views; a work keeps a few rungs. */
const isStoredRegion = (label: string) =>
  !label.startsWith(VIEW_PREFIX) &&
  label !== TURNED_LABEL &&
  !label.startsWith(FITTED_PREFIX) &&
  !label.startsWith(SHIFT_PREFIX) &&
  label !== FRAMED_LABEL &&
  label !== PAGED_LABEL &&
  label !== ON_WHITE_LABEL &&
  (!label.startsWith('crop-') || STORED_CROP_LABELS.includes(label));

/**
 * The local-feature check (local-features.ts) looks at candidates up to this many bits from the query
 * when PDQ accepted none: a sticker, a small rotation cropped to fit, a social re-post's crop or a
 * screenshot moves the hash 32–60 bits while the picture is still there (docs/matching.md).
 */
export const LOCAL_CHECK_REACH = 64;
/** At most this many candidates are checked (nearest first): each costs ~40 ms of CPU. */
export const LOCAL_CHECKS = 3;

/** What the local-feature check found for a match it confirmed. */
export interface LocalFeatureEvidence {
  /** What lined the pictures up: keypoint pairs, or (a picture with no usable keypoints) the pictures' correlation as a whole. */
  alignedBy: 'keypoints' | 'correlation';
  inliers: number;
  agreement: number;
  coverage: number;
  /** How far the copy is turned relative to the work, degrees, clockwise as seen on screen. */
  rotation: number;
  scale: number;
}

export interface MatchJudgement {
  accepted: boolean;
  kind: 'exact' | 'same' | 'similar';
  similarity: number;
  strict: boolean;
  /** The largest distance that counts as a match for this pair of hashes (stricter for low-detail images). */
  maxDistance: number;
  /** The same design in other colours (api/images/colour-layout.ts): similar, never the same image. */
  colourway: boolean;
  note?: string;
  /** Set when the match was confirmed by the local-feature check rather than by the PDQ threshold. */
  localFeatures?: LocalFeatureEvidence;
  /** Set when the match was found by the structure hash of a work whose PDQ hash is degenerate. */
  structure?: true;
}

export const NEAR_MISS_NOTE = 'a similar registered work, not the same image';
export const COLOURWAY_NOTE = 'the same design in other colours (a colourway): a similar work, not the same image';

/**
 * The PDQ qualities the rule is judged on: those of the two hashes that matched. The index keeps no
 * quality per stored row, so a stored region is taken to be as detailed as the query hash that found
 * it; the stored 'global' has the work's own quality.
 */
export function matchedQualities(
  m: { queryLabel: string; storedLabel: string },
  query: Pick<Fingerprint, 'pdqQuality' | 'variants' | 'regions'>,
  workQuality: number,
): { queryQuality: number; workQuality: number } {
  const queryQuality = [...query.variants, ...query.regions].find((h) => h.label === m.queryLabel)?.quality ?? query.pdqQuality;
  return { queryQuality, workQuality: m.storedLabel === 'global' || m.storedLabel === 'sha256' ? workQuality : queryQuality };
}

/** A query hash of the copy rotated by quarter turns or mirrored: its grids are turned against the work's. */
const isTurnedLabel = (label: string) => {
  const orientation = isStructureLabel(label) ? structureOrientation(label) : label;
  return orientation !== 'global' && (DIHEDRAL_LABELS as readonly string[]).includes(orientation);
};

/** Query and stored labels of hashes of the whole frame, upright: their tone layouts cover the same cells. */
const FRAME_QUERY_LABELS: readonly string[] = ['global', ...LIGHTNESS_LABELS];
const FRAME_STORED_LABELS: readonly string[] = ['global', ALPHA_BLACK_LABEL, ALPHA_GREY_LABEL, ...LIGHTNESS_LABELS];

/**
 * Whether the tone layouts decide this match: one side has hues and the other none (a greyscale copy, or
 * the design drawn in greys), and the two frames coincide (the hashes that matched are of the whole
 * upright pictures, or of the same window of each).
 */
export function tonesDecide(
  m: { exact: boolean; queryLabel: string; storedLabel: string },
  queryLayout: string | undefined | null,
  workLayout: string | undefined | null,
): boolean {
  return !m.exact && framesCoincide(m) && colourOnOneSideOnly(queryLayout, workLayout);
}

/**
 * The hashes that matched are of the whole upright pictures, or of the same window of each: the copy's
 * tone layout (of its whole picture) and the work's cover the same cells. A framed, padded, cropped or
 * turned copy's cells hold other parts of the picture, or its border.
 */
const framesCoincide = (m: { queryLabel: string; storedLabel: string }): boolean =>
  (FRAME_QUERY_LABELS.includes(m.queryLabel) && FRAME_STORED_LABELS.includes(m.storedLabel)) ||
  (m.queryLabel === m.storedLabel && !isTurnedLabel(m.queryLabel));

/**
 * Whether a match is the same design in other colours (api/images/colour-layout.ts). A copy that
 * matched through a rotated or mirrored variant has its colour grid turned too, so every orientation
 * is tried before calling it a colourway. When only one side has hues, its greys decide
 * (api/images/tone-layout.ts): a greyscale copy keeps its work's greys, a grey colourway does not.
 */
export function isColourwayMatch(
  m: { exact: boolean; queryLabel: string; storedLabel?: string },
  queryLayout: string | undefined | null,
  workLayout: string | undefined | null,
  tones?: { query?: ToneLayout | undefined; work?: ToneLayout | undefined },
): boolean {
  if (m.exact) return false;
  if (isColourway(queryLayout, workLayout, { anyOrientation: isTurnedLabel(m.queryLabel) })) return true;
  if (!tones?.query || !tones.work || m.storedLabel === undefined) return false;
  return tonesDecide({ ...m, storedLabel: m.storedLabel }, queryLayout, workLayout) && tonesDiffer(tones.query, tones.work) === true;
}

/**
 * Whether a match is a colourway whichever way the work's colours are seen: as registered (on white)
 * and, for a transparent work, on the copy's border colour. What a copy was flattened on is a guess from
 * its border, which may be the picture's own edge (a frame's gold), so a match is a colourway only
 * when its colours differ both ways.
 */
export function isColourwayEitherWay(
  m: { exact: boolean; queryLabel: string; storedLabel?: string },
  queryLayout: string | undefined | null,
  workLayouts: readonly (string | undefined | null)[],
  tones?: { query?: ToneLayout | undefined; work?: ToneLayout | undefined },
): boolean {
  return workLayouts.every((layout) => isColourwayMatch(m, queryLayout, layout, tones));
}

/**
 * Whether a copy's uniform border colour (what it was flattened or padded on) changes how a transparent
 * work's colours look: any colour but white, on which the work's stored layout was taken.
 */
export const coloursOnBackground = (background: readonly number[]): boolean => !background.every((c) => c >= 245);

/**
 * Whether a match's colours are compared with the work as it looks on the copy's background. Not a
 * structure match: it sees light and dark only, and two see-through glows on one colour take that colour
 * whatever their own, so its colours are judged as registered (on white).
 */
export const judgedOnBackground = (m: { storedLabel: string }): boolean => !isStructureLabel(m.storedLabel);

/** Candidates within this many bits of the nearest are ranked by how alike they look, not by distance. */
export const LIKENESS_MARGIN = 8;
/** At most this many: each costs a thumbnail decode, and more than a few works that close is not one design's colours. */
export const LIKENESS_RANKED = 8;

/**
 * How unlike a work a copy looks (lower is more alike): the mean difference of their greys over the
 * windows whose hashes matched (windowGreys), and of their hues when the copy has any (the work's
 * colours as registered or on the copy's border colour, whichever are nearer). Two works one
 * design apart (a frame in gold and in silver) hash a few bits apart, so a copy's distance to each is
 * noise; its greys and hues are not. Greys are compared window to window: a copy with a white border,
 * or inside a screenshot, is lighter as a whole than the work it shows. Undefined when either window
 * is unknown (a turned copy's cells lie elsewhere).
 */
export function unlikeness(
  query: Pick<Fingerprint, 'working' | 'windows' | 'colourLayout'>,
  m: { queryLabel: string; storedLabel: string },
  work: { grey: GreyPlane; colourLayouts: readonly (string | undefined | null)[] },
): number | undefined {
  const queryWindow = query.working && matchedWindow(m.queryLabel, query.working, query.windows ?? {});
  const workWindow = matchedWindow(m.storedLabel, work.grey);
  if (!query.working || !queryWindow || !workWindow) return undefined;
  // The work's colours seen the way they agree best with the copy's (isColourwayEitherWay).
  const hues =
    colouredCells(query.colourLayout) > 0 ? Math.min(...work.colourLayouts.map((layout) => chromaDistance(query.colourLayout, layout))) : 0;
  return greyDistance(windowGreys(query.working, queryWindow), windowGreys(work.grey, workWindow)) + hues;
}

/** Hashes of the whole picture, as registered or flattened: their window is the whole plane. */
const WHOLE_PICTURE_LABELS: readonly string[] = ['global', ALPHA_BLACK_LABEL, ALPHA_GREY_LABEL, ON_WHITE_LABEL, ...LIGHTNESS_LABELS];

/**
 * The window of a picture's working plane a hash of it was taken of: the whole plane for the whole
 * picture's hashes, the window `recorded` with the fingerprint (a query's crop ladder, views, trimmed,
 * framed and page windows), or, for a work's stored windows, the same window computed again on its
 * thumbnail's plane. Undefined for a turned hash (its cells lie elsewhere) and a structure hash.
 */
export function matchedWindow(label: string, plane: GreyPlane, recorded?: Readonly<Record<string, Window>>): Window | undefined {
  const { width, height } = plane;
  if (WHOLE_PICTURE_LABELS.includes(label)) return { label, x: 0, y: 0, width, height };
  if (recorded) return recorded[label];
  if (label === 'trimmed') return contentWindow(Float32Array.from(plane.data), width, height);
  return [...cropWindows(width, height), ...anchoredWindows(width, height), ...partWindows(width, height)].find((w) => w.label === label);
}

type OrderView = {
  distance: number;
  colourway: boolean;
  queryLabel: string;
  /** Found by the structure hash of a degenerate work (judgeStructureMatch). */
  structure?: boolean | undefined;
  unlikeness?: number | undefined;
};

/**
 * The accepted copies (not colourways) orderMatches ranks by unlikeness: those within LIKENESS_MARGIN
 * bits of the nearest, when there are 2 to LIKENESS_RANKED of them and the copy is not turned; else
 * none (the distance order stands). Callers read these works' thumbnails, and only these.
 */
export function closeCopies<T>(matches: readonly T[], view: (m: T) => OrderView): T[] {
  const copies = matches.filter((m) => !view(m).colourway);
  const nearest = Math.min(...copies.map((m) => view(m).distance));
  const close = copies.filter((m) => view(m).distance <= nearest + LIKENESS_MARGIN);
  const rankable = close.length > 1 && close.length <= LIKENESS_RANKED && !close.some((m) => isTurnedLabel(view(m).queryLabel));
  return rankable ? close : [];
}

/**
 * Accepted matches in the order they are reported: the works the image is a copy of before colourways;
 * among those, the close copies (closeCopies) by unlikeness when it is known for all of them, then the
 * rest by distance. Structure matches stand only when PDQ matched nothing: an image whose hash found a
 * work is not reported as a low-detail work that merely shares its layout of light and dark.
 */
export function orderMatches<T>(matches: readonly T[], view: (m: T) => OrderView): T[] {
  // Structure matches at equal distance: the upright reading first (a symmetric glow and its mirror
  // image both read 0 bits; a re-save is likelier than a mirror image). PDQ ties keep the index's order.
  const turned = (m: T) => (view(m).structure && isTurnedLabel(view(m).queryLabel) ? 1 : 0);
  const byDistance = (a: T, b: T) => view(a).distance - view(b).distance || turned(a) - turned(b);
  const byHash = matches.filter((m) => !view(m).structure);
  const reported = byHash.length > 0 ? byHash : matches;
  const copies = reported.filter((m) => !view(m).colourway).sort(byDistance);
  const colourways = reported.filter((m) => view(m).colourway).sort(byDistance);
  const close = closeCopies(copies, view);
  if (close.length === 0 || close.some((m) => view(m).unlikeness === undefined)) return [...copies, ...colourways];
  const ranked = [...close].sort((a, b) => view(a).unlikeness! - view(b).unlikeness! || byDistance(a, b));
  return [...ranked, ...copies.slice(close.length), ...colourways];
}

export function judgeMatch(
  m: { distance: number; exact: boolean; storedLabel?: string },
  queryQuality: number,
  workQuality: number,
  colourway = false,
): MatchJudgement {
  const similarity = Math.round((1 - m.distance / 256) * 1000) / 1000;
  const strict = matchedStrictly(Math.min(queryQuality, workQuality));
  const maxDistance = strict ? LOW_QUALITY_DISTANCE : MATCH_DISTANCE;
  if (m.exact) return { accepted: true, kind: 'exact', similarity: 1, strict: false, maxDistance, colourway: false };
  if (m.storedLabel !== undefined && isStructureLabel(m.storedLabel)) return judgeStructureMatch(m, queryQuality, colourway);
  // Rows indexed before degenerate hashes were left out (migration 0011 deletes the unbalanced ones).
  const degenerate = Math.min(queryQuality, workQuality) < QUALITY_FLOOR;
  // A colourway's luma moves with its colours, so the low-detail threshold is not applied to it; but
  // past MATCH_DISTANCE (candidates reach LOCAL_CHECK_REACH for the local-feature check) it is no match.
  if (colourway) {
    const accepted = !degenerate && m.distance <= MATCH_DISTANCE;
    return { accepted, kind: 'similar', similarity, strict: false, maxDistance: MATCH_DISTANCE, colourway: true, note: COLOURWAY_NOTE };
  }
  const kind = m.distance <= SAME_DISTANCE ? 'same' : 'similar';
  return {
    accepted: !degenerate && m.distance <= maxDistance,
    kind,
    similarity,
    strict,
    maxDistance,
    colourway: false,
    ...(strict
      ? { note: `low-detail image (PDQ quality below ${LOW_QUALITY}): a stricter threshold of ${LOW_QUALITY_DISTANCE} bits applies` }
      : {}),
  };
}

/**
 * A structure hash (api/images/structure.ts) within this many bits is the same layout of light and dark:
 * measured on the tuning part, copies of the degenerate works lie 0–5 bits from them under every
 * frame-keeping edit, and the nearest other work 18–52 bits (docs/matching.md).
 */
export const STRUCTURE_DISTANCE = 8;
export const STRUCTURE_NOTE =
  'a low-detail work whose PDQ hash carries no picture, matched by its layout of light and dark: similar, not proven the same image';

/**
 * A copy of a degenerate work, matched by structure: accepted as 'similar' (never 'same': the structure
 * hash sees 64 cells, not the picture) when the copy is low-detail too (a detailed image whose light
 * and dark happen to lie the same way is not a copy of a gradient), and never a priority conflict.
 */
function judgeStructureMatch(m: { distance: number }, queryQuality: number, colourway: boolean): MatchJudgement {
  const similarity = Math.round((1 - m.distance / 256) * 1000) / 1000;
  return {
    accepted: m.distance <= STRUCTURE_DISTANCE && matchedStrictly(queryQuality),
    kind: 'similar',
    similarity,
    strict: true,
    maxDistance: STRUCTURE_DISTANCE,
    colourway,
    note: colourway ? COLOURWAY_NOTE : STRUCTURE_NOTE,
    structure: true,
  };
}

/**
 * Whether an accepted match stands against a new registration (the priority check): not a colourway,
 * nor a match the local-feature check or the structure hash found — those say "similar", which is no
 * ground to refuse another artist's work.
 */
export const blocksRegistration = (judgement: MatchJudgement): boolean =>
  judgement.accepted && !judgement.colourway && !judgement.localFeatures && !judgement.structure;

export const LOCAL_FEATURES_NOTE =
  'the same picture, found by its local features: cropped, turned, framed or partly covered, so its hash alone is past the threshold';

/**
 * Works the local-feature check confirmed, strongest evidence first: those whose keypoints agree on one
 * map before those aligned as a whole (two many-pointed stars, alike at a thumbnail's scale, line up as
 * well as one star with itself), each kept in the order given (nearest first).
 */
export function strongestLocalFirst<T>(confirmed: T[], alignedBy: (m: T) => LocalFeatureEvidence['alignedBy']): T[] {
  const rank = (m: T) => (alignedBy(m) === 'keypoints' ? 0 : 1);
  return [...confirmed].sort((a, b) => rank(a) - rank(b));
}

/**
 * A candidate past the PDQ rule that the local-feature check confirmed: accepted as 'similar' (the copy
 * is changed beyond what PDQ calls the same image), or as a colourway. Never from a degenerate hash.
 */
export function judgeLocalMatch(m: { distance: number }, evidence: LocalFeatureEvidence, colourway: boolean): MatchJudgement {
  const similarity = Math.round((1 - m.distance / 256) * 1000) / 1000;
  return {
    accepted: true,
    kind: 'similar',
    similarity,
    strict: false,
    maxDistance: LOCAL_CHECK_REACH,
    colourway,
    note: colourway ? COLOURWAY_NOTE : LOCAL_FEATURES_NOTE,
    localFeatures: evidence,
  };
}

/**
 * How the copy was turned, named by the query variant that matched (the variant undoes the copy's
 * transform): a copy turned 90° clockwise matches through 'rot90', a left-right mirror through 'flipy'.
 * Checked against real transformed images in tests/images/robustness.test.ts.
 */
const LABELS: Record<string, string> = {
  global: '',
  rot90: 'rotated 90° clockwise',
  rot180: 'rotated 180°',
  rot270: 'rotated 90° counter-clockwise',
  flipx: 'mirrored top to bottom',
  flipy: 'mirrored left to right',
  'flip-plus1': 'mirrored along the diagonal from top left to bottom right',
  'flip-minus1': 'mirrored along the diagonal from top right to bottom left',
};

/** What a region hash says about the copy, seen from the query side and from the stored side. */
function regionChange(label: string, side: 'query' | 'stored'): string | undefined {
  if (LIGHTNESS_LABELS.includes(label)) return 'colours or brightness changed';
  if (label === 'trimmed') return side === 'query' ? 'letter-boxed or framed' : 'borders trimmed';
  if (label.startsWith('alpha-')) return 'transparency flattened';
  if (label === ON_WHITE_LABEL) return 'transparency flattened on a colour';
  if (label.startsWith('crop-')) return side === 'query' ? 'padded or letter-boxed' : 'cropped';
  if (label.startsWith(ANCHORED_PREFIX) || label.startsWith(VIEW_PREFIX)) return 'cropped on one side or at a corner';
  if (label.startsWith(PART_PREFIX)) return 'covered in part (a logo, sticker or caption)';
  if (label === TURNED_LABEL) return 'rotated by a few degrees';
  if (label.startsWith(FITTED_PREFIX)) return 'rotated by a few degrees and cropped to fit';
  if (label.startsWith(SHIFT_PREFIX)) return 'cropped unevenly';
  if (label === FRAMED_LABEL) return 'shown inside a frame (a screenshot)';
  if (label === PAGED_LABEL) return 'shown on a page under a toolbar (a screenshot)';
  return undefined;
}

/** A plain-language description of how the copy differs from the registered image. */
export function describeTransform(
  m: { exact: boolean; distance: number; queryLabel: string; storedLabel: string },
  local?: LocalFeatureEvidence,
): string {
  if (m.exact) return 'identical file';
  if (local) return describeLocalMatch(local);
  if (isStructureLabel(m.storedLabel)) return describeStructureMatch(m);
  const parts: string[] = [];
  const rotation = LABELS[m.queryLabel];
  if (rotation) parts.push(rotation);
  if (m.queryLabel === m.storedLabel && m.queryLabel.startsWith('crop-')) {
    parts.push('changed near its edges (a watermark, caption or frame)');
  } else {
    const fromQuery = rotation === undefined ? regionChange(m.queryLabel, 'query') : undefined;
    const fromStored = regionChange(m.storedLabel, 'stored');
    for (const change of [fromQuery, fromStored]) if (change && !parts.includes(change)) parts.push(change);
  }
  if (m.distance > 0) parts.push('re-encoded or resized');
  return parts.length ? parts.join(', ') : 'a different file of the same picture (re-encoded, resized or with other metadata)';
}

/** What a structure match says: the layout agrees, in some orientation, on white or on black. */
function describeStructureMatch(m: { queryLabel: string; storedLabel: string }): string {
  const parts = ['the same layout of light and dark (a low-detail picture)'];
  const rotation = LABELS[structureOrientation(m.queryLabel)];
  if (rotation) parts.push(rotation);
  if (m.storedLabel === STRUCTURE_BLACK_LABEL) parts.push('transparency flattened');
  return parts.join(', ');
}

/** What the local-feature check's fitted map says about the copy. */
function describeLocalMatch(local: LocalFeatureEvidence): string {
  const parts: string[] = [];
  if (Math.abs(local.rotation) >= 0.5)
    parts.push(`rotated ${Math.abs(local.rotation).toFixed(1)}° ${local.rotation > 0 ? 'clockwise' : 'counter-clockwise'}`);
  if (local.coverage < 0.97) parts.push(`cropped (${Math.round(local.coverage * 100)} % of the picture shown)`);
  if (local.agreement < 0.97) parts.push('partly covered or changed (a sticker, logo, caption or frame)');
  parts.push('re-encoded or resized');
  return parts.join(', ');
}
