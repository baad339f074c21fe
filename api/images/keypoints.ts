/**
 * Local features through OpenCV's WebAssembly build (@techstark/opencv-js): ORB keypoints with their
 * binary descriptors, nearest-neighbour matching, a RANSAC affine fit and an affine warp. The only
 * module that touches OpenCV; it is loaded on first use (~0.5 s, ~120 MB), so a registry that never
 * needs the local-feature check never pays for it. Inputs are grey planes Aura decoded itself (≤ 512 px),
 * never file bytes.
 */
import { createRequire } from 'node:module';

/** An 8-bit grey plane, row-major. */
export interface GreyPlane {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Features {
  /** x, y of each keypoint, interleaved. */
  points: Float32Array;
  /** 32 bytes per keypoint (ORB's 256-bit descriptor). */
  descriptors: Uint8Array;
  count: number;
}

/** A 2 × 3 affine matrix, row-major: x′ = m[0]x + m[1]y + m[2], y′ = m[3]x + m[4]y + m[5]. */
export type Affine = [number, number, number, number, number, number];

const MAX_KEYPOINTS = 500;
const DESCRIPTOR_BYTES = 32;

// biome-ignore lint/suspicious/noExplicitAny: OpenCV.js ships no usable types for its embind classes.
type Cv = any;
let loading: Promise<{ cv: Cv }> | undefined;

/**
 * OpenCV, initialised once per process. Its module object is a thenable, so it travels boxed: a promise
 * resolved with it would try to adopt it and never settle.
 */
export function loadVision(): Promise<{ cv: Cv }> {
  loading ??= new Promise((resolve) => {
    const cv = createRequire(import.meta.url)('@techstark/opencv-js');
    if (cv.Mat) resolve({ cv });
    else cv.onRuntimeInitialized = () => resolve({ cv });
  });
  return loading;
}

/** Frees OpenCV objects (they live on the WebAssembly heap, not the JavaScript one). */
function free(...objects: { delete(): void }[]): void {
  for (const o of objects) o.delete();
}

function matOf(cv: Cv, plane: GreyPlane) {
  const mat = new cv.Mat(plane.height, plane.width, cv.CV_8UC1);
  mat.data.set(plane.data);
  return mat;
}

/**
 * A plane whose longer side is below this (px) is enlarged before ORB looks at it: its 31-px patches and
 * 31-px border leave a 100-px icon no room for keypoints (a 100-px star had none; enlarged, ~400).
 * Chosen on the tuning part with the bench (docs/matching.md).
 */
const MIN_DESCRIBED_SIDE = 384;
/**
 * FAST's corner threshold (OpenCV's default is 20). Flat and minimalist art (bands of colour, soft vector
 * shapes) has its corners at low contrast: a banded painting gave 23 keypoints at 20 and 174 at 10.
 */
const FAST_THRESHOLD = 10;

function upscaled(cv: Cv, plane: GreyPlane, scale: number) {
  const small = matOf(cv, plane);
  const large = new cv.Mat();
  try {
    cv.resize(small, large, new cv.Size(Math.round(plane.width * scale), Math.round(plane.height * scale)), 0, 0, cv.INTER_CUBIC);
    return large;
  } finally {
    free(small);
  }
}

/** How keypoints are found: the product's settings, or others a benchmark compares them with. */
export interface DescribeOptions {
  minSide: number;
  fastThreshold: number;
}
export const DESCRIBE_OPTIONS: DescribeOptions = { minSide: MIN_DESCRIBED_SIDE, fastThreshold: FAST_THRESHOLD };

/** ORB keypoints and descriptors of a grey plane, at the plane's own coordinates (small planes are enlarged first). */
export async function describe(plane: GreyPlane, options: DescribeOptions = DESCRIBE_OPTIONS): Promise<Features> {
  const { cv } = await loadVision();
  const scale = Math.max(1, options.minSide / Math.max(plane.width, plane.height));
  const image = scale > 1 ? upscaled(cv, plane, scale) : matOf(cv, plane);
  const orb = new cv.ORB(MAX_KEYPOINTS, 1.2, 8, 31, 0, 2, cv.ORB_HARRIS_SCORE, 31, options.fastThreshold);
  const keypoints = new cv.KeyPointVector();
  const descriptors = new cv.Mat();
  const mask = new cv.Mat();
  try {
    orb.detectAndCompute(image, mask, keypoints, descriptors);
    const count = descriptors.rows;
    const points = new Float32Array(count * 2);
    for (let i = 0; i < count; i++) {
      const kp = keypoints.get(i);
      points[2 * i] = kp.pt.x / scale;
      points[2 * i + 1] = kp.pt.y / scale;
    }
    return { points, descriptors: Uint8Array.from(descriptors.data.subarray(0, count * DESCRIPTOR_BYTES)), count };
  } finally {
    free(image, orb, keypoints, descriptors, mask);
  }
}

/**
 * For each keypoint of `a`, its nearest keypoint in `b` by Hamming distance, kept when it is clearly
 * nearer than the second nearest (Lowe's ratio test). Returns index pairs [ia, ib].
 */
export async function matchFeatures(a: Features, b: Features, ratio: number): Promise<[number, number][]> {
  if (a.count < 2 || b.count < 2) return [];
  const { cv } = await loadVision();
  const da = descriptorMat(cv, a);
  const db = descriptorMat(cv, b);
  const matcher = new cv.BFMatcher(cv.NORM_HAMMING, false);
  const knn = new cv.DMatchVectorVector();
  try {
    matcher.knnMatch(da, db, knn, 2);
    const pairs: [number, number][] = [];
    for (let i = 0; i < knn.size(); i++) {
      const row = knn.get(i);
      if (row.size() === 2) {
        const [best, second] = [row.get(0), row.get(1)];
        if (best.distance < ratio * second.distance) pairs.push([best.queryIdx, best.trainIdx]);
      }
      row.delete();
    }
    return pairs;
  } finally {
    free(da, db, matcher, knn);
  }
}

function descriptorMat(cv: Cv, f: Features) {
  const mat = new cv.Mat(f.count, DESCRIPTOR_BYTES, cv.CV_8UC1);
  mat.data.set(f.descriptors);
  return mat;
}

/**
 * The affine map taking `from` points to `to` points, fitted by RANSAC (reprojection error within
 * `tolerance` pixels), with how many pairs agree with it; undefined when no fit is found.
 */
export async function fitAffine(
  from: Float32Array,
  to: Float32Array,
  tolerance: number,
): Promise<{ matrix: Affine; inliers: boolean[] } | undefined> {
  const n = from.length / 2;
  if (n < 3) return undefined;
  const { cv } = await loadVision();
  const src = cv.matFromArray(n, 1, cv.CV_32FC2, Array.from(from));
  const dst = cv.matFromArray(n, 1, cv.CV_32FC2, Array.from(to));
  const mask = new cv.Mat();
  let fitted: { rows: number; data64F: Float64Array; delete(): void } | undefined;
  try {
    fitted = cv.estimateAffine2D(src, dst, mask, cv.RANSAC, tolerance, 2000, 0.995, 10);
    if (fitted?.rows !== 2) return undefined;
    const matrix = Array.from(fitted.data64F) as Affine;
    if (!matrix.every(Number.isFinite)) return undefined;
    return { matrix, inliers: Array.from(mask.data as Uint8Array, (v) => v !== 0) };
  } finally {
    free(src, dst, mask);
    fitted?.delete();
  }
}

/**
 * How much the source is smoothed before it is sampled at a smaller scale, per source pixel an output
 * pixel spans beyond one (Gaussian σ = this × (scale − 1), in source pixels). Bilinear sampling of a
 * picture shrunk 2x reads one pixel in four and aliases its fine detail, while the copy it is compared
 * with was shrunk by averaging: a 66-px-wide re-post of a 131-px sprite then differed in 18 of its 64
 * cells. Chosen on the tuning part (docs/matching.md).
 */
export const ANTI_ALIAS = 0.8;

/**
 * `source` seen through `matrix` (which maps output coordinates to source coordinates), as a
 * `width` × `height` plane, smoothed first where the map shrinks it (ANTI_ALIAS); output pixels that
 * fall outside the source are left out of `inside` (and their values are the nearest edge's, so that
 * interpolation next to the edge reads no dark fringe from outside).
 */
export async function warpInto(
  source: GreyPlane,
  matrix: Affine,
  width: number,
  height: number,
): Promise<{ plane: GreyPlane; inside: Uint8Array }> {
  const { cv } = await loadVision();
  const src = matOf(cv, source);
  const full = new cv.Mat(source.height, source.width, cv.CV_8UC1, new cv.Scalar(255));
  const m = cv.matFromArray(2, 3, cv.CV_64FC1, matrix);
  const out = new cv.Mat();
  const mask = new cv.Mat();
  const size = new cv.Size(width, height);
  const flags = cv.INTER_LINEAR | cv.WARP_INVERSE_MAP;
  try {
    const shrink = Math.sqrt(Math.abs(matrix[0] * matrix[4] - matrix[1] * matrix[3]));
    if (shrink > 1) {
      const sigma = ANTI_ALIAS * (shrink - 1);
      cv.GaussianBlur(src, src, new cv.Size(0, 0), sigma, sigma, cv.BORDER_REPLICATE);
    }
    cv.warpAffine(src, out, m, size, flags, cv.BORDER_REPLICATE);
    cv.warpAffine(full, mask, m, size, cv.INTER_NEAREST | cv.WARP_INVERSE_MAP, cv.BORDER_CONSTANT, new cv.Scalar(0));
    return { plane: { data: Uint8Array.from(out.data), width, height }, inside: Uint8Array.from(mask.data) };
  } finally {
    free(src, full, m, out, mask);
  }
}
