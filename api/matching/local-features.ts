/**
 * The local-feature check: is a query the registered picture seen through a crop, a small rotation, a
 * screenshot's frame or under a sticker — changes that move its PDQ hash past the threshold but keep
 * most of the picture? Keypoints of both are matched, one affine map is fitted to them (RANSAC), the
 * work is laid over the query through that map, and the pictures must agree cell by cell where they
 * overlap. The map alone is not enough: two icons drawn on one template share the template's keypoints;
 * what they do not share is the picture inside it. Where keypoints give no map (line art whose corners
 * all look alike, a picture with no corners), the map is the scale and shift at which the pictures
 * correlate best, if that alignment is distinct, and the cells are judged the same way.
 */
import { alignDensely } from '../images/alignment.ts';
import {
  type Affine,
  DESCRIBE_OPTIONS,
  type DescribeOptions,
  describe,
  type Features,
  fitAffine,
  type GreyPlane,
  matchFeatures,
  warpInto,
} from '../images/keypoints.ts';

export interface LocalFeatureCheck {
  confirmed: boolean;
  /** Keypoint pairs that agree with the fitted map. */
  inliers: number;
  /** Share of the textured overlapping cells where the two pictures agree. */
  agreement: number;
  /** Share of the work's area the query shows. */
  coverage: number;
  /** How far the query is turned relative to the work, degrees clockwise as seen on screen (y down), and its scale. */
  rotation: number;
  scale: number;
  /** What lined the pictures up: keypoint pairs, or (where they anchor nothing) the pictures' correlation as a whole. */
  alignedBy?: 'keypoints' | 'correlation';
  /** Why it was not confirmed. */
  reason?: string;
}

/** Lowe's ratio for ORB's binary descriptors. */
const RATIO = 0.8;
const MIN_INLIERS = 15;
/** RANSAC's reprojection tolerance, as a share of the work's longer side. */
const TOLERANCE = 0.008;
/** A map that shears or stretches more than this is not a copy of the picture. */
const MAX_DISTORTION = 0.12;
const GRID = 8;
/** Sub-blocks per cell side: cells are compared by their blocks' means, which a pixel of misalignment or JPEG noise hardly moves. */
const BLOCKS = 6;
/** A cell is compared when this share of it falls inside the work. */
const MIN_INSIDE = 0.9;
/** Block means spread less than this (grey levels, standard deviation) in both pictures: a flat cell, which proves nothing. */
const FLAT = 4;
const MIN_CORRELATION = 0.6;
const MIN_AGREEING_CELLS = 8;
const MIN_AGREEMENT = 0.75;
/**
 * A low-detail picture (a logo on a near-flat wallpaper) has fewer textured cells than that: it is
 * confirmed when at least this many textured cells agree and its flat cells agree in level too, so that
 * together they reach MIN_AGREEING_LEVELLED cells. Two wallpapers sharing a logo on backgrounds of
 * other shades differ in level; a copy re-saved, resized or brightened does not (levels are compared
 * after the tone map that best fits the two pictures).
 */
const MIN_AGREEING_TEXTURED = 3;
const MIN_AGREEING_LEVELLED = 16;
/** Flat cells agree easily (any two dark wallpapers do in places): a low-detail picture must agree almost everywhere. */
const MIN_LEVELLED_AGREEMENT = 0.9;
/** A flat cell agrees when its mean is within this many grey levels of the work's, tone-mapped. */
const LEVEL_TOLERANCE = 5;
/** An overlay at the picture's edge may cover up to 12 of the 64 cells (~19 %: the stickers and captions reach ~15 %). */
const MAX_OVERLAY_CELLS = 12;
/**
 * Without keypoints, the pictures aligned as a whole (images/alignment.ts) must correlate at least this
 * much before their cells are compared.
 */
const MIN_DENSE_CORRELATION = 0.85;
/** …and correlate at least this much less a little off that alignment (alignment.ts distinctness). */
const MIN_DISTINCTNESS = 0.05;
/** The query must show at least this share of the work: a small detail is not the registered picture. */
const MIN_COVERAGE = 0.5;

const rejected = (reason: string, partial: Partial<LocalFeatureCheck> = {}): LocalFeatureCheck => ({
  confirmed: false,
  inliers: 0,
  agreement: 0,
  coverage: 0,
  rotation: 0,
  scale: 1,
  reason,
  ...partial,
});

/**
 * Compares a query's working copy with a work's (both grey, ≤ 512 px). `queryFeatures`, when given, are
 * the query's keypoints (describe(query)): a query checked against several works is described once.
 * `options` (how keypoints are found) and `alignAsAWhole` (whether pictures whose keypoints give no map
 * are aligned as a whole, images/alignment.ts) are the product's; benchmarks pass others to compare.
 */
export async function compareLocally(
  query: GreyPlane,
  work: GreyPlane,
  queryFeatures?: Features,
  options: DescribeOptions = DESCRIBE_OPTIONS,
  alignAsAWhole = true,
): Promise<LocalFeatureCheck> {
  const byKeypoints = await mapByKeypoints(query, work, queryFeatures, options);
  if (byKeypoints.reason === undefined)
    return compareThrough(query, work, byKeypoints.matrix, { inliers: byKeypoints.inliers, alignedBy: 'keypoints' });
  if (!alignAsAWhole) return rejected(byKeypoints.reason, { inliers: byKeypoints.inliers });
  // Keypoints anchor nothing (a smooth wallpaper, a star whose points all look alike): the picture as a
  // whole may still line up, and its cells are then judged as strictly.
  const dense = alignDensely(query, work, MIN_DENSE_CORRELATION);
  if (!dense) return rejected(`${byKeypoints.reason}, and the pictures do not line up as a whole`, { inliers: byKeypoints.inliers });
  if (dense.distinctness < MIN_DISTINCTNESS)
    return rejected(`${byKeypoints.reason}, and the pictures line up nearly as well off their alignment (too smooth to tell)`, {
      inliers: byKeypoints.inliers,
    });
  return compareThrough(query, work, dense.matrix, { inliers: 0, alignedBy: 'correlation' });
}

/** The affine map from the query to the work that most keypoint pairs agree on, or why there is none. */
async function mapByKeypoints(
  query: GreyPlane,
  work: GreyPlane,
  queryFeatures: Features | undefined,
  options: DescribeOptions,
): Promise<{ matrix: Affine; inliers: number; reason?: undefined } | { reason: string; inliers: number }> {
  const q = queryFeatures ?? (await describe(query, options));
  const w = await describe(work, options);
  const pairs = await matchFeatures(q, w, RATIO);
  if (pairs.length < MIN_INLIERS) return { reason: 'too few matching keypoints', inliers: 0 };
  const from = new Float32Array(pairs.length * 2);
  const to = new Float32Array(pairs.length * 2);
  pairs.forEach(([iq, iw], k) => {
    from.set(q.points.subarray(2 * iq, 2 * iq + 2), 2 * k);
    to.set(w.points.subarray(2 * iw, 2 * iw + 2), 2 * k);
  });
  const fit = await fitAffine(from, to, Math.max(2, TOLERANCE * Math.max(work.width, work.height)));
  const inliers = fit ? fit.inliers.filter(Boolean).length : 0;
  if (!fit || inliers < MIN_INLIERS) return { reason: 'the keypoints agree on no single map', inliers };
  const shape = mapShape(fit.matrix);
  if (shape.mirrored || shape.distortion > MAX_DISTORTION) return { reason: 'the map stretches or mirrors the picture', inliers };
  return { matrix: fit.matrix, inliers };
}

/** The work laid over the query through `matrix` (query → work), judged cell by cell. */
async function compareThrough(
  query: GreyPlane,
  work: GreyPlane,
  matrix: Affine,
  found: Pick<LocalFeatureCheck, 'inliers' | 'alignedBy'>,
): Promise<LocalFeatureCheck> {
  const shape = mapShape(matrix);
  // The map takes the query to the work: the copy is the work turned the other way, and scaled by its inverse.
  const measured = { ...found, rotation: -shape.rotation, scale: 1 / shape.scale };
  const { plane: overlay, inside } = await warpInto(work, matrix, query.width, query.height);
  const insideCount = inside.reduce((n, v) => n + (v ? 1 : 0), 0);
  // Each query pixel inside the overlay stands for scale² of the work's pixels.
  const coverage = Math.min(1, (insideCount * shape.scale * shape.scale) / (work.width * work.height));
  const cells = judgeCells(compareCells(query, overlay, inside));
  const result = { ...measured, agreement: cells.agreement, coverage };
  if (coverage < MIN_COVERAGE) return rejected('the copy shows only a small part of the work', result);
  if (cells.reason) return rejected(cells.reason, result);
  return { confirmed: true, ...result };
}

/**
 * Whether the cells show one picture: a detailed picture (at least MIN_AGREEING_CELLS textured cells
 * agree) is judged on its textured cells alone; a low-detail one on its flat cells' levels too, and
 * more strictly. `agreement` is the share of the cells judged that agree.
 */
export function judgeCells(cells: CellState[]): { agreement: number; reason?: string } {
  const texturedAgreeing = cells.filter((s) => s === 'agrees').length;
  const detailed = texturedAgreeing >= MIN_AGREEING_CELLS;
  const states = detailed ? cells.map((s) => (s.startsWith('level-') ? 'skipped' : s)) : cells;
  const agreeing = states.filter((s) => s === 'agrees' || s === 'level-agrees').length;
  const compared = agreeing + states.filter((s) => s === 'differs' || s === 'level-differs').length;
  const agreement = compared ? agreeing / compared : 0;
  if (!detailed && (texturedAgreeing < MIN_AGREEING_TEXTURED || agreeing < MIN_AGREEING_LEVELLED))
    return { agreement, reason: 'too little texture where the pictures overlap' };
  if (agreement < (detailed ? MIN_AGREEMENT : MIN_LEVELLED_AGREEMENT) && !differsOnlyUnderAnOverlay(states))
    return { agreement, reason: 'the pictures differ where they overlap' };
  return { agreement };
}

/** Rotation (degrees), mean scale, stretch/shear and handedness of an affine map's linear part. */
export function mapShape(m: Affine): { rotation: number; scale: number; distortion: number; mirrored: boolean } {
  const [a, b, , d, e] = m;
  const sx = Math.hypot(a, d);
  const sy = Math.hypot(b, e);
  const shear = Math.abs(a * b + d * e) / (sx * sy || 1);
  return {
    rotation: (Math.atan2(d, a) * 180) / Math.PI,
    scale: Math.sqrt(Math.abs(a * e - b * d)),
    distortion: Math.max(Math.abs(sx / (sy || 1) - 1), shear),
    mirrored: a * e - b * d <= 0,
  };
}

export type CellState = 'skipped' | 'agrees' | 'differs' | 'level-agrees' | 'level-differs';

/**
 * Over a GRID × GRID division of the query, each cell lying inside the overlay and textured in either
 * picture agrees when the two pictures' block means correlate, and differs otherwise; a cell flat in
 * both agrees in level when its mean is where the tone map fitted to all cells puts the work's.
 */
export function compareCells(query: GreyPlane, overlay: GreyPlane, inside: Uint8Array): CellState[] {
  const cells: ({ a: Float64Array; b: Float64Array } | undefined)[] = [];
  const { width, height } = query;
  for (let cy = 0; cy < GRID; cy++) {
    for (let cx = 0; cx < GRID; cx++) {
      const x0 = Math.floor((cx * width) / GRID);
      const x1 = Math.floor(((cx + 1) * width) / GRID);
      const y0 = Math.floor((cy * height) / GRID);
      const y1 = Math.floor(((cy + 1) * height) / GRID);
      cells.push(blockMeans(query, overlay, inside, x0, x1, y0, y1));
    }
  }
  const compared = cells.filter((c) => c !== undefined);
  const toneMap = fitToneMap(
    compared.map((c) => mean(c.b)),
    compared.map((c) => mean(c.a)),
  );
  return cells.map((cell) => {
    if (!cell) return 'skipped';
    if (spread(cell.a) >= FLAT || spread(cell.b) >= FLAT) return correlation(cell.a, cell.b) >= MIN_CORRELATION ? 'agrees' : 'differs';
    return Math.abs(mean(cell.a) - toneMap(mean(cell.b))) <= LEVEL_TOLERANCE ? 'level-agrees' : 'level-differs';
  });
}

/**
 * The gain and offset that take the work's cell means to the query's, robustly (Theil–Sen: the median
 * of the slopes between cells at least MIN_TONE_SPREAD levels apart, then the median offset), so that
 * the cells under an overlay do not pull it. Without such pairs (a work of one level) only the offset
 * is fitted.
 */
export function fitToneMap(work: number[], query: number[]): (level: number) => number {
  const slopes: number[] = [];
  for (let i = 0; i < work.length; i++)
    for (let j = i + 1; j < work.length; j++) {
      const dx = work[j]! - work[i]!;
      if (Math.abs(dx) >= MIN_TONE_SPREAD) slopes.push((query[j]! - query[i]!) / dx);
    }
  const gain = slopes.length > 0 ? median(slopes) : 1;
  const offset = median(work.map((x, i) => query[i]! - gain * x));
  return (level) => gain * level + offset;
}
/** Work cell means closer than this (grey levels) say nothing about the gain. */
const MIN_TONE_SPREAD = 4;

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s / v.length;
}

function median(v: number[]): number {
  const sorted = [...v].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Whether the cells that differ could be one thing laid over the picture at its edge — a sticker, a
 * logo, a caption, a watermark — rather than other content: they fit in one rectangle of at most
 * MAX_OVERLAY_CELLS cells touching the grid's border. A template's differing symbol sits in the middle.
 */
export function differsOnlyUnderAnOverlay(states: CellState[]): boolean {
  let [left, right, top, bottom] = [GRID, -1, GRID, -1];
  states.forEach((state, i) => {
    if (state !== 'differs' && state !== 'level-differs') return;
    const [x, y] = [i % GRID, Math.floor(i / GRID)];
    [left, right, top, bottom] = [Math.min(left, x), Math.max(right, x), Math.min(top, y), Math.max(bottom, y)];
  });
  if (right < 0) return true;
  const area = (right - left + 1) * (bottom - top + 1);
  const atEdge = left === 0 || top === 0 || right === GRID - 1 || bottom === GRID - 1;
  return atEdge && area <= MAX_OVERLAY_CELLS;
}

function blockMeans(
  a: GreyPlane,
  b: GreyPlane,
  inside: Uint8Array,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
): { a: Float64Array; b: Float64Array } | undefined {
  const sumA = new Float64Array(BLOCKS * BLOCKS);
  const sumB = new Float64Array(BLOCKS * BLOCKS);
  const count = new Float64Array(BLOCKS * BLOCKS);
  let inCell = 0;
  const w = x1 - x0;
  const h = y1 - y0;
  if (w < BLOCKS || h < BLOCKS) return undefined;
  for (let y = y0; y < y1; y++) {
    const by = Math.floor(((y - y0) * BLOCKS) / h);
    for (let x = x0; x < x1; x++) {
      const i = y * a.width + x;
      if (!inside[i]) continue;
      const k = by * BLOCKS + Math.floor(((x - x0) * BLOCKS) / w);
      sumA[k]! += a.data[i]!;
      sumB[k]! += b.data[i]!;
      count[k]!++;
      inCell++;
    }
  }
  if (inCell < MIN_INSIDE * w * h) return undefined;
  for (let k = 0; k < count.length; k++) {
    const n = count[k] || 1;
    sumA[k]! /= n;
    sumB[k]! /= n;
  }
  return { a: sumA, b: sumB };
}

function spread(v: Float64Array): number {
  const m = mean(v);
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  return Math.sqrt(s / v.length);
}

function correlation(a: Float64Array, b: Float64Array): number {
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0;
}
