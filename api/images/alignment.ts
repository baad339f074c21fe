/**
 * Dense alignment, for pictures keypoints cannot anchor: stars and line art whose corners all look
 * alike, small icons, smooth wallpapers with no corners at all. The uniform scale and shift that lay a
 * work over a query best are searched by normalised correlation of the two grey planes, coarse to fine
 * (query planes of COARSE to FINEST px), over the copies a re-post makes: crops, pads, borders, a
 * picture inside a screenshot. Rotation is not searched. How distinct the alignment is says whether it
 * means anything: a smooth wallpaper lines up nearly as well anywhere. Pure: grey planes in, a map out.
 */
import type { Affine, GreyPlane } from './keypoints.ts';

export interface DenseAlignment {
  /** Takes query coordinates to work coordinates (as keypoints.ts fitAffine's maps do). */
  matrix: Affine;
  /** Normalised correlation of the two pictures where they overlap, at the finest level. */
  correlation: number;
  /**
   * How much less the pictures correlate a little off the alignment found (PEAK_OFFSET of the query's
   * side either way, or that much larger or smaller): a smooth gradient lines up nearly as well anywhere,
   * so its alignment, and what agrees under it, prove little.
   */
  distinctness: number;
}

/** The query's longer side at the coarsest level, searched over every scale and shift. */
const COARSE = 24;
/**
 * The finer levels: the query's longer side, how many scale steps either side of a hypothesis and how
 * many pixels either way are searched, and how many hypotheses go on to the next level.
 */
const REFINEMENTS = [
  { side: 48, steps: 2, pixels: 2, kept: 3 },
  { side: 96, steps: 1, pixels: 1, kept: 2 },
  { side: 128, steps: 1, pixels: 1, kept: 1 },
];
const FINEST = REFINEMENTS[REFINEMENTS.length - 1]!.side;
/** Scales searched at the coarsest level, relative to the query showing the whole work: 0.55 is a crop keeping ~55 % of each side, 1.7 a picture filling ~60 % of a screenshot's width. */
const MIN_SCALE = 0.55;
const MAX_SCALE = 1.7;
const SCALE_STEP = 1.04;
/** Measured on bench-local-features.ts pairs: line art 0.77 at the coarsest level reached 0.94–0.96 once refined; nothing under 0.66 passed 0.57. */
const COARSE_MARGIN = 0.2;
/** Hypotheses carried from the coarsest level to the finer ones. */
const HYPOTHESES = 4;
/** The overlap must cover this share of the work and of the query: a detail is not the picture. */
const MIN_WORK_SHARE = 0.5;
const MIN_QUERY_SHARE = 0.3;

interface Hypothesis {
  /** Work pixels per query pixel. */
  scale: number;
  /** Work position of the query's origin, in work pixels. */
  x: number;
  y: number;
  correlation: number;
}

/**
 * The alignment of `work` over `query` that correlates best, or undefined when none correlates at least
 * `atLeast` (judged first at the coarsest level, with COARSE_MARGIN to spare: on a plane that coarse a
 * thin line half a pixel off correlates less than it will once refined).
 */
export function alignDensely(query: GreyPlane, work: GreyPlane, atLeast = 0): DenseAlignment | undefined {
  const queryIntegral = integralOf(query);
  const workIntegral = integralOf(work);
  const fit = Math.sqrt((work.width * work.height) / (query.width * query.height));
  let hypotheses = coarseSearch(queryIntegral, workIntegral, fit).filter((h) => h.correlation >= atLeast - COARSE_MARGIN);
  for (const refinement of REFINEMENTS) {
    const refined = hypotheses.map((h) => refine(queryIntegral, workIntegral, refinement, h));
    hypotheses = strongest(refined.filter((h) => h !== undefined)).slice(0, refinement.kept);
  }
  const best = hypotheses[0];
  if (!best || best.correlation < atLeast) return undefined;
  const { scale, x, y, correlation } = best;
  // Positions are of pixel edges; the maps of keypoints.ts take pixel centres.
  const centre = (scale - 1) / 2;
  return {
    matrix: [scale, 0, x + centre, 0, scale, y + centre],
    correlation,
    distinctness: distinctness(queryIntegral, workIntegral, best),
  };
}

const PEAK_OFFSET = 0.04;

function distinctness(query: Integral, work: Integral, best: Hypothesis): number {
  const level = FINEST;
  const queryFactor = Math.max(query.width, query.height) / level;
  const offset = PEAK_OFFSET * level;
  let nearest = -1;
  for (const scale of [best.scale / (1 + PEAK_OFFSET), best.scale, best.scale * (1 + PEAK_OFFSET)]) {
    const q = resample(query, queryFactor);
    const w = resample(work, queryFactor * scale);
    const workPixel = queryFactor * scale;
    // Scaled about the query's centre, so that a scale alone moves the edges, not the middle.
    const cx = best.x + (best.scale - scale) * (query.width / 2);
    const cy = best.y + (best.scale - scale) * (query.height / 2);
    for (const [ox, oy] of [
      [0, 0],
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ] as const) {
      if (scale === best.scale && ox === 0 && oy === 0) continue;
      const dx = Math.round(cx / workPixel + ox * offset);
      const dy = Math.round(cy / workPixel + oy * offset);
      nearest = Math.max(nearest, correlateAt(q, w, dx, dy, true) ?? -1);
    }
  }
  return best.correlation - nearest;
}

function coarseSearch(query: Integral, work: Integral, fit: number): Hypothesis[] {
  const level = COARSE;
  const found: Hypothesis[] = [];
  for (let scale = fit * MIN_SCALE; scale <= fit * MAX_SCALE; scale *= SCALE_STEP) {
    found.push(...searchShifts(query, work, level, scale, undefined));
  }
  return strongest(found);
}

/** The best scale and shift near `h` on a finer level; a scale step moves the query's edge by ~1.3 of its pixels. */
function refine(query: Integral, work: Integral, refinement: (typeof REFINEMENTS)[number], h: Hypothesis): Hypothesis | undefined {
  const { side, steps, pixels } = refinement;
  const step = 1 + 1.28 / side;
  const around: Hypothesis[] = [];
  for (let k = -steps; k <= steps; k++) around.push(...searchShifts(query, work, side, h.scale * step ** k, { near: h, pixels }));
  return strongest(around)[0];
}

/**
 * The correlation at each shift of one scale, on the query's plane at `level` and the work resampled to
 * the same pixel size; every shift that leaves enough overlap, or (`around`) the shifts within a few
 * pixels of a hypothesis.
 */
function searchShifts(
  query: Integral,
  work: Integral,
  level: number,
  scale: number,
  around?: { near: Hypothesis; pixels: number },
): Hypothesis[] {
  const queryFactor = Math.max(query.width, query.height) / level;
  const q = resample(query, queryFactor);
  const w = resample(work, queryFactor * scale);
  if (w.width < 2 || w.height < 2) return [];
  const workPixel = queryFactor * scale;
  const found: Hypothesis[] = [];
  const [x0, x1, y0, y1] = around
    ? [
        Math.round(around.near.x / workPixel) - around.pixels,
        Math.round(around.near.x / workPixel) + around.pixels,
        Math.round(around.near.y / workPixel) - around.pixels,
        Math.round(around.near.y / workPixel) + around.pixels,
      ]
    : [-q.width, w.width, -q.height, w.height];
  for (let dy = y0; dy <= y1; dy++) {
    for (let dx = x0; dx <= x1; dx++) {
      const correlation = correlateAt(q, w, dx, dy);
      if (correlation !== undefined) found.push({ scale, x: dx * workPixel, y: dy * workPixel, correlation });
    }
  }
  return found;
}

/** Normalised correlation of `q` over `w` with q's origin at (dx, dy) of w; undefined when they overlap too little. */
function correlateAt(q: Plane, w: Plane, dx: number, dy: number, anyOverlap = false): number | undefined {
  const left = Math.max(0, -dx);
  const right = Math.min(q.width, w.width - dx);
  const top = Math.max(0, -dy);
  const bottom = Math.min(q.height, w.height - dy);
  if (right <= left || bottom <= top) return undefined;
  const area = (right - left) * (bottom - top);
  if (!anyOverlap && (area < MIN_WORK_SHARE * w.width * w.height || area < MIN_QUERY_SHARE * q.width * q.height)) return undefined;
  // Sums and sums of squares from the summed-area tables; only the cross term needs the pixels.
  const sq = boxSum(q.sums, q.width, left, top, right, bottom);
  const sqq = boxSum(q.squares, q.width, left, top, right, bottom);
  const sw = boxSum(w.sums, w.width, left + dx, top + dy, right + dx, bottom + dy);
  const sww = boxSum(w.squares, w.width, left + dx, top + dy, right + dx, bottom + dy);
  let sqw = 0;
  for (let y = top; y < bottom; y++) {
    const qRow = y * q.width;
    const wRow = (y + dy) * w.width + dx;
    for (let x = left; x < right; x++) sqw += q.data[qRow + x]! * w.data[wRow + x]!;
  }
  const varQ = sqq - (sq * sq) / area;
  const varW = sww - (sw * sw) / area;
  if (varQ <= 1e-6 * area || varW <= 1e-6 * area) return 0;
  return (sqw - (sq * sw) / area) / Math.sqrt(varQ * varW);
}

/** The best hypotheses, at most HYPOTHESES, no two at the same scale and within two pixels of each other. */
function strongest(found: Hypothesis[]): Hypothesis[] {
  const kept: Hypothesis[] = [];
  for (const h of [...found].sort((a, b) => b.correlation - a.correlation)) {
    const pixel = h.scale * 2;
    if (kept.some((k) => Math.abs(k.scale / h.scale - 1) < 0.03 && Math.abs(k.x - h.x) <= pixel && Math.abs(k.y - h.y) <= pixel)) continue;
    kept.push(h);
    if (kept.length === HYPOTHESES) break;
  }
  return kept;
}

/** A grey plane with its summed-area tables of values and of squared values. */
interface Plane {
  data: Float64Array;
  width: number;
  height: number;
  sums: Float64Array;
  squares: Float64Array;
}

/** A plane's summed-area table, one row and column of zeros first, for box means at any size. */
interface Integral {
  sums: Float64Array;
  width: number;
  height: number;
  /** Planes already resampled from it, by factor. */
  resampled: Map<number, Plane>;
}

/** The summed-area table of `values` (squared when `squared`), (width + 1) × (height + 1). */
function summedArea(values: ArrayLike<number>, width: number, height: number, squared = false): Float64Array {
  const sums = new Float64Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x]!;
      row += squared ? v * v : v;
      sums[(y + 1) * (width + 1) + x + 1] = sums[y * (width + 1) + x + 1]! + row;
    }
  }
  return sums;
}

/** The sum over [x0, x1) × [y0, y1) from a summed-area table of a `width`-wide plane. */
function boxSum(sums: Float64Array, width: number, x0: number, y0: number, x1: number, y1: number): number {
  const stride = width + 1;
  return sums[y1 * stride + x1]! - sums[y0 * stride + x1]! - sums[y1 * stride + x0]! + sums[y0 * stride + x0]!;
}

function integralOf(plane: GreyPlane): Integral {
  return { sums: summedArea(plane.data, plane.width, plane.height), width: plane.width, height: plane.height, resampled: new Map() };
}

/** The plane shrunk by `factor` (source pixels per output pixel; below 1 each source pixel is repeated), made once per factor. */
function resample(source: Integral, factor: number): Plane {
  let plane = source.resampled.get(factor);
  if (!plane) {
    plane = shrink(source, factor);
    source.resampled.set(factor, plane);
  }
  return plane;
}

function shrink(source: Integral, factor: number): Plane {
  const width = Math.max(0, Math.floor(source.width / factor));
  const height = Math.max(0, Math.floor(source.height / factor));
  const data = new Float64Array(width * height);
  const xs = boxBounds(width, source.width, factor);
  const ys = boxBounds(height, source.height, factor);
  for (let y = 0; y < height; y++) {
    const [y0, y1] = [ys[2 * y]!, ys[2 * y + 1]!];
    for (let x = 0; x < width; x++) {
      const [x0, x1] = [xs[2 * x]!, xs[2 * x + 1]!];
      data[y * width + x] = boxSum(source.sums, source.width, x0, y0, x1, y1) / ((x1 - x0) * (y1 - y0));
    }
  }
  return { data, width, height, sums: summedArea(data, width, height), squares: summedArea(data, width, height, true) };
}

/** Each output pixel's first and past-the-last source pixel along one side, interleaved. */
function boxBounds(count: number, size: number, factor: number): Int32Array {
  const bounds = new Int32Array(2 * count);
  for (let i = 0; i < count; i++) {
    const from = Math.min(size - 1, Math.floor(i * factor));
    bounds[2 * i] = from;
    bounds[2 * i + 1] = Math.max(from + 1, Math.min(size, Math.floor((i + 1) * factor)));
  }
  return bounds;
}
