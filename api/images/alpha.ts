/** Pure helpers for images with an alpha channel. */

/** True when at least one pixel of interleaved RGBA data is not fully opaque. */
export function hasTransparency(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return true;
  return false;
}

/** An RGB colour, 0–255 per channel. */
export type Rgb = readonly [number, number, number];

/** Composites RGBA over a solid grey level (0 black … 255 white) or colour into RGB, as a re-poster's flatten does. */
export function flattenOnto(rgba: Uint8Array, background: number | Rgb): Uint8Array {
  const [br, bg, bb] = typeof background === 'number' ? [background, background, background] : background;
  const pixels = rgba.length / 4;
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
    const keep = rgba[i + 3]! / 255;
    rgb[o] = Math.round(rgba[i]! * keep + br * (1 - keep));
    rgb[o + 1] = Math.round(rgba[i + 1]! * keep + bg * (1 - keep));
    rgb[o + 2] = Math.round(rgba[i + 2]! * keep + bb * (1 - keep));
  }
  return rgb;
}

/** Border pixels within this of the border's median colour (per channel) count as its background. */
const BORDER_TOLERANCE = 12;
/** The share of border pixels that must be the background for the border to be uniform. */
const UNIFORM_BORDER_SHARE = 0.9;

/**
 * The colour of a uniform border around an opaque picture: what a transparent work was flattened on, or
 * a pad's colour. Undefined when the outermost rows and columns are not one colour.
 */
export function uniformBorder(rgb: Uint8Array, width: number, height: number, channels: number): Rgb | undefined {
  if (channels < 3 || width < 3 || height < 3) return undefined;
  const at = (x: number, y: number) => (y * width + x) * channels;
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(at(x, 0), at(x, height - 1));
  for (let y = 1; y < height - 1; y++) border.push(at(0, y), at(width - 1, y));
  const median = [0, 1, 2].map((c) => {
    const values = border.map((i) => rgb[i + c]!).sort((a, b) => a - b);
    return values[values.length >> 1]!;
  });
  const inside = border.filter((i) => median.every((m, c) => Math.abs(rgb[i + c]! - m) <= BORDER_TOLERANCE));
  if (inside.length < UNIFORM_BORDER_SHARE * border.length) return undefined;
  const mean = (c: number) => Math.round(inside.reduce((sum, i) => sum + rgb[i + c]!, 0) / inside.length);
  return [mean(0), mean(1), mean(2)];
}
