import type { GreyPlane } from './keypoints.ts';

/**
 * A tone layout: how light each cell of a 4×4 grid of the picture is. The colour layout
 * (colour-layout.ts) tells colourways apart by their hues, but when one picture has colour and the other
 * none there are no hues to compare: a greyscale copy of a gold frame and the same frame drawn in silver
 * hash within a few bits. What tells them apart is lightness: a greyscale copy keeps the greys of its
 * work, a grey colourway has greys of its own.
 *
 * Each cell holds the range of the greys common tools make of its opaque pixels (Rec. 601 luma, as PDQ
 * and most encoders; Rec. 709 weights on gamma-encoded values, as CSS `grayscale()`; relative luminance
 * re-encoded to sRGB, as libvips and sharp), and how much of the cell is opaque. Computed in memory for
 * a query and from a work's stored thumbnail; never stored.
 */
const GRID = 4;
/** A pixel counts as opaque from this alpha on (of 255). */
const OPAQUE_ALPHA = 250;
/**
 * A cell is compared on its lightness only when a tenth of it is opaque in both pictures (line art on
 * transparency, an emblem, covers 10–30 % of its cells; a tenth of a 128-px cell is still hundreds of
 * pixels) and the opaque shares agree to OPAQUE_SHARE_AGREEMENT: then both show the same pixels (a
 * transparent work against a copy flattened on some background does not, and is not compared there).
 */
const MIN_OPAQUE_SHARE = 0.1;
const OPAQUE_SHARE_AGREEMENT = 0.02;
/** Fewer comparable cells than this and nothing is concluded. */
const MIN_CELLS = 3;
/**
 * Greys further apart than this (of 255, median over the comparable cells) are different pictures.
 * Re-encoding, resizing and a lossy thumbnail move a cell's mean by 1–2; the greyscale formulas of
 * common tools are inside each cell's range.
 */
const TONE_GAP = 6;

export interface ToneCell {
  /** The darkest and the lightest of the three greys, averaged over the cell's opaque pixels (0–255). */
  lo: number;
  hi: number;
  /** The share of the cell's pixels that are opaque (0–1). */
  opaque: number;
}
export type ToneLayout = ToneCell[];

const LINEAR = Float64Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});
const ENCODE_STEPS = 4096;
const ENCODED = Float64Array.from({ length: ENCODE_STEPS + 1 }, (_, i) => {
  const y = i / ENCODE_STEPS;
  return 255 * (y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055);
});

/** The tone layout of interleaved 8-bit pixels (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA). */
export function toneLayout(data: Uint8Array, width: number, height: number, channels: number): ToneLayout {
  const sums = Array.from({ length: GRID * GRID }, () => ({ lo: 0, hi: 0, opaque: 0, all: 0 }));
  const hasAlpha = channels === 2 || channels === 4;
  // A sample every `step` pixels leaves each of the 16 cells at least ~24 × 24 samples: means need no more.
  const step = Math.max(1, Math.floor(Math.min(width, height) / 128));
  for (let y = 0; y < height; y += step) {
    const row = Math.min(GRID - 1, Math.floor((y * GRID) / height)) * GRID;
    for (let x = 0; x < width; x += step) {
      const cell = sums[row + Math.min(GRID - 1, Math.floor((x * GRID) / width))]!;
      const p = (y * width + x) * channels;
      const alpha = hasAlpha ? data[p + channels - 1]! : 255;
      let [lo, hi] = [data[p]!, data[p]!];
      if (channels >= 3) {
        const [r, g, b] = [data[p]!, data[p + 1]!, data[p + 2]!];
        const luma = 0.299 * r + 0.587 * g + 0.114 * b;
        const luma709 = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        const luminance = ENCODED[Math.round((0.2126 * LINEAR[r]! + 0.7152 * LINEAR[g]! + 0.0722 * LINEAR[b]!) * ENCODE_STEPS)]!;
        lo = Math.min(luma, luma709, luminance);
        hi = Math.max(luma, luma709, luminance);
      }
      cell.all++;
      if (alpha < OPAQUE_ALPHA) continue;
      cell.opaque++;
      cell.lo += lo;
      cell.hi += hi;
    }
  }
  return sums.map((s) => ({
    lo: s.opaque ? s.lo / s.opaque : 0,
    hi: s.opaque ? s.hi / s.opaque : 0,
    opaque: s.all ? s.opaque / s.all : 0,
  }));
}

/**
 * Whether two pictures of one frame have different greys where both are opaque: true when they do,
 * false when their greys agree, undefined when too few cells are opaque in both to tell (a transparent
 * work's copy flattened on some background shows nothing of its alpha).
 */
export function tonesDiffer(a: ToneLayout, b: ToneLayout): boolean | undefined {
  const gaps: number[] = [];
  for (let i = 0; i < a.length && i < b.length; i++) {
    const [p, q] = [a[i]!, b[i]!];
    if (Math.min(p.opaque, q.opaque) < MIN_OPAQUE_SHARE || Math.abs(p.opaque - q.opaque) > OPAQUE_SHARE_AGREEMENT) continue;
    gaps.push(Math.max(0, p.lo - q.hi, q.lo - p.hi));
  }
  if (gaps.length < MIN_CELLS) return undefined;
  gaps.sort((p, q) => p - q);
  return gaps[gaps.length >> 1]! > TONE_GAP;
}

/**
 * The mean grey of each cell of a 4×4 grid over a window of a grey plane (a working copy's luma
 * flattened on white, or a thumbnail's): how light each part of what a hash was taken of looks.
 */
export function windowGreys(plane: GreyPlane, window: { x: number; y: number; width: number; height: number }): Float64Array {
  const sums = new Float64Array(GRID * GRID);
  const counts = new Float64Array(GRID * GRID);
  const x0 = Math.max(0, Math.floor(window.x));
  const y0 = Math.max(0, Math.floor(window.y));
  const x1 = Math.min(plane.width, Math.ceil(window.x + window.width));
  const y1 = Math.min(plane.height, Math.ceil(window.y + window.height));
  // As toneLayout: a sample every `step` pixels leaves each cell hundreds of samples.
  const step = Math.max(1, Math.floor(Math.min(x1 - x0, y1 - y0) / 128));
  for (let y = y0; y < y1; y += step) {
    const row = Math.min(GRID - 1, Math.floor(((y - y0) * GRID) / (y1 - y0))) * GRID;
    for (let x = x0; x < x1; x += step) {
      const cell = row + Math.min(GRID - 1, Math.floor(((x - x0) * GRID) / (x1 - x0)));
      sums[cell]! += plane.data[y * plane.width + x]!;
      counts[cell]!++;
    }
  }
  return sums.map((sum, i) => (counts[i] ? sum / counts[i]! : 255));
}

/** The mean difference of two grids of greys (0–255): how far apart two pictures look. */
export function greyDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < GRID * GRID; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / (GRID * GRID);
}
