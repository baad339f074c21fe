import { ModulePlane, type LightnessTables } from './pdq-kernels.ts';

/**
 * CIE L* (lightness, 0..100 scaled to 0..255) of 8-bit sRGB pixels: the plane Aura hashes besides PDQ's
 * luma. PDQ's luma (0.299 R + 0.587 G + 0.114 B on gamma-encoded values) is not a function of lightness
 * alone, so edits that keep lightness order but move colours — a brightness change made in LCh (sharp's
 * modulate, most photo editors), a greyscale conversion from linear luminance (libvips, CSS) — reorder the
 * luma of saturated, near-isoluminant colours and flip 30–55 of 256 bits on colourful paintings, while the
 * lightness hash moves 2–12 (measured in scripts/bench-robustness.ts).
 */
const LINEAR = Float64Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

/** Rec. 709 / sRGB luminance weights (on linear light), the Y of CIE XYZ under D65. */
const Y_R = 0.2126;
const Y_G = 0.7152;
const Y_B = 0.0722;

/**
 * L* as a function of Y, tabulated: a cube root per pixel would cost more than the hash itself. 16,384
 * steps keep the table in cache; its coarsest step (near black, where L* is steepest) moves L* by 0.15
 * of 255, below an 8-bit level.
 */
const STEPS = 16_383;
const LIGHTNESS_OF_Y = Float32Array.from({ length: STEPS + 1 }, (_, i) => lightnessOfY(i / STEPS));
/** Linear-light channel contributions to Y, pre-scaled to table steps. */
const R_STEPS = Float32Array.from(LINEAR, (v) => Y_R * v * STEPS);
const G_STEPS = Float32Array.from(LINEAR, (v) => Y_G * v * STEPS);
const B_STEPS = Float32Array.from(LINEAR, (v) => Y_B * v * STEPS);
const GREY_STEPS = Float32Array.from(LINEAR, (v) => v * STEPS);
const TABLES: LightnessTables = {
  steps: STEPS,
  lightnessOfY: LIGHTNESS_OF_Y,
  red: R_STEPS,
  green: G_STEPS,
  blue: B_STEPS,
  grey: GREY_STEPS,
};

function lightnessOfY(y: number): number {
  const lStar = y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
  return (lStar * 255) / 100;
}

export interface LightnessPlane {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * The lightness plane at half resolution (each value from a 2×2 block's mean sRGB code; an odd last
 * row or column is dropped): the hash only keeps a 64×64 tent-filtered grid, and a quarter of the
 * pixels makes this the cheap part of the fingerprint. Channels: 1–2 grey, 3–4 RGB (alpha ignored).
 */
export function halfLightnessPlane(data: Uint8Array, width: number, height: number, channels: number): LightnessPlane {
  const plane = halfLightnessModulePlane(data, width, height, channels);
  return { data: plane.values(), width: plane.width, height: plane.height };
}

/** The same plane, left in the PDQ kernels' memory for hashing (see ModulePlane). */
export function halfLightnessModulePlane(data: Uint8Array, width: number, height: number, channels: number): ModulePlane {
  return ModulePlane.halfLightnessOfPixels(data, width, height, channels, TABLES);
}

/**
 * The share of the brightest pixels flattened before the 'lightness-clipped' hash is taken. Brightening clips
 * highlights: a +20 % lightness edit sends everything above L* 83 to white, which on a bright image is
 * a third of the picture and moves even the lightness hash 36 bits. Flattening the brightest 30 % at
 * their lower bound makes the plane a function of the ranks below it, so any edit that scales lightness
 * and clips no more than that share leaves the hash where it was (PDQ's median threshold ignores scale).
 */
export const CLIPPED_SHARE = 0.3;

/**
 * Caps `plane` (values 0..255) in place at the level below which 1 − `share` of its values lie, found
 * from a histogram in one pass (to 1/8 of a level: far finer than the hash can see). Runs in the PDQ
 * kernels (ModulePlane.clipBrightest), as the fingerprint does.
 */
export function clipBrightest(plane: Float32Array, share: number): Float32Array {
  plane.set(ModulePlane.fromValues(plane, plane.length, 1).clipBrightest(share).values());
  return plane;
}
