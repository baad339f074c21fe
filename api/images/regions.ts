/** Sub-windows hashed besides the whole image so that cropped or letter-boxed copies still match. */

export interface Window {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Centred windows on a geometric ladder. PDQ tolerates about a 2–3 % crop within 31 bits (measured:
 * scripts/bench-robustness.ts), so steps of ~4 % leave any centred crop up to ~30 % within reach of one
 * window.
 */
export const CROP_SCALES: readonly number[] = [0.96, 0.92, 0.88, 0.85, 0.81, 0.78, 0.75, 0.72, 0.69];

const MIN_WINDOW = 32;

export function cropWindows(width: number, height: number, scales: readonly number[] = CROP_SCALES): Window[] {
  const windows: Window[] = [];
  for (const scale of scales) {
    const w = Math.round(width * scale);
    const h = Math.round(height * scale);
    if (w < MIN_WINDOW || h < MIN_WINDOW) continue;
    windows.push({ label: `crop-${Math.round(scale * 100)}`, x: Math.round((width - w) / 2), y: Math.round((height - h) / 2), width: w, height: h });
  }
  return windows;
}

/** Luma spread a padding line may have (JPEG ringing, dithering) and the share of pixels that must obey it. */
const FLAT_TOLERANCE = 14;
const FLAT_SHARE = 0.98;
/** Only borders at least this thick (fraction of the side) count as padding. */
const MIN_BORDER = 0.015;

/**
 * The content box inside uniform borders (letterbox/pillarbox bars, passe-partout, re-post padding), or
 * undefined when there is no such border. Pure; works on the luma plane.
 */
export function contentWindow(luma: Float32Array, width: number, height: number): Window | undefined {
  const row = (y: number) => ({ at: (i: number) => luma[y * width + i]!, length: width });
  const col = (x: number) => ({ at: (i: number) => luma[i * width + x]!, length: height });
  const top = borderDepth((k) => row(k), height);
  const bottom = borderDepth((k) => row(height - 1 - k), height);
  const left = borderDepth((k) => col(k), width);
  const right = borderDepth((k) => col(width - 1 - k), width);
  const w = width - left - right;
  const h = height - top - bottom;
  const trimmedEnough = top + bottom >= MIN_BORDER * height || left + right >= MIN_BORDER * width;
  if (!trimmedEnough || w < Math.max(MIN_WINDOW, width * 0.4) || h < Math.max(MIN_WINDOW, height * 0.4)) return undefined;
  return { label: 'trimmed', x: left, y: top, width: w, height: h };
}

type Line = { at(i: number): number; length: number };

function borderDepth(line: (k: number) => Line, extent: number): number {
  const first = line(0);
  const reference = median(first);
  let depth = 0;
  while (depth < extent / 2 && isFlat(line(depth), reference)) depth++;
  return depth;
}

function isFlat(line: Line, reference: number): boolean {
  let within = 0;
  for (let i = 0; i < line.length; i++) if (Math.abs(line.at(i) - reference) <= FLAT_TOLERANCE) within++;
  return within >= FLAT_SHARE * line.length;
}

function median(line: Line): number {
  const values = new Float32Array(line.length);
  for (let i = 0; i < line.length; i++) values[i] = line.at(i);
  values.sort();
  return values[values.length >> 1]!;
}
