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

/** The hashes of the 8 rotations/flips of the image, from its DCT (same order as DIHEDRAL_LABELS). */
export function dihedralHashes(dct: Float32Array): { label: DihedralLabel; hash: string }[] {
  return DIHEDRAL_LABELS.map((label) => ({ label, hash: hashFromDct(dihedralDct(dct, label)) }));
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
  const median = Float32Array.from(dct).sort()[127]!;
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
 * every pixel, which matters because every image gets a dozen windows hashed.
 */
export function pdqOfWindows(luma: Float32Array, width: number, height: number, windows: readonly PixelWindow[]): PdqHash[] {
  return windows.map((window) => {
    if (window.width < MIN_HASHABLE_DIM || window.height < MIN_HASHABLE_DIM) {
      return { hash: '0'.repeat(64), quality: 0, dct: new Float32Array(256) };
    }
    const block = downsampleWindowTo64(luma, width, window);
    const dct = dct64To16(block);
    return { hash: hashFromDct(dct), quality: imageDomainQuality(block), dct };
  });
}

function downsampleWindowTo64(luma: Float32Array, planeWidth: number, window: PixelWindow): Float32Array {
  const out = new Float32Array(64 * 64);
  if (window.width === 64 && window.height === 64) {
    for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) out[i * 64 + j] = luma[(window.y + i) * planeWidth + window.x + j]!;
    return out;
  }
  const columns = tentTaps(window.width, jaroszWindowSize(window.width, 64));
  const rows = tentTaps(window.height, jaroszWindowSize(window.height, 64));
  // Horizontal sums at the 64 sampled columns, for every row the vertical taps can reach.
  const firstRow = rows[0]!.start;
  const lastRow = rows[63]!.start + rows[63]!.weights.length - 1;
  const horizontal = new Float64Array((lastRow - firstRow + 1) * 64);
  for (let y = firstRow; y <= lastRow; y++) {
    const rowOffset = (window.y + y) * planeWidth + window.x;
    const outOffset = (y - firstRow) * 64;
    for (let j = 0; j < 64; j++) {
      const { start, weights } = columns[j]!;
      let sum = 0;
      for (let t = 0; t < weights.length; t++) sum += weights[t]! * luma[rowOffset + start + t]!;
      horizontal[outOffset + j] = sum;
    }
  }
  for (let i = 0; i < 64; i++) {
    const { start, weights } = rows[i]!;
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let t = 0; t < weights.length; t++) sum += weights[t]! * horizontal[(start - firstRow + t) * 64 + j]!;
      out[i * 64 + j] = sum;
    }
  }
  return out;
}

interface Taps {
  start: number;
  weights: Float64Array;
}

/**
 * For each of the 64 decimation samples along a line of `length`, the weights that two passes of the
 * reference box filter (with its edge clipping) give to the input samples.
 */
function tentTaps(length: number, window: number): Taps[] {
  const { back, ahead } = boxExtents(window);
  const span = (k: number) => ({ lo: Math.max(0, k - back), hi: Math.min(length - 1, k + ahead) });
  const taps: Taps[] = [];
  for (let i = 0; i < 64; i++) {
    const k = Math.floor(((i + 0.5) * length) / 64);
    const outer = span(k);
    const start = Math.max(0, outer.lo - back);
    const end = Math.min(length - 1, outer.hi + ahead);
    const weights = new Float64Array(end - start + 1);
    const outerCount = outer.hi - outer.lo + 1;
    for (let m = outer.lo; m <= outer.hi; m++) {
      const inner = span(m);
      const w = 1 / (outerCount * (inner.hi - inner.lo + 1));
      for (let t = inner.lo; t <= inner.hi; t++) weights[t - start]! += w;
    }
    taps.push({ start, weights });
  }
  return taps;
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

/** B = D A Dᵀ with D the 16×64 DCT matrix. */
function dct64To16(a: Float32Array): Float32Array {
  const t = new Float32Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum += DCT_MATRIX[i * 64 + k]! * a[k * 64 + j]!;
      t[i * 64 + j] = sum;
    }
  }
  const b = new Float32Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum += t[i * 64 + k]! * DCT_MATRIX[j * 64 + k]!;
      b[i * 16 + j] = sum;
    }
  }
  return b;
}
