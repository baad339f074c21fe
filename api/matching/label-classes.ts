/**
 * Which stored hashes a query hash is compared with. Stored rows carry a label class (a generated
 * column, migration 0006) ordered so that every allowed set is one contiguous range: the slot btrees
 * are keyed on (slot, label_class), so a restricted probe is a single index range scan that never
 * reads the rows it may not match.
 *
 *   0 'global'       the whole registered image
 *   1 'alpha-black'  the whole image flattened on black (a whole image and a region at once)
 *   2 any other      a region: 'crop-96' … 'crop-69', 'trimmed'
 */
export const LABEL_CLASS = { global: 0, alphaBlack: 1, region: 2 } as const;

/**
 * - 'whole': stored 'global' and 'alpha-black' (a rotated, flipped or re-encoded copy of the whole image);
 * - 'regions': every stored row but 'global' (the copy is a crop of the work);
 * - 'whole-only': stored 'global' only (the copy is a padded, letter-boxed or flattened work);
 * - 'any': every stored row (the default).
 */
export const MATCH_TARGETS = ['any', 'whole', 'regions', 'whole-only'] as const;
export type MatchTarget = (typeof MATCH_TARGETS)[number];

export interface ClassRange {
  lo: number;
  hi: number;
}

const RANGES: Record<MatchTarget, ClassRange> = {
  any: { lo: LABEL_CLASS.global, hi: LABEL_CLASS.region },
  whole: { lo: LABEL_CLASS.global, hi: LABEL_CLASS.alphaBlack },
  regions: { lo: LABEL_CLASS.alphaBlack, hi: LABEL_CLASS.region },
  'whole-only': { lo: LABEL_CLASS.global, hi: LABEL_CLASS.global },
};

export function classRange(target: MatchTarget): ClassRange {
  return RANGES[target];
}

/**
 * The union of two targets' ranges. Every pair of ranges above overlaps or touches, so the union is
 * again one range (used when two query hashes are identical and kept once).
 */
export function unionRange(a: ClassRange, b: ClassRange): ClassRange {
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

/** The class of a stored label: the TypeScript twin of the generated column's CASE (migration 0006). */
export function storedLabelClass(label: string): number {
  if (label === 'global') return LABEL_CLASS.global;
  if (label === 'alpha-black') return LABEL_CLASS.alphaBlack;
  return LABEL_CLASS.region;
}

export function rangeAllows(range: ClassRange, storedLabel: string): boolean {
  const cls = storedLabelClass(storedLabel);
  return cls >= range.lo && cls <= range.hi;
}
