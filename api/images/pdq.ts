/**
 * PDQ perceptual hash (Meta, 2017), written from the published algorithm and reference code
 * (facebook/ThreatExchange pdq/cpp): luminance → two-pass Jarosz tent filter → 64×64 decimation →
 * 16×16 DCT → median threshold; quality from the 64×64 gradient sum. Pure computation: the loops over
 * pixels run in WebAssembly (pdq-kernels.ts), bit for bit as the plain loops would.
 *
 * Hex layout matches the reference: 16 words of 16 bits, word 15 first, bit k = row*16+col of the DCT.
 */

import { medianThresholdWords, ModulePlane, type PixelWindow, type PlaneSampler } from './pdq-kernels.ts';

export { jaroszWindowSize } from './pdq-taps.ts';
export { ModulePlane, type PixelWindow } from './pdq-kernels.ts';

export interface PdqHash {
  /** 64 hex characters. */
  hash: string;
  /** 0..100; below ~50 the hash is unstable (flat or smooth images). */
  quality: number;
  /** The 16×16 DCT coefficients, row-major, so the dihedral variants need no recomputation. */
  dct: Float32Array;
}

export const DIHEDRAL_LABELS = ['global', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flip-plus1', 'flip-minus1'] as const;
export type DihedralLabel = (typeof DIHEDRAL_LABELS)[number];

const MIN_HASHABLE_DIM = 5;

/**
 * Luminance from interleaved 8-bit pixels (1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA; alpha ignored:
 * flatten before calling if it matters).
 */
export function lumaFromPixels(data: Uint8Array, width: number, height: number, channels: number): Float32Array {
  return ModulePlane.lumaOfPixels(data, width, height, channels).values();
}

/** PDQ of a luma plane. The input is not modified. */
export function pdqFromLuma(luma: Float32Array, width: number, height: number): PdqHash {
  return pdqOfPlane(ModulePlane.fromValues(luma, width, height));
}

/** PDQ of a plane loaded in the kernels. */
export function pdqOfPlane(plane: ModulePlane): PdqHash {
  return hashWindows(plane.sampler(), [{ x: 0, y: 0, width: plane.width, height: plane.height }])[0]!;
}

/** PDQ of sub-windows of one luma plane, each exactly as if the window had been cropped out first. */
export function pdqOfWindows(luma: Float32Array, width: number, height: number, windows: readonly PixelWindow[]): PdqHash[] {
  return hashWindows(ModulePlane.fromValues(luma, width, height).sampler(), windows);
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
 * it reverses. The horizontal sums, the costly part, are shared: the pass with the reference column taps
 * feeds blocks 0 and 2, the one with the mirrored column taps blocks 1 and 3.
 */
export function dihedralVariantsOfPlane(luma: Float32Array, width: number, height: number): DihedralVariant[] {
  return dihedralVariants(ModulePlane.fromValues(luma, width, height).sampler(), width, height);
}

/** The dihedral variants of a plane loaded in the kernels and the PDQ of windows of it. */
export function hashPlane(plane: ModulePlane, windows: readonly PixelWindow[]): { variants: DihedralVariant[]; windows: PdqHash[] } {
  const sampler = plane.sampler();
  return { variants: dihedralVariants(sampler, plane.width, plane.height), windows: hashWindows(sampler, windows) };
}

function dihedralVariants(sampler: PlaneSampler, width: number, height: number): DihedralVariant[] {
  if (width < MIN_HASHABLE_DIM || height < MIN_HASHABLE_DIM) {
    return DIHEDRAL_LABELS.map((label) => ({ label, hash: '0'.repeat(64), quality: 0 }));
  }
  sampler.sample({ x: 0, y: 0, width, height }, true);
  const dcts = [0, 1, 2, 3].map((block) => sampler.dct(block));
  const qualities = [0, 1, 2, 3].map((block) => sampler.quality(block));
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
  const words = medianThresholdWords(dct);
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

function hashWindows(sampler: PlaneSampler, windows: readonly PixelWindow[]): PdqHash[] {
  return windows.map((window) => {
    if (window.width < MIN_HASHABLE_DIM || window.height < MIN_HASHABLE_DIM) {
      return { hash: '0'.repeat(64), quality: 0, dct: new Float32Array(256) };
    }
    sampler.sample(window, false);
    const dct = sampler.dct(0);
    return { hash: hashFromDct(dct), quality: sampler.quality(0), dct };
  });
}
