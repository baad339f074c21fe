import { isStructureLabel } from '../images/structure.ts';

/**
 * Which stored hashes a query hash is compared with. Stored rows carry a label class (a generated
 * column, migrations 0006 and 0008) ordered so that every allowed set is one contiguous range: the slot
 * btrees are keyed on (slot, label_class), so a restricted probe is a single index range scan that never
 * reads the rows it may not match.
 *
 *   0 'lightness'    the whole image hashed on CIE lightness instead of PDQ's luma (colour-robust), and
 *     'lightness-clipped' the same with its brightest 30 % flattened (robust to clipped highlights)
 *   1 'global'       the whole registered image
 *   2 'alpha-black'  the whole image flattened on black (a whole image and a region at once)
 *   3 'crop-72'      the centred 72 % window, also compared window to window (SAME_WINDOW_LABEL)
 *   4 any other      a region: 'crop-96' … 'crop-69', 'trimmed'
 */
/** Whole-image hashes taken on CIE lightness (api/images/lightness.ts); they share label class 0. */
export const LIGHTNESS_LABELS: readonly string[] = ['lightness', 'lightness-clipped'];

export const LABEL_CLASS = {
  lightness: 0,
  global: 1,
  alphaBlack: 2,
  sameWindow: 3,
  region: 4,
  firstEdge: 5,
  lastEdge: 12,
  structure: 13,
  firstPart: 14,
} as const;

/**
 *   5–12 the side and corner windows 'edge-l85' … 'edge-br85' (migration 0013), one class each, so the
 *        query's view anchored at the same side or corner ('view-l94' …) reads only that window's rows.
 */
export const EDGE_ANCHORS = ['l', 'r', 't', 'b', 'tl', 'tr', 'bl', 'br'] as const;
const EDGE_LABEL = /^edge-(l|r|t|b|tl|tr|bl|br)85$/;
const VIEW_LABEL = /^view-(l|r|t|b|tl|tr|bl|br)\d+$/;
/**
 *   13   the structure hashes of works whose PDQ hash is degenerate or noisy ('structure', 'structure-black',
 *        api/images/structure.ts, migration 0020): compared only with the query's structure hashes, never
 *        with a PDQ hash (the 'any' range ends at 12). The lookup keeps a work's best pair in this class
 *        apart from its best PDQ pair (migration 0021).
 */
/**
 *   14–17 the part windows 'part-l62' … 'part-b62' (api/images/regions.ts partWindows, migration 0022),
 *        one class each, outside the 'any' range: only the query's own window of the same part reads them.
 */
export const PART_ANCHORS = ['l', 'r', 't', 'b'] as const;
const PART_LABEL = /^part-(l|r|t|b)\d+$/;
const partClass = (anchor: string) => LABEL_CLASS.firstPart + PART_ANCHORS.indexOf(anchor as (typeof PART_ANCHORS)[number]);

const edgeClass = (anchor: string) => LABEL_CLASS.firstEdge + EDGE_ANCHORS.indexOf(anchor as (typeof EDGE_ANCHORS)[number]);

/**
 * The region compared with the same region of a work: a copy with a watermark, caption or logo near an
 * edge differs from the work in its whole image and in every large window, but not in a centred window
 * that leaves the edges out (measured: 34–70 bits apart globally, 0–8 bits in this window).
 */
export const SAME_WINDOW_LABEL = 'crop-72';

/** A transparent image flattened on black (its main hash is flattened on white). */
export const ALPHA_BLACK_LABEL = 'alpha-black';
/** A transparent work flattened on mid-grey (stored as another region, class 4: a copy on a colour matches it through its global hash). */
export const ALPHA_GREY_LABEL = 'alpha-grey';

/**
 * - 'whole': stored 'global' and 'alpha-black' (a rotated, flipped or re-encoded copy of the whole image);
 * - 'regions': every stored row but 'global' and the lightness hashes (the copy is a crop of the work);
 * - 'whole-only': stored 'global' only (the copy is a padded, letter-boxed or flattened work);
 * - 'lightness': stored lightness hashes and 'global' (a copy whose colours or brightness changed, hashed on
 *   lightness; 'global' too because a work whose lightness hash equalled its global hash stored only one);
 * - 'whole-or-same-window': stored 'global', 'alpha-black' and 'crop-72' (the query's 'crop-72': a
 *   padded copy, or a watermarked one compared window to window);
 * - 'whole-or-regions': every stored row but the lightness hashes (a rung of the query's centred ladder:
 *   a padded copy against 'global', a centred crop against the work's centred windows);
 * - 'edge-l' … 'edge-br': the work's window anchored at that side or corner (a view of the query
 *   anchored there: the copy was cropped on the opposite side);
 * - 'structure': the stored structure hashes (a query's structure hash, and nothing else);
 * - 'any': every stored PDQ row (the default).
 */
export const MATCH_TARGETS = [
  'any',
  'whole',
  'regions',
  'whole-only',
  'lightness',
  'whole-or-same-window',
  'whole-or-regions',
  ...EDGE_ANCHORS.map((a) => `edge-${a}` as const),
  'structure',
  ...PART_ANCHORS.map((a) => `part-${a}` as const),
] as const;
export type MatchTarget = (typeof MATCH_TARGETS)[number];

export interface ClassRange {
  lo: number;
  hi: number;
}

const RANGES: Record<MatchTarget, ClassRange> = {
  ...(Object.fromEntries(EDGE_ANCHORS.map((a) => [`edge-${a}`, { lo: edgeClass(a), hi: edgeClass(a) }])) as Record<
    `edge-${(typeof EDGE_ANCHORS)[number]}`,
    ClassRange
  >),
  any: { lo: LABEL_CLASS.lightness, hi: LABEL_CLASS.lastEdge },
  whole: { lo: LABEL_CLASS.global, hi: LABEL_CLASS.alphaBlack },
  regions: { lo: LABEL_CLASS.alphaBlack, hi: LABEL_CLASS.region },
  'whole-only': { lo: LABEL_CLASS.global, hi: LABEL_CLASS.global },
  lightness: { lo: LABEL_CLASS.lightness, hi: LABEL_CLASS.global },
  'whole-or-same-window': { lo: LABEL_CLASS.global, hi: LABEL_CLASS.sameWindow },
  'whole-or-regions': { lo: LABEL_CLASS.global, hi: LABEL_CLASS.region },
  structure: { lo: LABEL_CLASS.structure, hi: LABEL_CLASS.structure },
  ...(Object.fromEntries(PART_ANCHORS.map((a) => [`part-${a}`, { lo: partClass(a), hi: partClass(a) }])) as Record<
    `part-${(typeof PART_ANCHORS)[number]}`,
    ClassRange
  >),
};

export function classRange(target: MatchTarget): ClassRange {
  return RANGES[target];
}

/**
 * The union of two targets' ranges (used when two query hashes are identical and kept once). The
 * ranges of the classes 0–4 overlap or touch, so their union is exact; two views of a symmetric image
 * can be identical and ask for two edge classes apart, and then get the range covering both (a few more
 * rows compared, never fewer).
 */
export function unionRange(a: ClassRange, b: ClassRange): ClassRange {
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

/** The class of a stored label: the TypeScript twin of the generated column's CASE (migration 0008). */
export function storedLabelClass(label: string): number {
  if (LIGHTNESS_LABELS.includes(label)) return LABEL_CLASS.lightness;
  if (label === 'global') return LABEL_CLASS.global;
  if (label === 'alpha-black') return LABEL_CLASS.alphaBlack;
  if (label === SAME_WINDOW_LABEL) return LABEL_CLASS.sameWindow;
  if (isStructureLabel(label)) return LABEL_CLASS.structure;
  const edge = EDGE_LABEL.exec(label);
  if (edge) return edgeClass(edge[1]!);
  const part = PART_LABEL.exec(label);
  if (part) return partClass(part[1]!);
  return LABEL_CLASS.region;
}

/** The target of a query's part window ('part-l62' → 'part-l'): the work's window of the same part. */
export function partTarget(label: string): MatchTarget | undefined {
  const part = PART_LABEL.exec(label);
  return part ? (`part-${part[1]}` as MatchTarget) : undefined;
}

/** The target of a query's anchored view ('view-tl94' → 'edge-tl'). */
export function viewTarget(label: string): MatchTarget | undefined {
  const view = VIEW_LABEL.exec(label);
  return view ? (`edge-${view[1]}` as MatchTarget) : undefined;
}

export function rangeAllows(range: ClassRange, storedLabel: string): boolean {
  const cls = storedLabelClass(storedLabel);
  return cls >= range.lo && cls <= range.hi;
}
