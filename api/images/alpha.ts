/** Pure helpers for images with an alpha channel. */

/** True when at least one pixel of interleaved RGBA data is not fully opaque. */
export function hasTransparency(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return true;
  return false;
}

/** Composites RGBA over a solid grey level (0 black … 255 white) into RGB, as a re-poster's flatten does. */
export function flattenOnto(rgba: Uint8Array, background: number): Uint8Array {
  const pixels = rgba.length / 4;
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
    const a = rgba[i + 3]!;
    const keep = a / 255;
    const fill = background * (1 - keep);
    rgb[o] = Math.round(rgba[i]! * keep + fill);
    rgb[o + 1] = Math.round(rgba[i + 1]! * keep + fill);
    rgb[o + 2] = Math.round(rgba[i + 2]! * keep + fill);
  }
  return rgb;
}
