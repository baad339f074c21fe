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

/**
 * The centred windows a work is indexed under. Every query hashes the whole ladder and compares each
 * rung with the work's 'crop-72' (a centred crop to 1 − c meets it at rung 0.72 / (1 − c)), so the
 * stored side needs only a few rungs (scripts/bench-robustness.ts, docs/matching.md).
 */
export const STORED_CROP_SCALES: readonly number[] = [0.92, 0.81, 0.72];

const MIN_WINDOW = 32;

export function cropWindows(width: number, height: number, scales: readonly number[] = CROP_SCALES): Window[] {
  const windows: Window[] = [];
  for (const scale of scales) {
    const w = Math.round(width * scale);
    const h = Math.round(height * scale);
    if (w < MIN_WINDOW || h < MIN_WINDOW) continue;
    windows.push({
      label: `crop-${Math.round(scale * 100)}`,
      x: Math.round((width - w) / 2),
      y: Math.round((height - h) / 2),
      width: w,
      height: h,
    });
  }
  return windows;
}

/** A side or corner a window is anchored to: which edges of the image it keeps. */
type Anchor = 'l' | 'r' | 't' | 'b' | 'tl' | 'tr' | 'bl' | 'br';
const ANCHORS: readonly Anchor[] = ['l', 'r', 't', 'b', 'tl', 'tr', 'bl', 'br'];

/**
 * Windows anchored to a side (full along the other axis) or a corner, stored for every work: a copy
 * cropped on one side or at a corner keeps the opposite edges, so it shares them with the window
 * anchored there. With the query's own anchored views (viewWindows) a stored window of scale s is
 * found for crops c = 1 − s/q: scale 0.85 with views of 1 (the whole copy), 0.97, 0.94, 0.91 and 0.88
 * meets crops of 15, 12.4, 9.6, 6.6 and 3.4 %, each step within ~1.5 % of one (PDQ tolerates ~2–3 %);
 * one stored scale keeps the index small, the query pays instead (docs/matching.md).
 */
export const ANCHORED_SCALES: readonly number[] = [0.85];
/** The query's anchored views: the whole query (scale 1, its global hash) and these. */
export const VIEW_SCALES: readonly number[] = [0.97, 0.94, 0.91, 0.88];

export const ANCHORED_PREFIX = 'edge-';
export const VIEW_PREFIX = 'view-';

function anchored(prefix: string, anchor: Anchor, scale: number, width: number, height: number): Window | undefined {
  const horizontal = anchor.includes('l') || anchor.includes('r');
  const vertical = anchor.includes('t') || anchor.includes('b');
  const w = horizontal ? Math.round(width * scale) : width;
  const h = vertical ? Math.round(height * scale) : height;
  if (w < MIN_WINDOW || h < MIN_WINDOW) return undefined;
  return {
    label: `${prefix}${anchor}${Math.round(scale * 100)}`,
    x: anchor.includes('r') ? width - w : 0,
    y: anchor.includes('b') ? height - h : 0,
    width: w,
    height: h,
  };
}

/** The stored side and corner windows ('edge-r88' keeps the right 88 %, 'edge-tl80' the top-left corner). */
export function anchoredWindows(width: number, height: number, scales: readonly number[] = ANCHORED_SCALES): Window[] {
  return scales
    .flatMap((scale) => ANCHORS.map((a) => anchored(ANCHORED_PREFIX, a, scale, width, height)))
    .filter((w): w is Window => w !== undefined);
}

/** The query's views anchored the same way ('view-r94'), compared with the stored anchored windows. */
export function viewWindows(width: number, height: number, scales: readonly number[] = VIEW_SCALES): Window[] {
  return scales
    .flatMap((scale) => ANCHORS.map((a) => anchored(VIEW_PREFIX, a, scale, width, height)))
    .filter((w): w is Window => w !== undefined);
}

/**
 * Centred views moved off the copy's centre along one axis, hashed by every query and compared with the
 * work's centred windows: a copy cropped unevenly (a social re-post trimmed more at the bottom than at
 * the top) has the work's centre off its own. A copy cropped to keep 1 − l − r of the width holds the
 * work's centred window s at a view of s / (1 − l − r), moved by (r − l) / 2 / (1 − l − r) of the width;
 * PDQ tolerates a move of ~1 %, so one step of 2 % on each side of centre covers moves of ~1–3 %
 * (crops that differ by 2–6 % between opposite sides). Two rungs meet the stored 'crop-81' and 'crop-72'
 * for crops of 5–11 % of a side (docs/matching.md).
 */
export const SHIFT_SCALES: readonly number[] = [0.88, 0.78];
export const SHIFT_STEP = 0.02;
export const SHIFT_PREFIX = 'shift-';

export function shiftedWindows(width: number, height: number): Window[] {
  const moves: [string, number, number][] = [
    ['l', -1, 0],
    ['r', 1, 0],
    ['t', 0, -1],
    ['b', 0, 1],
  ];
  return SHIFT_SCALES.flatMap((scale) => {
    const w = Math.round(width * scale);
    const h = Math.round(height * scale);
    if (w < MIN_WINDOW || h < MIN_WINDOW) return [];
    return moves.map(([side, dx, dy]) => ({
      label: `${SHIFT_PREFIX}${side}${Math.round(scale * 100)}`,
      x: Math.round((width - w) / 2 + dx * SHIFT_STEP * width),
      y: Math.round((height - h) / 2 + dy * SHIFT_STEP * height),
      width: w,
      height: h,
    }));
  });
}

/**
 * Windows keeping one part of the picture along its longer axis, stored for every work and hashed by
 * every query alike: a logo, sticker or caption over a corner or an end (up to ~10 % of the area) leaves
 * the part at the other end untouched, so the copy's part window is the work's own. Two windows (left
 * and right, or top and bottom) leave out any one corner; 62 % keeps the window clear of a round sticker
 * of 8 % of a square picture's area (docs/matching.md).
 */
export const PART_SCALE = 0.62;
export const PART_PREFIX = 'part-';

export function partWindows(width: number, height: number): Window[] {
  const anchors: Anchor[] = width >= height ? ['l', 'r'] : ['t', 'b'];
  return anchors.map((a) => anchored(PART_PREFIX, a, PART_SCALE, width, height)).filter((w): w is Window => w !== undefined);
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
  const minWidth = Math.max(MIN_WINDOW, width * 0.4);
  const minHeight = Math.max(MIN_WINDOW, height * 0.4);
  // Each opposite side is walked only as deep as can still leave a large enough window: a smooth
  // picture (a sky, a studio backdrop) would otherwise be walked line by line to its middle.
  const top = borderDepth(luma, { start: 0, step: 1, next: width, length: width }, height / 2);
  const bottom = borderDepth(
    luma,
    { start: (height - 1) * width, step: 1, next: -width, length: width },
    Math.min(height / 2, height - top - minHeight + 1),
  );
  const h = height - top - bottom;
  if (h < minHeight) return undefined;
  const left = borderDepth(luma, { start: 0, step: width, next: 1, length: height }, width / 2);
  const right = borderDepth(
    luma,
    { start: width - 1, step: width, next: -1, length: height },
    Math.min(width / 2, width - left - minWidth + 1),
  );
  const w = width - left - right;
  const trimmedEnough = top + bottom >= MIN_BORDER * height || left + right >= MIN_BORDER * width;
  if (!trimmedEnough || w < minWidth) return undefined;
  return { label: 'trimmed', x: left, y: top, width: w, height: h };
}

/** The content on a uniform page under a bar (regions.ts pageWindow): a picture shown in an app or a browser. */
export const PAGED_LABEL = 'paged';
/** A bar (a title bar, a toolbar) takes at most this share of the height. */
const MAX_BAR = 0.3;
/**
 * A page line's mean may differ from the page's colour by this much (JPEG noise moves it less than 1):
 * a picture's light sky or white margin passes FLAT_TOLERANCE against the page, but is a shade off it.
 */
const PAGE_SHADE = 3;

/**
 * The content box on a uniform page below a bar: a picture shown in a browser or an app, whose toolbar
 * across the top is no uniform border, so contentWindow finds nothing (its left and right columns cross
 * the bar too). The page's colour is the bottom line's; the bar is the lines above the first line of
 * that colour; below it the content is trimmed to the lines that are not the page, the side columns
 * read below the bar only. Unlike framedWindow it needs no edge around the picture: a sprite on the
 * page, or a photo whose light sky fades into the page, is found too. Undefined when there is no such
 * bar and page.
 */
export function pageWindow(luma: Float32Array, width: number, height: number): Window | undefined {
  const page = lineMedian(luma, (height - 1) * width, 1, width);
  const isPage = (side: Side, k: number) => {
    const allowedOff = side.length - Math.ceil(FLAT_SHARE * side.length);
    let [off, sum] = [0, 0];
    for (let i = 0, p = side.start + k * side.next; i < side.length; i++, p += side.step) {
      sum += luma[p]!;
      if (Math.abs(luma[p]! - page) > FLAT_TOLERANCE && ++off > allowedOff) return false;
    }
    return Math.abs(sum / side.length - page) <= PAGE_SHADE;
  };
  const depth = (side: Side, limit: number) => {
    let k = 0;
    while (k < limit && isPage(side, k)) k++;
    return k;
  };
  const rows: Side = { start: 0, step: 1, next: width, length: width };
  if (isPage(rows, 0)) return undefined;
  let bar = 1;
  while (bar < MAX_BAR * height && !isPage(rows, bar)) bar++;
  if (bar >= MAX_BAR * height) return undefined;
  const below = height - bar;
  const minWidth = Math.max(MIN_WINDOW, width * 0.4);
  const minHeight = Math.max(MIN_WINDOW, below * 0.4);
  const top = bar + depth({ ...rows, start: bar * width }, below / 2);
  const bottom = depth({ start: (height - 1) * width, step: 1, next: -width, length: width }, height - top - minHeight + 1);
  const h = height - top - bottom;
  if (h < minHeight || bottom < 1) return undefined;
  const column = (x: number, next: number): Side => ({ start: top * width + x, step: width, next, length: h });
  const left = depth(column(0, 1), width / 2);
  const right = depth(column(width - 1, -1), Math.min(width / 2, width - left - minWidth + 1));
  const w = width - left - right;
  if (w < minWidth || left < 1 || right < 1) return undefined;
  return { label: PAGED_LABEL, x: left, y: top, width: w, height: h };
}

/**
 * Lines of the plane walked in from one side: line k starts at `start + k * next` and has `length`
 * values `step` apart.
 */
interface Side {
  start: number;
  step: number;
  next: number;
  length: number;
}

/** How many lines from the edge inwards (up to `limit`) stay flat around the outermost line's median. */
function borderDepth(luma: Float32Array, side: Side, limit: number): number {
  const reference = lineMedian(luma, side.start, side.step, side.length);
  // More than this many pixels off the reference and the line is not padding.
  const allowedOff = side.length - Math.ceil(FLAT_SHARE * side.length);
  let depth = 0;
  while (depth < limit && isFlat(luma, side.start + depth * side.next, side.step, side.length, reference, allowedOff)) depth++;
  return depth;
}

function isFlat(luma: Float32Array, start: number, step: number, length: number, reference: number, allowedOff: number): boolean {
  let off = 0;
  for (let i = 0, p = start; i < length; i++, p += step) {
    if (Math.abs(luma[p]! - reference) > FLAT_TOLERANCE && ++off > allowedOff) return false;
  }
  return true;
}

function lineMedian(luma: Float32Array, start: number, step: number, length: number): number {
  const values = new Float32Array(length);
  for (let i = 0, p = start; i < length; i++, p += step) values[i] = luma[p]!;
  values.sort();
  return values[length >> 1]!;
}
