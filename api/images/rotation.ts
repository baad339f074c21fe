/**
 * Views of a copy rotated by a few degrees on a canvas grown to fit (its corners filled), turned back
 * upright so that it is compared with the work as it was registered. PDQ itself survives about a degree.
 */

/** The label of a copy's hash taken after turning it back upright (a query hash, never stored). */
export const TURNED_LABEL = 'turned';

export interface Plane {
  values: Float32Array;
  width: number;
  height: number;
}

/**
 * A `width` × `height` window centred on the plane's centre, sampled (bilinear) from the plane turned
 * back by `degrees`: output offset d from the window's centre reads the plane at centre + R(degrees)·d.
 * Samples past the plane's edge take the nearest edge value.
 */
export function turnedWindow(plane: Plane, degrees: number, width: number, height: number): Plane {
  const w = Math.max(1, Math.round(width));
  const h = Math.max(1, Math.round(height));
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const cx = (plane.width - 1) / 2;
  const cy = (plane.height - 1) / 2;
  const ox = (w - 1) / 2;
  const oy = (h - 1) / 2;
  const maxX = plane.width - 1;
  const maxY = plane.height - 1;
  const src = plane.values;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const dy = y - oy;
    for (let x = 0; x < w; x++) {
      const dx = x - ox;
      const sx = Math.min(maxX, Math.max(0, cx + cos * dx - sin * dy));
      const sy = Math.min(maxY, Math.max(0, cy + sin * dx + cos * dy));
      const x0 = Math.min(maxX - 1, Math.floor(sx));
      const y0 = Math.min(maxY - 1, Math.floor(sy));
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * plane.width + x0;
      const top = src[i]! + (src[i + 1]! - src[i]!) * fx;
      const bottom = src[i + plane.width]! + (src[i + plane.width + 1]! - src[i + plane.width]!) * fx;
      out[y * w + x] = top + (bottom - top) * fy;
    }
  }
  return { values: out, width: w, height: h };
}

/**
 * The size of the upright picture inside a copy turned by `degrees` on a canvas grown to fit it (the
 * corners filled): a copy w′ × h′ holds a picture W × H with w′ = W cos + H sin, h′ = W sin + H cos.
 */
export function uprightSize(width: number, height: number, degrees: number): { width: number; height: number } {
  const a = (Math.abs(degrees) * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const det = cos * cos - sin * sin;
  return { width: (width * cos - height * sin) / det, height: (height * cos - width * sin) / det };
}

/** Luma distance within which a pixel counts as the fill colour of a rotated copy's corners. */
const FILL_TOLERANCE = 10;
/** Rotations worth turning back: below, PDQ matches as is; above, not a "small" rotation. */
const MIN_DEGREES = 0.6;
const MAX_DEGREES = 8;

/**
 * The angle a copy was rotated by on a canvas grown to fit (its four corners filled with one colour),
 * read off the filled wedges: along each side of the canvas, the depth of the fill grows linearly with
 * slope tan θ. Undefined when the corners are not one colour or the sides do not agree on a line.
 * The sign is that of `turnedWindow`: turning the copy back by the returned angle makes it upright.
 */
export function filledRotation(plane: Plane): number | undefined {
  const { values, width, height } = plane;
  if (width < 32 || height < 32) return undefined;
  const at = (x: number, y: number) => values[y * width + x]!;
  const corners = [at(0, 0), at(width - 1, 0), at(0, height - 1), at(width - 1, height - 1)];
  const fill = corners.reduce((a, b) => a + b, 0) / 4;
  if (corners.some((c) => Math.abs(c - fill) > FILL_TOLERANCE)) return undefined;
  const isFill = (x: number, y: number) => Math.abs(at(x, y) - fill) <= FILL_TOLERANCE;
  // Fill depth walked in from each side, as a function of the position along that side.
  const depth = (length: number, limit: number, filled: (along: number, into: number) => boolean) => {
    const d = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      let k = 0;
      while (k < limit && filled(i, k)) k++;
      d[i] = k;
    }
    return d;
  };
  const maxDepthX = Math.floor(height * Math.tan((MAX_DEGREES * Math.PI) / 180)) + 2;
  const maxDepthY = Math.floor(width * Math.tan((MAX_DEGREES * Math.PI) / 180)) + 2;
  // Slopes as the same rotation sees them: along the top the depth rises with x for a turn one way,
  // along the bottom it falls, along the left it falls with y, along the right it rises.
  const negated = (s: number | undefined) => (s === undefined ? undefined : -s);
  const slopes = [
    lineSlope(depth(width, maxDepthY, (x, k) => isFill(x, k))),
    negated(lineSlope(depth(width, maxDepthY, (x, k) => isFill(x, height - 1 - k)))),
    negated(lineSlope(depth(height, maxDepthX, (y, k) => isFill(k, y)))),
    lineSlope(depth(height, maxDepthX, (y, k) => isFill(width - 1 - k, y))),
  ].filter((s): s is number => s !== undefined);
  if (slopes.length < 2) return undefined;
  slopes.sort((a, b) => a - b);
  const slope = slopes[slopes.length >> 1]!;
  const agreeing = slopes.filter((s) => Math.abs(s - slope) <= 0.01).length;
  if (agreeing < 2) return undefined;
  const degrees = (Math.atan(slope) * 180) / Math.PI;
  return Math.abs(degrees) >= MIN_DEGREES && Math.abs(degrees) <= MAX_DEGREES ? degrees : undefined;
}

/**
 * The slope of a side's fill depth over its longer wedge, fitted robustly (median of slopes over a
 * fixed stride), or undefined when too few positions lie on the fitted line. A rotated copy's side
 * has two wedges meeting where the picture's corner touches the side: the wedge that spans more of
 * the side is the one whose slope is tan θ (the other rises with cot θ).
 */
function lineSlope(d: Float64Array): number | undefined {
  const n = d.length;
  // Where the picture's corner touches this side, the depth is smallest.
  let touch = 0;
  for (let i = 1; i < n; i++) if (d[i]! < d[touch]!) touch = i;
  const [from, to] = touch > n / 2 ? [0, touch] : [touch, n - 1];
  const span = to - from;
  if (span < n / 2) return undefined;
  const stride = Math.max(1, Math.floor(span / 4));
  const slopes: number[] = [];
  for (let i = from; i + stride <= to; i++) slopes.push((d[i + stride]! - d[i]!) / stride);
  slopes.sort((a, b) => a - b);
  const slope = slopes[slopes.length >> 1]!;
  const anchor = d[touch]!;
  // Refit by least squares on the positions near that line: the median alone is quantised to 1/stride.
  let n1 = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = from; i <= to; i++) {
    if (Math.abs(d[i]! - (anchor + slope * (i - touch))) > 2) continue;
    n1++;
    sx += i;
    sy += d[i]!;
    sxx += i * i;
    sxy += i * d[i]!;
  }
  if (n1 < 0.6 * (span + 1)) return undefined;
  const denominator = n1 * sxx - sx * sx;
  return denominator > 0 ? (n1 * sxy - sx * sy) / denominator : slope;
}

/**
 * A copy straightened or tilted by a few degrees and cropped to fit (a phone's straighten tool: the
 * largest upright rectangle of the picture's aspect inside the turned picture) has no filled corners to
 * read the angle from. The query turns itself back by each of these angles, clockwise and counter-clockwise;
 * PDQ tolerates about half a degree (~20 bits; a whole degree ~30–35), so 2–5° in steps of one reach turns
 * of 1.5–5.5° (docs/matching.md). Below, the plain hashes match.
 */
export const FITTED_DEGREES: readonly number[] = [2, 3, 4, 5];
export const FITTED_PREFIX = 'fitted-';
/** The work's stored centred windows a turned view is sized to show (regions.ts STORED_CROP_SCALES), largest first. */
const FITTED_TARGETS: readonly number[] = [0.81, 0.72];

export interface FittedView {
  label: string;
  degrees: number;
  /** The view's share of each side of the copy. */
  share: number;
}

/**
 * The views a copy of this size is turned back by: for each angle, the window that shows the work's
 * largest stored centred window that still lies inside the copy when the copy was cropped to fit at that angle.
 */
export function fittedViews(width: number, height: number): FittedView[] {
  return FITTED_DEGREES.flatMap((d) => {
    const fit = fittedShare(width, height, d);
    const target = FITTED_TARGETS.find((t) => t / fit <= fit);
    if (target === undefined) return [];
    const share = target / fit;
    return [
      { label: `${FITTED_PREFIX}cw${d}`, degrees: d, share },
      { label: `${FITTED_PREFIX}ccw${d}`, degrees: -d, share },
    ];
  });
}

/** The share of each side of a picture that a copy turned by `degrees` and cropped to fit keeps. */
export function fittedShare(width: number, height: number, degrees: number): number {
  const a = (Math.abs(degrees) * Math.PI) / 180;
  return 1 / (Math.cos(a) + Math.sin(a) * Math.max(width / height, height / width));
}

/** The plane at half its size (2 × 2 means) while a side is over `maxSide`: the turned views need no more (PDQ samples 64 × 64). */
export function halvedTo(plane: Plane, maxSide: number): Plane {
  let p = plane;
  while (Math.max(p.width, p.height) > maxSide && Math.min(p.width, p.height) >= 64) {
    const w = p.width >> 1;
    const h = p.height >> 1;
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const r0 = 2 * y * p.width;
      const r1 = r0 + p.width;
      for (let x = 0; x < w; x++)
        out[y * w + x] = (p.values[r0 + 2 * x]! + p.values[r0 + 2 * x + 1]! + p.values[r1 + 2 * x]! + p.values[r1 + 2 * x + 1]!) / 4;
    }
    p = { values: out, width: w, height: h };
  }
  return p;
}
