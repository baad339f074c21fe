/**
 * Where PDQ's 64 decimation samples read an axis, and with which weights (pure).
 *
 * The reference blurs the whole plane with two passes of rows-then-columns box filters (the Jarosz tent)
 * and then keeps only a 64×64 grid of samples. Row and column filtering commute, so each sample is a
 * separable weighted sum: the two box passes along an axis collapse into one weight vector per sample
 * (≤ 2w−1 taps, edge clipping included). Computing only those sums is ~8× less work than blurring every
 * pixel, which matters because every image gets a dozen windows hashed.
 */

/**
 * The 64 samples along an axis of `length`: sample j is Σ_t weights[j·stride + t] · input[starts[j] + t]
 * for t < counts[j].
 */
export interface TapTable {
  length: number;
  starts: Int32Array;
  counts: Int32Array;
  stride: number;
  weights: Float64Array;
  /** First and last input index any sample reads. */
  first: number;
  last: number;
}

/** Two box passes make a tent whose support is one 64th of the dimension: each pass gets half. */
export function jaroszWindowSize(oldDimension: number, newDimension: number): number {
  return Math.floor((oldDimension + 2 * newDimension - 1) / (2 * newDimension));
}

/** The taps depend only on the axis length (the Jarosz window is derived from it). */
export function tentTaps(length: number): TapTable {
  const { back, ahead } = boxExtents(jaroszWindowSize(length, 64));
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
  return { length, starts, counts, stride, weights, first: starts[0]!, last: starts[63]! + counts[63]! - 1 };
}

/**
 * The reference box filter: output k is the mean of input [k - back, k + ahead] clipped to the line,
 * with half = floor((window + 2) / 2), back = window - half, ahead = half - 1 (even windows lean forward).
 */
function boxExtents(window: number): { back: number; ahead: number } {
  const half = Math.floor((window + 2) / 2);
  return { back: window - half, ahead: half - 1 };
}
