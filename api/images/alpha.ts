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
/** The share of border pixels a background must hold to be put back on white (a picture may reach the border). */
const BACKGROUND_BORDER_SHARE = 0.5;

/**
 * The colour of an opaque picture's border: the mean of the border pixels within BORDER_TOLERANCE of its
 * median colour, and the share of the border they make. What a transparent work was flattened on, or a
 * pad's colour, when the share is high.
 */
export function borderColour(rgb: Uint8Array, width: number, height: number, channels: number): { colour: Rgb; share: number } | undefined {
  if (channels < 3 || width < 3 || height < 3) return undefined;
  const at = (x: number, y: number) => (y * width + x) * channels;
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(at(x, 0), at(x, height - 1));
  for (let y = 1; y < height - 1; y++) border.push(at(0, y), at(width - 1, y));
  const median = [0, 1, 2].map((c) => {
    // A histogram's median: the border has thousands of pixels, a sort of each channel cost ~1 ms.
    const counts = new Uint32Array(256);
    for (const i of border) counts[rgb[i + c]!]!++;
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += counts[v]!;
      if (seen > border.length >> 1) return v;
    }
    return 255;
  });
  const inside = border.filter((i) => median.every((m, c) => Math.abs(rgb[i + c]! - m) <= BORDER_TOLERANCE));
  if (inside.length === 0) return undefined;
  const mean = (c: number) => Math.round(inside.reduce((sum, i) => sum + rgb[i + c]!, 0) / inside.length);
  return { colour: [mean(0), mean(1), mean(2)], share: inside.length / border.length };
}

/**
 * What an opaque copy was most likely flattened or padded on: its border's colour, when at least
 * BACKGROUND_BORDER_SHARE of the border has it (a sprite sheet's figures reach its edges in places).
 * Undefined around a full-bleed picture.
 */
export function copyBackground(border: { colour: Rgb; share: number } | undefined): Rgb | undefined {
  return border && border.share >= BACKGROUND_BORDER_SHARE ? border.colour : undefined;
}

/** The hash of a copy on a coloured background put back on white (reflattenedOnWhite): a query hash only. */
export const ON_WHITE_LABEL = 'on-white';
/** A background this light in every channel is white already. */
const NEAR_WHITE = 245;

/** Pixels within this of the border's colour (per channel; JPEG blurs chroma around a flattened edge) count as background. */
const FILL_TOLERANCE = 16;
/** A fill that takes less than this share of the image, or more than 1 − it, found no picture on a background. */
const MIN_FILL_SHARE = 0.05;
/** Grid step of the look at how much of the image has the background's colour before filling. */
const SAMPLE_STEP = 4;

/**
 * An opaque copy flattened on `background` (its border's colour, borderColour) put back on white: the
 * background reached from the border through pixels of its colour becomes white, the picture stays. A
 * transparent work flattened on any colour then looks as it does flattened on white, which is its
 * global hash. Holes inside the picture not reached from the border keep the colour. Undefined when the
 * background is white already, or the fill takes almost nothing or almost everything.
 */
export function reflattenedOnWhite(
  rgb: Uint8Array,
  width: number,
  height: number,
  channels: number,
  background: Rgb,
): Uint8Array | undefined {
  if (channels < 3 || background.every((c) => c >= NEAR_WHITE)) return undefined;
  const isBackground = (data: Uint8Array, at: number) =>
    Math.abs(data[at]! - background[0]) <= FILL_TOLERANCE &&
    Math.abs(data[at + 1]! - background[1]) <= FILL_TOLERANCE &&
    Math.abs(data[at + 2]! - background[2]) <= FILL_TOLERANCE;
  // A fill never takes more than the background's colour holds: a flat or softly shaded picture is all
  // of it (no picture to put on white), and filling it would cost a pass for nothing.
  let sampled = 0;
  let matching = 0;
  for (let y = 0; y < height; y += SAMPLE_STEP)
    for (let x = 0; x < width; x += SAMPLE_STEP, sampled++) if (isBackground(rgb, (y * width + x) * channels)) matching++;
  const sampledShare = matching / sampled;
  if (sampledShare < MIN_FILL_SHARE || sampledShare > 1 - MIN_FILL_SHARE) return undefined;

  const out = new Uint8Array(width * height * 3);
  for (let p = 0, i = 0, o = 0; p < width * height; p++, i += channels, o += 3) {
    out[o] = rgb[i]!;
    out[o + 1] = rgb[i + 1]!;
    out[o + 2] = rgb[i + 2]!;
  }
  const filled = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  let top = 0;
  const visit = (p: number) => {
    if (filled[p] || !isBackground(out, p * 3)) return;
    filled[p] = 1;
    stack[top++] = p;
  };
  for (let x = 0; x < width; x++) {
    visit(x);
    visit((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    visit(y * width);
    visit(y * width + width - 1);
  }
  let count = 0;
  while (top > 0) {
    const p = stack[--top]!;
    count++;
    out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = 255;
    const x = p % width;
    if (x > 0) visit(p - 1);
    if (x < width - 1) visit(p + 1);
    if (p >= width) visit(p - width);
    if (p < (height - 1) * width) visit(p + width);
  }
  const share = count / (width * height);
  return share < MIN_FILL_SHARE || share > 1 - MIN_FILL_SHARE ? undefined : out;
}
