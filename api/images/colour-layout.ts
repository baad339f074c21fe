/**
 * A colour layout: the mean opponent chroma (red–green, yellow–blue) of a 4×4 grid of the picture, 32
 * signed bytes as 64 hex characters. PDQ sees luma only, so two colourways of one design (the same
 * drawing in other colours) can hash within a few bits of each other; their hues differ where both are
 * coloured, while a re-posted copy keeps its hues through re-encoding, resizing, brightness, contrast,
 * gamma and saturation edits, and a greyscale copy has no chroma left to compare.
 */
const GRID = 4;
/** Below this chroma (of ±128) a cell is grey enough that its hue means nothing. */
const MIN_CHROMA = 12;
/**
 * Two dim pictures (no cell of either reaches MIN_CHROMA: dark wallpapers tinted olive or slate, chroma
 * 7–8) are compared from this chroma. Only between dim pictures: a transparent work's copy flattened on a
 * colour mixes the background into its edge cells, whose faint hues turn (measured on the tuning part:
 * 6 everywhere lost 5 of 161 such copies; between dim pictures re-encoding, resizing, brightness, gamma,
 * contrast, saturation and blur turned no copy's hues at 8, 6, 5 or 4).
 */
const DIM_CHROMA = 6;
/** Hue turned by more than this (degrees, median over the cells coloured in both) makes a colourway. */
const COLOURWAY_TURN = 40;
/** Fewer coloured cells in common than this and nothing is concluded. */
const MIN_CELLS = 3;

/** The layout of interleaved 8-bit pixels (3 or 4 channels; grey images have no chroma: undefined). */
export function colourLayout(data: Uint8Array, width: number, height: number, channels: number): string | undefined {
  if (channels < 3) return undefined;
  const sums = new Float64Array(GRID * GRID * 4);
  // Every other pixel on every other row: the means of 16 cells need far fewer than 512 × 512.
  for (let y = 0; y < height; y += 2) {
    const row = Math.min(GRID - 1, Math.floor((y * GRID) / height)) * GRID;
    for (let x = 0; x < width; x += 2) {
      const cell = (row + Math.min(GRID - 1, Math.floor((x * GRID) / width))) * 4;
      const p = (y * width + x) * channels;
      sums[cell]! += data[p]!;
      sums[cell + 1]! += data[p + 1]!;
      sums[cell + 2]! += data[p + 2]!;
      sums[cell + 3]!++;
    }
  }
  const bytes = Buffer.alloc(GRID * GRID * 2);
  for (let c = 0; c < GRID * GRID; c++) {
    const n = Math.max(1, sums[c * 4 + 3]!);
    const [r, g, b] = [sums[c * 4]! / n, sums[c * 4 + 1]! / n, sums[c * 4 + 2]! / n];
    bytes.writeInt8(clampByte((r - g) / 2), c * 2);
    bytes.writeInt8(clampByte(((r + g) / 2 - b) / 2), c * 2 + 1);
  }
  return bytes.toString('hex');
}

const clampByte = (v: number) => Math.max(-128, Math.min(127, Math.round(v)));

/** How many cells of a layout are coloured enough for their hue to count. */
export function colouredCells(layout: string | undefined | null): number {
  if (!layout) return 0;
  const x = Buffer.from(layout, 'hex');
  let n = 0;
  for (let c = 0; c < x.length; c += 2) if (Math.hypot(x.readInt8(c), x.readInt8(c + 1)) >= MIN_CHROMA) n++;
  return n;
}

/** Whether one layout has hues and the other none: a greyscale copy, or a colourway in greys. */
export function colourOnOneSideOnly(a: string | undefined | null, b: string | undefined | null): boolean {
  const [x, y] = [colouredCells(a), colouredCells(b)];
  return Math.min(x, y) === 0 && Math.max(x, y) >= MIN_CELLS;
}

/** The mean chroma difference of two layouts' cells (of ±128): how far apart their colours are. */
export function chromaDistance(a: string | undefined | null, b: string | undefined | null): number {
  if (!a || !b || a.length !== b.length) return 0;
  const [x, y] = [Buffer.from(a, 'hex'), Buffer.from(b, 'hex')];
  let sum = 0;
  for (let c = 0; c < x.length; c += 2) sum += Math.hypot(x.readInt8(c) - y.readInt8(c), x.readInt8(c + 1) - y.readInt8(c + 1));
  return sum / (x.length / 2);
}

/**
 * True when two layouts have the same arrangement in other hues: a colourway, not a copy. A copy that
 * matched through a rotated or mirrored variant has its grid turned too: with `anyOrientation`, the
 * layouts are a colourway only when no rotation or mirror of `a` has the hues of `b`.
 */
export function isColourway(
  a: string | undefined | null,
  b: string | undefined | null,
  options: { anyOrientation?: boolean } = {},
): boolean {
  if (!a || !b || a.length !== b.length) return false;
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  const orientations = options.anyOrientation ? DIHEDRAL_CELLS : DIHEDRAL_CELLS.slice(0, 1);
  const minChroma = colouredCells(a) === 0 && colouredCells(b) === 0 ? DIM_CHROMA : MIN_CHROMA;
  return orientations.every((cells) => hueTurn(x, y, cells, minChroma) === 'turned');
}

/** Whether the hues of the cells coloured in both (from `minChroma`) turn by more than COLOURWAY_TURN (cell i of `b` against cell cells[i] of `a`). */
function hueTurn(x: Buffer, y: Buffer, cells: readonly number[], minChroma: number): 'turned' | 'kept' | 'unknown' {
  const turns: number[] = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]! * 2;
    const [ar, ay, br, by] = [x.readInt8(c), x.readInt8(c + 1), y.readInt8(i * 2), y.readInt8(i * 2 + 1)];
    if (Math.hypot(ar, ay) < minChroma || Math.hypot(br, by) < minChroma) continue;
    const turn = Math.abs(((Math.atan2(ay, ar) - Math.atan2(by, br)) * 180) / Math.PI) % 360;
    turns.push(Math.min(turn, 360 - turn));
  }
  if (turns.length < MIN_CELLS) return 'unknown';
  turns.sort((p, q) => p - q);
  return turns[turns.length >> 1]! > COLOURWAY_TURN ? 'turned' : 'kept';
}

/** For each of the 8 rotations and mirrors of the grid, the cell of the original each cell reads (identity first). */
const DIHEDRAL_CELLS: readonly (readonly number[])[] = (() => {
  const last = GRID - 1;
  const maps: ((r: number, c: number) => [number, number])[] = [
    (r, c) => [r, c],
    (r, c) => [c, last - r],
    (r, c) => [last - r, last - c],
    (r, c) => [last - c, r],
    (r, c) => [r, last - c],
    (r, c) => [last - r, c],
    (r, c) => [c, r],
    (r, c) => [last - c, last - r],
  ];
  return maps.map((map) =>
    Array.from({ length: GRID * GRID }, (_, i) => {
      const [r, c] = map(Math.floor(i / GRID), i % GRID);
      return r * GRID + c;
    }),
  );
})();
