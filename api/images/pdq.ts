/**
 * PDQ perceptual hash (Meta, 2017), written from the published algorithm and reference code
 * (facebook/ThreatExchange pdq/cpp): luminance → two-pass Jarosz tent filter → 64×64 decimation →
 * 16×16 DCT → median threshold; quality from the 64×64 gradient sum. Pure: no I/O.
 *
 * Hex layout matches the reference: 16 words of 16 bits, word 15 first, bit k = row*16+col of the DCT.
 */

export interface PdqHash {
  /** 64 hex characters. */
  hash: string;
  /** 0..100; below ~50 the hash is unstable (flat or smooth images). */
  quality: number;
  /** The 16×16 DCT coefficients, row-major, so the dihedral variants need no recomputation. */
  dct: Float32Array;
}

export const DIHEDRAL_LABELS = [
  'global',
  'rot90',
  'rot180',
  'rot270',
  'flipx',
  'flipy',
  'flip-plus1',
  'flip-minus1',
] as const;
export type DihedralLabel = (typeof DIHEDRAL_LABELS)[number];

const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;
const MIN_HASHABLE_DIM = 5;
const JAROSZ_PASSES = 2;

/** The 16×64 DCT-II matrix (rows 1..16 of the full 64-point basis; row 0 is the DC term, skipped). */
const DCT_MATRIX = (() => {
  const m = new Float32Array(16 * 64);
  const scale = Math.sqrt(2 / 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) m[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
  return m;
})();

/**
 * Luminance from interleaved 8-bit pixels (1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA; alpha ignored:
 * flatten before calling if it matters).
 */
export function lumaFromPixels(data: Uint8Array, width: number, height: number, channels: number): Float32Array {
  const n = width * height;
  const luma = new Float32Array(n);
  if (channels >= 3) {
    for (let p = 0, o = 0; p < n; p++, o += channels) {
      luma[p] = LUMA_R * data[o]! + LUMA_G * data[o + 1]! + LUMA_B * data[o + 2]!;
    }
  } else {
    for (let p = 0, o = 0; p < n; p++, o += channels) luma[p] = data[o]!;
  }
  return luma;
}

/** PDQ of a luma plane. The input is not modified. */
export function pdqFromLuma(luma: Float32Array, width: number, height: number): PdqHash {
  return pdqOfWindows(luma, width, height, [{ x: 0, y: 0, width, height }])[0]!;
}

/** PDQ of interleaved 8-bit pixels. */
export function pdq(data: Uint8Array, width: number, height: number, channels: number): PdqHash {
  return pdqFromLuma(lumaFromPixels(data, width, height, channels), width, height);
}

export interface DihedralVariant {
  label: DihedralLabel;
  hash: string;
  quality: number;
}

/**
 * Which of the four blocks of `dihedralVariantsOfPlane` each variant comes from: bit 0 = the variant
 * reverses the columns (x) of the input, bit 1 = it reverses the rows (y). A transposition needs no
 * mirroring, since the taps depend only on the length of an axis.
 */
const VARIANT_MIRRORS: Record<DihedralLabel, number> = {
  global: 0,
  rot90: 1, // reverse the columns, then transpose
  rot180: 3,
  rot270: 2, // reverse the rows, then transpose
  flipx: 2, // reverse the rows (top ↔ bottom)
  flipy: 1, // reverse the columns (left ↔ right)
  'flip-plus1': 0, // transpose
  'flip-minus1': 3, // anti-transpose
};

/**
 * The PDQ hashes of the 8 rotations/flips of a luma plane (same order as DIHEDRAL_LABELS; [0] is exactly
 * `pdqFromLuma(luma, width, height)`), each equal to hashing the transformed plane itself (up to float
 * rounding ties at the median; the quality is that of the transformed plane too).
 *
 * Sign-flipping the plain block's DCT alone is off under flips (16–18 bits on a 512-px-wide photo, more
 * on busy textures), because the reference sampler is not mirror-symmetric: even box windows lean
 * forward and the samples sit at floor((i + 0.5) · length / 64).
 * So this samples the plane four times — reference taps, and the taps mirrored along x, y or both (the
 * mirrored taps of sample j are the reference taps of sample 63 − j reflected, summed in the order the
 * flipped plane would sum them: S10(P) = flipX(S00(flipX(P))) bit for bit) — and each variant takes the
 * sign flips/transposition of `dihedralDct` from the DCT of the block whose mirroring matches the axes
 * it reverses. The horizontal pass, the costly part, is shared: one pass over the rows gives the column
 * sums for both the reference and the mirrored column taps.
 */
export function dihedralVariantsOfPlane(luma: Float32Array, width: number, height: number): DihedralVariant[] {
  if (width < MIN_HASHABLE_DIM || height < MIN_HASHABLE_DIM) {
    return DIHEDRAL_LABELS.map((label) => ({ label, hash: '0'.repeat(64), quality: 0 }));
  }
  sampleWindow(luma, width, { x: 0, y: 0, width, height }, true);
  const dcts: Float32Array[] = [];
  const qualities: number[] = [];
  for (let m = 0; m < 4; m++) {
    dcts.push(dct64To16(blockScratch[m]!));
    qualities.push(imageDomainQuality(blockScratch[m]!));
  }
  return DIHEDRAL_LABELS.map((label) => {
    const m = VARIANT_MIRRORS[label];
    return { label, hash: hashFromDct(dihedralDct(dcts[m]!, label)), quality: qualities[m]! };
  });
}

/**
 * A DCT coefficient at (i, j) picks up (-1)^(i+1) under a vertical flip and (-1)^(j+1) under a horizontal
 * one (the basis skips the DC term, so row 0 is the first odd frequency); rotations add a transposition.
 */
export function dihedralDct(a: Float32Array, label: DihedralLabel): Float32Array {
  const b = new Float32Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      const v = a[i * 16 + j]!;
      const iOdd = (i & 1) === 1;
      const jOdd = (j & 1) === 1;
      const sumOdd = ((i + j) & 1) === 1;
      switch (label) {
        case 'global':
          b[i * 16 + j] = v;
          break;
        case 'rot90':
          b[j * 16 + i] = jOdd ? v : -v;
          break;
        case 'rot180':
          b[i * 16 + j] = sumOdd ? -v : v;
          break;
        case 'rot270':
          b[j * 16 + i] = iOdd ? v : -v;
          break;
        case 'flipx':
          b[i * 16 + j] = iOdd ? v : -v;
          break;
        case 'flipy':
          b[i * 16 + j] = jOdd ? v : -v;
          break;
        case 'flip-plus1':
          b[j * 16 + i] = v;
          break;
        case 'flip-minus1':
          b[j * 16 + i] = sumOdd ? -v : v;
          break;
      }
    }
  }
  return b;
}

/** Bit k set when coefficient k is above the median (the 128th smallest, as Torben's median gives). */
export function hashFromDct(dct: Float32Array): string {
  sortScratch.set(dct);
  const median = sortScratch.sort()[127]!;
  const words = new Uint16Array(16);
  for (let k = 0; k < 256; k++) {
    if (dct[k]! > median) words[k >> 4]! |= 1 << (k & 15);
  }
  let hex = '';
  for (let w = 15; w >= 0; w--) hex += words[w]!.toString(16).padStart(4, '0');
  return hex;
}

const POPCOUNT_NIBBLE = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** Number of differing bits between two equal-length hex hashes. */
export function hammingDistance(hexA: string, hexB: string): number {
  if (hexA.length !== hexB.length) throw new RangeError('hashes of different lengths');
  let distance = 0;
  for (let i = 0; i < hexA.length; i++) {
    const a = parseInt(hexA[i]!, 16);
    const b = parseInt(hexB[i]!, 16);
    if (Number.isNaN(a) || Number.isNaN(b)) throw new RangeError('not a hex hash');
    distance += POPCOUNT_NIBBLE[a ^ b]!;
  }
  return distance;
}

// ---- internals -------------------------------------------------------------------------------------

export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * PDQ of sub-windows of one luma plane, each exactly as if the window had been cropped out first.
 *
 * The reference blurs the whole plane with two passes of rows-then-columns box filters and then keeps
 * only a 64×64 grid of samples. Row and column filtering commute, so each sample is a separable
 * weighted sum: the two row passes collapse into one weight vector per sampled column (≤ 2w−1 taps, edge
 * clipping included) and likewise for rows. Computing only those sums is ~8× less work than blurring
 * every pixel, which matters because every image gets a dozen windows hashed. The taps are cached per
 * axis length in flat typed arrays and the scratch buffers are reused across windows and calls.
 */
export function pdqOfWindows(luma: Float32Array, width: number, height: number, windows: readonly PixelWindow[]): PdqHash[] {
  return windows.map((window) => {
    if (window.width < MIN_HASHABLE_DIM || window.height < MIN_HASHABLE_DIM) {
      return { hash: '0'.repeat(64), quality: 0, dct: new Float32Array(256) };
    }
    sampleWindow(luma, width, window, false);
    const block = blockScratch[0]!;
    const dct = dct64To16(block);
    return { hash: hashFromDct(dct), quality: imageDomainQuality(block), dct };
  });
}

/**
 * The 64 decimation samples along an axis of `length`: sample j is Σ_t weights[j·stride + t] ·
 * input[starts[j] + t] for t < counts[j], the weights that two passes of the reference box filter (with
 * its edge clipping) give to the input.
 */
interface TapTable {
  starts: Int32Array;
  counts: Int32Array;
  stride: number;
  weights: Float64Array;
  /** First and last input index any sample reads. */
  first: number;
  last: number;
  /** The input indices some sample reads, ascending; and the same with the mirrored taps added. */
  read: Int32Array;
  readBothWays: Int32Array;
}

const TAP_CACHE_SIZE = 128;
const tapCache = new Map<number, TapTable>();

/** The taps depend only on the axis length (the Jarosz window is derived from it). */
function tapsFor(length: number): TapTable {
  let taps = tapCache.get(length);
  if (!taps) {
    if (tapCache.size >= TAP_CACHE_SIZE) tapCache.clear();
    taps = tentTaps(length, jaroszWindowSize(length, 64));
    tapCache.set(length, taps);
  }
  return taps;
}

function tentTaps(length: number, window: number): TapTable {
  const { back, ahead } = boxExtents(window);
  const spanLo = (k: number) => Math.max(0, k - back);
  const spanHi = (k: number) => Math.min(length - 1, k + ahead);
  const starts = new Int32Array(64);
  const counts = new Int32Array(64);
  for (let i = 0; i < 64; i++) {
    const k = Math.floor(((i + 0.5) * length) / 64);
    starts[i] = Math.max(0, spanLo(k) - back);
    counts[i] = Math.min(length - 1, spanHi(k) + ahead) - starts[i]! + 1;
  }
  const stride = Math.max(...counts);
  const weights = new Float64Array(64 * stride);
  for (let i = 0; i < 64; i++) {
    const k = Math.floor(((i + 0.5) * length) / 64);
    const lo = spanLo(k);
    const hi = spanHi(k);
    const base = i * stride - starts[i]!;
    const outerCount = hi - lo + 1;
    for (let m = lo; m <= hi; m++) {
      const innerLo = spanLo(m);
      const innerHi = spanHi(m);
      const w = 1 / (outerCount * (innerHi - innerLo + 1));
      for (let t = innerLo; t <= innerHi; t++) weights[base + t]! += w;
    }
  }
  const reads = new Uint8Array(length);
  for (let i = 0; i < 64; i++) reads.fill(1, starts[i]!, starts[i]! + counts[i]!);
  const read = Int32Array.from(reads.keys()).filter((t) => reads[t] === 1);
  for (const t of read) reads[length - 1 - t] = 1;
  const readBothWays = Int32Array.from(reads.keys()).filter((t) => reads[t] === 1);
  return { starts, counts, stride, weights, first: starts[0]!, last: starts[63]! + counts[63]! - 1, read, readBothWays };
}

// Scratch space, reused by every call (all users are synchronous, so nothing can interleave).
/** The 64×64 blocks: [0] reference taps, [1] column taps mirrored, [2] row taps mirrored, [3] both. */
const blockScratch = [0, 1, 2, 3].map(() => new Float32Array(64 * 64));
const dctScratch = new Float32Array(16 * 64);
const sortScratch = new Float32Array(256);
/** Horizontal sums (64 per row) with the reference and the mirrored column taps. */
let horizontalScratch: Float64Array = new Float64Array(0);
let mirroredScratch: Float64Array = new Float64Array(0);
/** Larger scratch buffers (only tall planes need them) are not kept. */
const MAX_KEPT_SCRATCH = 64 * 1024;

function scratch(kept: Float64Array, size: number): Float64Array {
  return kept.length >= size ? kept : new Float64Array(size);
}

/**
 * Samples `window` of the plane into blockScratch[0] (reference taps on both axes), and with `mirrored`
 * also blockScratch[1..3], where a mirrored axis uses for sample j the reference taps of sample 63 − j
 * reflected, summed from the far end: block m is then bit for bit the reference block of the window
 * flipped along those axes, flipped back.
 */
function sampleWindow(luma: Float32Array, planeWidth: number, window: PixelWindow, mirrored: boolean): void {
  const out = blockScratch[0]!;
  if (window.width === 64 && window.height === 64) {
    // The taps are the identity: every block is the window itself.
    for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) out[i * 64 + j] = luma[(window.y + i) * planeWidth + window.x + j]!;
    if (mirrored) for (let m = 1; m < 4; m++) blockScratch[m]!.set(out);
    return;
  }
  const columns = tapsFor(window.width);
  const rows = tapsFor(window.height);
  // Horizontal sums at the 64 sampled columns, for every row the vertical taps can reach.
  const firstRow = mirrored ? Math.min(rows.first, window.height - 1 - rows.last) : rows.first;
  const lastRow = mirrored ? Math.max(rows.last, window.height - 1 - rows.first) : rows.last;
  const size = (lastRow - firstRow + 1) * 64;
  const horizontal = scratch(horizontalScratch, size);
  const mirroredHorizontal = mirrored ? scratch(mirroredScratch, size) : horizontal;
  if (size <= MAX_KEPT_SCRATCH) {
    horizontalScratch = horizontal;
    if (mirrored) mirroredScratch = mirroredHorizontal;
  }
  // Only the rows some vertical tap reads (when the sample spacing exceeds the tent's width, rows are skipped).
  const rowList = mirrored ? rows.readBothWays : rows.read;
  const topLeft = window.y * planeWidth + window.x;
  horizontalPass(luma, planeWidth, topLeft, rowList, firstRow, columns, 1, horizontal);
  // Mirrored: sample j reads the row backwards from its last pixel with the taps of sample 63 − j.
  if (mirrored) horizontalPass(luma, planeWidth, topLeft + window.width - 1, rowList, firstRow, columns, -1, mirroredHorizontal);
  verticalPass(horizontal, rows, firstRow, window.height, false, out);
  if (mirrored) {
    verticalPass(mirroredHorizontal, rows, firstRow, window.height, false, blockScratch[1]!);
    verticalPass(horizontal, rows, firstRow, window.height, true, blockScratch[2]!);
    verticalPass(mirroredHorizontal, rows, firstRow, window.height, true, blockScratch[3]!);
  }
}

/**
 * For each row r in `rowList`: out[r − firstRow][j] = Σ_t w_j[t] · luma[origin + r · planeWidth +
 * step · (start_j + t)], summed over t in the reference order; with step −1 (the row read backwards)
 * the result goes to column 63 − j. Eight rows at a time share each weight load and the loop overhead
 * and give the CPU independent sums (~3× faster than one row at a time).
 */
function horizontalPass(
  luma: Float32Array,
  planeWidth: number,
  origin: number,
  rowList: Int32Array,
  firstRow: number,
  taps: TapTable,
  step: 1 | -1,
  out: Float64Array,
): void {
  const { starts, counts, stride, weights } = taps;
  const n = rowList.length;
  let g = 0;
  for (; g + 7 < n; g += 8) {
    const r0 = rowList[g]!;
    const rowOffset = origin + r0 * planeWidth;
    const d1 = (rowList[g + 1]! - r0) * planeWidth;
    const d2 = (rowList[g + 2]! - r0) * planeWidth;
    const d3 = (rowList[g + 3]! - r0) * planeWidth;
    const d4 = (rowList[g + 4]! - r0) * planeWidth;
    const d5 = (rowList[g + 5]! - r0) * planeWidth;
    const d6 = (rowList[g + 6]! - r0) * planeWidth;
    const d7 = (rowList[g + 7]! - r0) * planeWidth;
    const o0 = (r0 - firstRow) * 64;
    const o1 = (rowList[g + 1]! - firstRow) * 64;
    const o2 = (rowList[g + 2]! - firstRow) * 64;
    const o3 = (rowList[g + 3]! - firstRow) * 64;
    const o4 = (rowList[g + 4]! - firstRow) * 64;
    const o5 = (rowList[g + 5]! - firstRow) * 64;
    const o6 = (rowList[g + 6]! - firstRow) * 64;
    const o7 = (rowList[g + 7]! - firstRow) * 64;
    for (let j = 0; j < 64; j++) {
      const count = counts[j]!;
      const base = j * stride;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let s5 = 0;
      let s6 = 0;
      let s7 = 0;
      for (let t = 0, p = rowOffset + step * starts[j]!; t < count; t++, p += step) {
        const w = weights[base + t]!;
        s0 += w * luma[p]!;
        s1 += w * luma[p + d1]!;
        s2 += w * luma[p + d2]!;
        s3 += w * luma[p + d3]!;
        s4 += w * luma[p + d4]!;
        s5 += w * luma[p + d5]!;
        s6 += w * luma[p + d6]!;
        s7 += w * luma[p + d7]!;
      }
      const column = step === 1 ? j : 63 - j;
      out[o0 + column] = s0;
      out[o1 + column] = s1;
      out[o2 + column] = s2;
      out[o3 + column] = s3;
      out[o4 + column] = s4;
      out[o5 + column] = s5;
      out[o6 + column] = s6;
      out[o7 + column] = s7;
    }
  }
  for (; g < n; g++) {
    const r = rowList[g]!;
    const rowOffset = origin + r * planeWidth;
    const outOffset = (r - firstRow) * 64;
    for (let j = 0; j < 64; j++) {
      const count = counts[j]!;
      const base = j * stride;
      let sum = 0;
      for (let t = 0, p = rowOffset + step * starts[j]!; t < count; t++, p += step) sum += weights[base + t]! * luma[p]!;
      out[outOffset + (step === 1 ? j : 63 - j)] = sum;
    }
  }
}

/**
 * out[i][j] = Σ_t w_i[t] · horizontal[start_i + t][j], summed over t in the reference order, four
 * columns at a time in registers. Mirrored: row i uses the taps of sample 63 − i counted from the last
 * row of the window backwards.
 */
function verticalPass(horizontal: Float64Array, rows: TapTable, firstRow: number, height: number, mirrored: boolean, out: Float32Array): void {
  const { starts, counts, stride, weights } = rows;
  for (let i = 0; i < 64; i++) {
    const k = mirrored ? 63 - i : i;
    const count = counts[k]!;
    const base = k * stride;
    const first = ((mirrored ? height - 1 - starts[k]! : starts[k]!) - firstRow) * 64;
    const step = mirrored ? -64 : 64;
    for (let j = 0; j < 64; j += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0, o = first + j; t < count; t++, o += step) {
        const w = weights[base + t]!;
        s0 += w * horizontal[o]!;
        s1 += w * horizontal[o + 1]!;
        s2 += w * horizontal[o + 2]!;
        s3 += w * horizontal[o + 3]!;
      }
      const at = i * 64 + j;
      out[at] = s0;
      out[at + 1] = s1;
      out[at + 2] = s2;
      out[at + 3] = s3;
    }
  }
}

/** Two box passes make a tent whose support is one 64th of the dimension: each pass gets half. */
export function jaroszWindowSize(oldDimension: number, newDimension: number): number {
  return Math.floor((oldDimension + 2 * newDimension - 1) / (2 * newDimension));
}

/**
 * The reference box filter: output k is the mean of input [k - back, k + ahead] clipped to the line,
 * with half = floor((window + 2) / 2), back = window - half, ahead = half - 1 (even windows lean forward).
 */
function boxExtents(window: number): { back: number; ahead: number } {
  const half = Math.floor((window + 2) / 2);
  return { back: window - half, ahead: half - 1 };
}

function imageDomainQuality(block: Float32Array): number {
  let gradientSum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      gradientSum += Math.abs(Math.trunc(((block[i * 64 + j]! - block[(i + 1) * 64 + j]!) * 100) / 255));
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      gradientSum += Math.abs(Math.trunc(((block[i * 64 + j]! - block[i * 64 + j + 1]!) * 100) / 255));
    }
  }
  return Math.min(100, Math.trunc(gradientSum / 90));
}

/**
 * B = D A Dᵀ with D the 16×64 DCT matrix. Register tiles (4 rows of D × 2 columns of A, then 2 × 2) keep
 * every dot product in the same k order as a plain loop, so the sums are unchanged, ~3× faster.
 */
function dct64To16(a: Float32Array): Float32Array {
  const t = dctScratch;
  for (let i = 0; i < 16; i += 4) {
    const r0 = i * 64;
    const r1 = r0 + 64;
    const r2 = r1 + 64;
    const r3 = r2 + 64;
    for (let j = 0; j < 64; j += 2) {
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let k = 0; k < 64; k++) {
        const o = k * 64 + j;
        const a0 = a[o]!;
        const a1 = a[o + 1]!;
        let d = DCT_MATRIX[r0 + k]!;
        s00 += d * a0;
        s01 += d * a1;
        d = DCT_MATRIX[r1 + k]!;
        s10 += d * a0;
        s11 += d * a1;
        d = DCT_MATRIX[r2 + k]!;
        s20 += d * a0;
        s21 += d * a1;
        d = DCT_MATRIX[r3 + k]!;
        s30 += d * a0;
        s31 += d * a1;
      }
      t[r0 + j] = s00;
      t[r0 + j + 1] = s01;
      t[r1 + j] = s10;
      t[r1 + j + 1] = s11;
      t[r2 + j] = s20;
      t[r2 + j + 1] = s21;
      t[r3 + j] = s30;
      t[r3 + j + 1] = s31;
    }
  }
  const b = new Float32Array(256);
  for (let i = 0; i < 16; i += 2) {
    const t0 = i * 64;
    const t1 = t0 + 64;
    for (let j = 0; j < 16; j += 2) {
      const d0 = j * 64;
      const d1 = d0 + 64;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = 0; k < 64; k++) {
        const x0 = t[t0 + k]!;
        const x1 = t[t1 + k]!;
        const y0 = DCT_MATRIX[d0 + k]!;
        const y1 = DCT_MATRIX[d1 + k]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      b[i * 16 + j] = s00;
      b[i * 16 + j + 1] = s01;
      b[i * 16 + 16 + j] = s10;
      b[i * 16 + 17 + j] = s11;
    }
  }
  return b;
}
