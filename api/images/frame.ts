/**
 * The picture inside a screenshot: an app or browser window (a title bar, a toolbar, margins) around an
 * upright rectangle. Unlike letterbox bars (regions.ts contentWindow), the frame is not uniform, so
 * the picture is found by its outline instead: four straight edges that agree on one rectangle.
 */
import type { Window } from './regions.ts';

export const FRAMED_LABEL = 'framed';

/** Luma step across a picture's edge (the frame's grey against a picture's white margin is ~8); chosen on the tuning part. */
const EDGE_STEP = 3;
/** Gaps (JPEG ringing, a pixel of the picture the colour of the frame) an edge may have, in pixels. */
const EDGE_GAP = 3;
/** A picture side at least this share of the image's side; its edges cover this share of each side. */
const MIN_SIDE = 0.35;
const MIN_COVER = 0.7;
/** A frame takes at least this share of the image (a title bar and margins), or it is the picture's own border. */
const MAX_AREA = 0.9;
/** Luma a frame may vary by across and along its lines next to the picture (JPEG noise, a gradient). */
const FRAME_FLAT = 12;
/** How far (share of the image's side) the ends of opposite edges may disagree. */
const END_TOLERANCE = 0.02;

interface Run {
  /** The line (row or column) the step is centred on: its two neighbours differ by more than EDGE_STEP. */
  at: number;
  start: number;
  end: number;
}

/**
 * The upright rectangle inside the image whose four sides are straight luma edges with a flat frame
 * outside them, the largest such, or undefined. A rectangle that is the whole image, or that leaves no
 * margin on any side, is not a frame.
 */
export function framedWindow(luma: Float32Array, width: number, height: number): Window | undefined {
  if (width < 64 || height < 64) return undefined;
  const plane = { luma, width, height };
  const tops = longest(longRuns(plane, 'rows', 'before'));
  const bottoms = longest(longRuns(plane, 'rows', 'after'));
  const lefts = longRuns(plane, 'columns', 'before');
  const rights = longRuns(plane, 'columns', 'after');
  const tolX = END_TOLERANCE * width + 1;
  const tolY = END_TOLERANCE * height + 1;
  let best: Window | undefined;
  for (const top of tops) {
    for (const bottom of bottoms) {
      if (bottom.at - top.at < MIN_SIDE * height) continue;
      if (Math.abs(bottom.start - top.start) > tolX || Math.abs(bottom.end - top.end) > tolX) continue;
      const x0 = Math.round((top.start + bottom.start) / 2);
      const x1 = Math.round((top.end + bottom.end) / 2);
      const covered = (c: Run) => c.start <= top.at + tolY && c.end >= bottom.at - tolY;
      // The sides' own positions are sharper than where the top and bottom edges fade out.
      const left = nearest(lefts.filter(covered), x0, tolX);
      const right = nearest(rights.filter(covered), x1 + 1, tolX);
      if (!left || !right) continue;
      const w = right.at - left.at;
      const h = bottom.at - top.at;
      const inside = top.at > 0 && left.at > 0 && bottom.at < height && right.at < width;
      if (!inside || w < MIN_SIDE * width || w * h > MAX_AREA * width * height) continue;
      if (!best || w * h > best.width * best.height) best = { label: FRAMED_LABEL, x: left.at, y: top.at, width: w, height: h };
    }
  }
  return best;
}

function nearest(runs: Run[], at: number, tolerance: number): Run | undefined {
  let best: Run | undefined;
  for (const r of runs) if (Math.abs(r.at - at) <= tolerance && (!best || Math.abs(r.at - at) < Math.abs(best.at - at))) best = r;
  return best;
}

/** Edges kept per direction: a picture's sides are among the longest; the cap bounds the search. */
const MAX_CANDIDATES = 48;
const longest = (runs: Run[]) =>
  runs.length <= MAX_CANDIDATES ? runs : [...runs].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, MAX_CANDIDATES);

/**
 * For each line boundary (between row y − 1 and y, or column x − 1 and x), the longest run of positions
 * where the luma steps by more than EDGE_STEP and the frame on the `outside` of the boundary (the lines
 * before it or after it) is flat, bridging gaps of up to EDGE_GAP, kept when it spans at least
 * MIN_SIDE · MIN_COVER of the line. Requiring the flat frame keeps a picture's own lines (a horizon, a
 * texture's strokes) out, however detailed the picture.
 */
function longRuns(
  plane: { luma: Float32Array; width: number; height: number },
  along: 'rows' | 'columns',
  outside: 'before' | 'after',
): Run[] {
  const { luma, width, height } = plane;
  const [lines, length] = along === 'rows' ? [height, width] : [width, height];
  // Index of position i on line l: l * lineStride + i * step (no closure: this loop reads every pixel five times).
  const [lineStride, step] = along === 'rows' ? [width, 1] : [1, width];
  const minimum = MIN_SIDE * MIN_COVER * length;
  const runs: Run[] = [];
  // Compared two lines apart: a resized copy spreads an edge over two lines, halving each step. The frame
  // is read two and three lines out from the boundary, past the blended line and most JPEG ringing.
  for (let line = 2; line < lines; line++) {
    const near = outside === 'before' ? line - 3 : line + 1;
    const far = outside === 'before' ? line - 4 : line + 2;
    if (far < 0 || far >= lines) continue;
    const [a, b, n, f] = [line * lineStride, (line - 2) * lineStride, near * lineStride, far * lineStride];
    let best: Run | undefined;
    let start = -1;
    let lastEdge = -EDGE_GAP - 2;
    for (let i = 0; i <= length; i++) {
      const o = i * step;
      const edge =
        i < length &&
        Math.abs(luma[a + o]! - luma[b + o]!) > EDGE_STEP &&
        Math.abs(luma[n + o]! - luma[f + o]!) <= FRAME_FLAT &&
        (i === 0 || Math.abs(luma[n + o]! - luma[n + o - step]!) <= FRAME_FLAT);
      if (edge) {
        if (i - lastEdge > EDGE_GAP + 1) start = i;
        lastEdge = i;
      } else if (i - lastEdge > EDGE_GAP || i === length) {
        if (start >= 0 && lastEdge - start + 1 >= minimum && (!best || lastEdge - start > best.end - best.start))
          best = { at: line, start, end: lastEdge };
        start = -1;
      }
    }
    if (best) runs.push({ ...best, at: line - 1 });
  }
  return runs;
}
