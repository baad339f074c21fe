/**
 * The picture inside a screenshot: an app or browser window (a title bar, a toolbar, margins) around an
 * upright rectangle. Unlike letterbox bars (regions.ts contentWindow), the frame is not uniform, so
 * the picture is found by its outline instead: four straight edges that agree on one rectangle.
 *
 * Each side is judged by how much of it shows an edge, not by one unbroken run: where the picture is
 * the frame's colour for a while (a light sky against a light page, a white margin in a colouring page)
 * its edge fades out, and most of the side still shows it. A side's edge must also stop at the
 * rectangle's corners: a toolbar's lower edge runs on past them.
 */
import type { Window } from './regions.ts';

export const FRAMED_LABEL = 'framed';

/** Luma step across a picture's edge (the frame's grey against a picture's white margin is ~8); chosen on the tuning part. */
const EDGE_STEP = 3;
/** Gaps (JPEG ringing, a pixel of the picture the colour of the frame) bridged inside a stretch of edge, in pixels. */
const EDGE_GAP = 3;
/** Shorter stretches of edge are a picture's own detail next to a flat patch, not a side. */
const MIN_STRETCH = 4;
/** A picture side at least this share of the image's side. */
const MIN_SIDE = 0.35;
/** Share of each side of the rectangle that must show an edge. */
const SIDE_COVER = 0.6;
/** Share of the stretch just past a corner that may still show the same edge (it is another line's, if more). */
const PAST_CORNER_COVER = 0.5;
/** How far (share of the side's line) from a corner a side's edge may start and still reach it. */
const CORNER_TOLERANCE = 0.01;
/** Lines inside a found side where a stronger one is looked for (JPEG rings within a block of 8). */
const SETTLE_REACH = 7;
/** Mean luma a line may differ by from the frame next to a side and still be the frame (JPEG ringing). */
const FRAME_GREY = 4;
/** A frame takes at least this share of the image (a title bar and margins), or it is the picture's own border. */
const MAX_AREA = 0.9;
/** Luma a frame may vary by across and along its lines next to the picture (JPEG noise, a gradient). */
const FRAME_FLAT = 12;
/** Lines kept per direction: a picture's sides are among those with the most edge; the cap bounds the search. */
const MAX_CANDIDATES = 48;

/** One line boundary's stretches of edge. */
interface EdgeLine {
  /** The line (row or column) the step is centred on: its two neighbours differ by more than EDGE_STEP. */
  at: number;
  /** Edge positions before each position along the line (length + 1 entries): coverage in O(1). */
  before: Int32Array;
  total: number;
}

type Side = 'top' | 'bottom' | 'left' | 'right';
/** Which lines a side lies along, and which way its picture lies from it. */
const SIDES: Record<Side, { along: 'rows' | 'columns'; inward: 1 | -1 }> = {
  top: { along: 'rows', inward: 1 },
  bottom: { along: 'rows', inward: -1 },
  left: { along: 'columns', inward: 1 },
  right: { along: 'columns', inward: -1 },
};

interface Plane {
  luma: Float32Array;
  width: number;
  height: number;
}

/**
 * The upright rectangle inside the image whose four sides are straight luma edges with a flat frame
 * outside them, the largest such, or undefined. A rectangle that is the whole image, or that leaves no
 * margin on any side, is not a frame.
 */
export function framedWindow(luma: Float32Array, width: number, height: number): Window | undefined {
  if (width < 64 || height < 64) return undefined;
  const plane = { luma, width, height };
  const tops = edgeLines(plane, 'rows', 'before');
  const bottoms = edgeLines(plane, 'rows', 'after');
  const lefts = edgeLines(plane, 'columns', 'before');
  const rights = edgeLines(plane, 'columns', 'after');
  let best: Record<Side, EdgeLine> | undefined;
  let bestArea = 0;
  const [leftCandidates, rightCandidates] = [strongest(lefts), strongest(rights)];
  for (const top of strongest(tops)) {
    for (const bottom of strongest(bottoms)) {
      const h = bottom.at - top.at;
      if (top.at <= 0 || bottom.at >= height || h < MIN_SIDE * height) continue;
      const ls = leftCandidates.filter((l) => isSide(l, top.at, bottom.at, height));
      const rs = rightCandidates.filter((r) => isSide(r, top.at, bottom.at, height));
      for (const left of ls) {
        for (const right of rs) {
          const w = right.at - left.at;
          if (left.at <= 0 || right.at >= width || w < MIN_SIDE * width || w * h > MAX_AREA * width * height) continue;
          if (w * h <= bestArea || !isSide(top, left.at, right.at, width) || !isSide(bottom, left.at, right.at, width)) continue;
          const candidate = { top, bottom, left, right };
          if (!hasCorners(candidate)) continue;
          best = candidate;
          bestArea = w * h;
        }
      }
    }
  }
  if (!best) return undefined;
  const x = settle(plane, 'left', lefts, best.left, best.top.at, best.bottom.at);
  const y = settle(plane, 'top', tops, best.top, best.left.at, best.right.at);
  const right = settle(plane, 'right', rights, best.right, best.top.at, best.bottom.at);
  const bottom = settle(plane, 'bottom', bottoms, best.bottom, best.left.at, best.right.at);
  const inside = [x, y, right, bottom].every(Number.isFinite) && x >= 0 && y >= 0 && right <= width && bottom <= height;
  if (!inside || right - x < 1 || bottom - y < 1) return undefined;
  return { label: FRAMED_LABEL, x, y, width: right - x, height: bottom - y };
}

const coverage = (line: EdgeLine, from: number, to: number, length: number): number => {
  const a = Math.max(0, from);
  const b = Math.min(length - 1, to);
  return b < a ? 0 : (line.before[b + 1]! - line.before[a]!) / (b - a + 1);
};

/** The line shows an edge along most of [from, to), and not on past either end. */
function isSide(line: EdgeLine, from: number, to: number, length: number): boolean {
  if (line.total < SIDE_COVER * (to - from) || coverage(line, from, to - 1, length) < SIDE_COVER) return false;
  // Read a little away from the corner: JPEG rings the frame around it within its block.
  const past = Math.max(4, Math.round(0.03 * length));
  return (
    coverage(line, from - 2 * past, from - past, length) < PAST_CORNER_COVER &&
    coverage(line, to + past - 1, to + 2 * past - 1, length) < PAST_CORNER_COVER
  );
}

/** Where the line's first edge at or after `from` is, or its last before `to` (binary search on the running count). */
function edgeNear(line: EdgeLine, from: number, to: number, end: 'start' | 'end'): number | undefined {
  const { before } = line;
  if (before[to]! - before[from]! === 0) return undefined;
  let [lo, hi] = [from, to - 1];
  while (lo < hi) {
    if (end === 'start') {
      const mid = (lo + hi) >> 1;
      if (before[mid + 1]! > before[from]!) hi = mid;
      else lo = mid + 1;
    } else {
      const mid = (lo + hi + 1) >> 1;
      if (before[to]! > before[mid]!) lo = mid;
      else hi = mid - 1;
    }
  }
  return lo;
}

/**
 * Each corner is reached by the edge of at least one of its two sides (a light corner of the picture
 * may fade into the frame on one of them). A shape inside the frame's own bars (an address field in a
 * toolbar) lines up with a picture's sides, but its edges end far from the picture's corners.
 */
function hasCorners({ top, bottom, left, right }: Record<Side, EdgeLine>): boolean {
  const reaches = (line: EdgeLine, from: number, to: number, end: 'start' | 'end') => {
    const at = edgeNear(line, from, to, end);
    const tolerance = CORNER_TOLERANCE * (line.before.length - 1) + 1;
    return at !== undefined && (end === 'start' ? at - from : to - 1 - at) <= tolerance;
  };
  const across = (line: EdgeLine, end: 'start' | 'end') => reaches(line, left.at, right.at, end);
  const down = (line: EdgeLine, end: 'start' | 'end') => reaches(line, top.at, bottom.at, end);
  return (
    (across(top, 'start') || down(left, 'start')) &&
    (across(top, 'end') || down(right, 'start')) &&
    (across(bottom, 'start') || down(left, 'end')) &&
    (across(bottom, 'end') || down(right, 'end'))
  );
}

/**
 * The boundary near the side `line` settled to the line between pixels. JPEG rings a flat frame in weak
 * steps up to a block away from a picture's edge, and the side found (the outermost) may be one of them:
 * the side moves inwards to a line within SETTLE_REACH with a larger mean step that is a side along
 * [from, to), when what lies between is still the frame's grey (or, within two lines, a blend of it
 * with the picture): a picture's own margin is not. Its edge shows on the two or three lines around it (steps are read two lines
 * apart, and a resized copy blends one line): their mean steps, where at least half the largest,
 * centre on the boundary minus a half (an edge between lines k and k + 1 shows on both).
 */
function settle(plane: Plane, side: Side, lines: Map<number, EdgeLine>, line: EdgeLine, from: number, to: number): number {
  const { along, inward } = SIDES[side];
  const { luma, width, height } = plane;
  const [count, lineStride, step, length] = along === 'rows' ? [height, width, 1, width] : [width, 1, width, height];
  const valid = (a: number) => a >= 0 && a < count;
  const mean = (a: number) => {
    let sum = 0;
    for (let i = from; i < to; i++) sum += luma[a * lineStride + i * step]!;
    return sum / (to - from);
  };
  const meanStep = (a: number) => {
    if (!valid(a - 1) || !valid(a + 1)) return 0;
    let sum = 0;
    for (let i = from; i < to; i++) sum += Math.abs(luma[(a + 1) * lineStride + i * step]! - luma[(a - 1) * lineStride + i * step]!);
    return sum / (to - from);
  };
  const outside = [line.at - 2 * inward, line.at - 3 * inward].filter(valid);
  const frame = outside.length ? outside.reduce((s, a) => s + mean(a), 0) / outside.length : undefined;
  // Next to the side found, a line may blend the frame with the picture; further in, only the frame may lie between.
  // (JPEG overshoots next to a strong edge: twice the frame's tolerance).
  const isBetween = (v: number, a: number, b: number) => v >= Math.min(a, b) - 2 * FRAME_GREY && v <= Math.max(a, b) + 2 * FRAME_GREY;
  let core = line.at;
  let strongestStep = meanStep(core);
  for (let d = 1; d <= SETTLE_REACH && frame !== undefined; d++) {
    const a = line.at + d * inward;
    const before = mean(a - inward);
    if (!valid(a) || (d <= 2 ? !isBetween(before, frame, mean(a)) : Math.abs(before - frame) > FRAME_GREY)) break;
    const near = lines.get(a);
    if (!near || !isSide(near, from, to, length)) continue;
    const m = meanStep(a);
    if (m > strongestStep) [core, strongestStep] = [a, m];
  }
  // The frame side of the boundary holds no picture: its steps are the edge's. On the picture side, a
  // picture's own lines just inside a weak edge step far more than it: they are not part of it.
  const reference = Math.max(...[0, 1, 2].map((d) => meanStep(core - d * inward)));
  const steps = [-2, -1, 0, 1, 2]
    .map((d) => [core + d * inward, meanStep(core + d * inward), d] as const)
    .filter(([, m, d]) => m >= reference / 2 && (d <= 0 || m <= reference * 2));
  const centre = steps.reduce((s, [a, m]) => s + a * m, 0) / steps.reduce((s, [, m]) => s + m, 0);
  return Math.round(centre + 0.5);
}

const strongest = (lines: Map<number, EdgeLine>): EdgeLine[] =>
  [...lines.values()].sort((a, b) => b.total - a.total).slice(0, MAX_CANDIDATES);

/**
 * For each line boundary (between row y − 1 and y, or column x − 1 and x), the positions where the luma
 * steps by more than EDGE_STEP and the frame on the `outside` of the boundary (the lines before it or
 * after it) is flat, in stretches of at least MIN_STRETCH with gaps of up to EDGE_GAP bridged; kept when
 * they add up to a side's least share. Requiring the flat frame keeps a picture's own lines (a horizon,
 * a texture's strokes) out, however detailed the picture.
 */
function edgeLines(plane: Plane, along: 'rows' | 'columns', outside: 'before' | 'after'): Map<number, EdgeLine> {
  const { luma, width, height } = plane;
  const [lines, length] = along === 'rows' ? [height, width] : [width, height];
  // Index of position i on line l: l * lineStride + i * step (no closure: this loop reads every pixel five times).
  const [lineStride, step] = along === 'rows' ? [width, 1] : [1, width];
  const minimum = MIN_SIDE * SIDE_COVER * length;
  const found = new Map<number, EdgeLine>();
  const stretches: number[] = [];
  // Compared two lines apart: a resized copy spreads an edge over two lines, halving each step. The frame
  // is read two and three lines out from the boundary, past the blended line and most JPEG ringing.
  for (let line = 2; line < lines; line++) {
    const near = outside === 'before' ? line - 3 : line + 1;
    const far = outside === 'before' ? line - 4 : line + 2;
    if (far < 0 || far >= lines) continue;
    const [a, b, n, f] = [line * lineStride, (line - 2) * lineStride, near * lineStride, far * lineStride];
    const isEdge = (i: number) => {
      const o = i * step;
      return (
        Math.abs(luma[a + o]! - luma[b + o]!) > EDGE_STEP &&
        Math.abs(luma[n + o]! - luma[f + o]!) <= FRAME_FLAT &&
        (i === 0 || Math.abs(luma[n + o]! - luma[n + o - step]!) <= FRAME_FLAT)
      );
    };
    stretches.length = 0;
    let total = 0;
    let start = -1;
    let count = 0;
    let lastEdge = -EDGE_GAP - 2;
    for (let i = 0; i <= length; i++) {
      const o = i * step;
      const edge =
        i < length &&
        Math.abs(luma[a + o]! - luma[b + o]!) > EDGE_STEP &&
        Math.abs(luma[n + o]! - luma[f + o]!) <= FRAME_FLAT &&
        (i === 0 || Math.abs(luma[n + o]! - luma[n + o - step]!) <= FRAME_FLAT);
      if (edge) {
        if (i - lastEdge > EDGE_GAP + 1) {
          start = i;
          count = 0;
        }
        lastEdge = i;
        count++;
      } else if (i - lastEdge > EDGE_GAP || i === length) {
        if (start >= 0 && lastEdge - start + 1 >= MIN_STRETCH) {
          // Only the positions that step count: bridging makes stretches of noise too, sparse ones.
          total += count;
          stretches.push(start, lastEdge);
        }
        start = -1;
        // Not enough of the line is left to reach a side's least share.
        if (total + length - i < minimum) break;
      }
    }
    if (total < minimum) continue;
    const before = new Int32Array(length + 1);
    let next = 0;
    for (let k = 0; k < stretches.length; k += 2) {
      const [from, to] = [stretches[k]!, stretches[k + 1]!];
      before.fill(before[next]!, next + 1, from + 1);
      for (let i = from; i <= to; i++) before[i + 1] = before[i]! + (isEdge(i) ? 1 : 0);
      next = to + 1;
    }
    before.fill(before[next]!, next + 1);
    found.set(line - 1, { at: line - 1, before, total });
  }
  return found;
}
