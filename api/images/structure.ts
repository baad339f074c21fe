/**
 * The structure hash: how light and dark lie across the picture, for works whose PDQ hash carries no
 * picture (api/matching/policy.ts isDegenerate). PDQ thresholds 256 DCT coefficients at their median;
 * a smooth gradient, a near-flat wallpaper or a radially symmetric glow has a handful of coefficients
 * that matter and 250 that are noise, so its hash moves 26–182 bits under a re-save. Its layout of
 * light and dark does not: the mean luma of an 8 × 8 grid, each cell's z-score (against the grid's
 * mean and spread, so brightness and contrast edits leave it alone) written as a thermometer code of
 * four levels. Two hashes' Hamming distance is then the sum over cells of how many levels apart they
 * are. Measured on the tuning part (docs/matching.md): copies of the degenerate works 0–5 bits from
 * their work; the nearest other work 18–52 bits.
 */
const GRID = 8;
/** z-scores the thermometer code cuts at: 4 levels × 64 cells = 256 bits, as a PDQ hash. */
const LEVELS = [-0.8, -0.25, 0.25, 0.8] as const;
/** A grid whose cells spread less than this (grey levels) is uniform: it has no structure to hash. */
const MIN_SPREAD = 0.25;
/** Every other pixel of every other row: a cell is ≥ 32 × 32 sampled pixels of a 512-px working copy. */
const STEP = 2;

/** A structure hash, labelled like the PDQ hash variant it stands beside ('structure', 'structure-rot90' …). */
export interface StructureHash {
  label: string;
  hash: string;
}

export const STRUCTURE_LABEL = 'structure';
/** The structure of a transparent work flattened on black (its main one is flattened on white, as hashed). */
export const STRUCTURE_BLACK_LABEL = 'structure-black';

/** The 8 × 8 mean luma of a plane, sampled every STEP pixels. */
export function lumaGrid(sample: (x: number, y: number) => number, width: number, height: number): Float64Array {
  const sums = new Float64Array(GRID * GRID);
  const counts = new Uint32Array(GRID * GRID);
  for (let y = 0; y < height; y += STEP) {
    const row = Math.min(GRID - 1, Math.floor((y * GRID) / height)) * GRID;
    for (let x = 0; x < width; x += STEP) {
      const cell = row + Math.min(GRID - 1, Math.floor((x * GRID) / width));
      sums[cell]! += sample(x, y);
      counts[cell]!++;
    }
  }
  return sums.map((s, i) => (counts[i] ? s / counts[i]! : 0));
}

/** The hash of a grid, or undefined for a uniform picture. */
export function gridHash(grid: Float64Array): string | undefined {
  const mean = grid.reduce((a, b) => a + b, 0) / grid.length;
  const spread = Math.sqrt(grid.reduce((a, b) => a + (b - mean) ** 2, 0) / grid.length);
  if (spread < MIN_SPREAD) return undefined;
  const bytes = Buffer.alloc(32);
  grid.forEach((value, cell) => {
    const z = (value - mean) / spread;
    let nibble = 0;
    for (const level of LEVELS) nibble = (nibble << 1) | (z > level ? 1 : 0);
    bytes[cell >> 1]! |= cell & 1 ? nibble : nibble << 4;
  });
  return bytes.toString('hex');
}

/**
 * The grid as seen on the image turned or mirrored, in PDQ's DIHEDRAL_LABELS order (api/images/pdq.ts):
 * a copy rotated by quarter turns or flipped has one of these grids (cell for cell on a square grid).
 */
const DIHEDRAL: readonly [string, (x: number, y: number) => [number, number]][] = [
  ['', (x, y) => [x, y]],
  ['-rot90', (x, y) => [y, GRID - 1 - x]],
  ['-rot180', (x, y) => [GRID - 1 - x, GRID - 1 - y]],
  ['-rot270', (x, y) => [GRID - 1 - y, x]],
  ['-flipx', (x, y) => [x, GRID - 1 - y]],
  ['-flipy', (x, y) => [GRID - 1 - x, y]],
  ['-flip-plus1', (x, y) => [y, x]],
  ['-flip-minus1', (x, y) => [GRID - 1 - y, GRID - 1 - x]],
];

function turnedGrid(grid: Float64Array, source: (x: number, y: number) => [number, number]): Float64Array {
  const out = new Float64Array(GRID * GRID);
  for (let y = 0; y < GRID; y++)
    for (let x = 0; x < GRID; x++) {
      const [sx, sy] = source(x, y);
      out[y * GRID + x] = grid[sy * GRID + sx]!;
    }
  return out;
}

/**
 * The structure hashes of an image: of its luma as hashed (flattened on white) in the 8 orientations,
 * and, for a transparent image, of its black flatten (upright). Uniform pictures have none.
 */
export function structureHashes(
  luma: ArrayLike<number>,
  pixels: { data: Uint8Array; width: number; height: number; channels: number },
  transparent: boolean,
): StructureHash[] {
  const { data, width, height, channels } = pixels;
  const grid = lumaGrid((x, y) => luma[y * width + x]!, width, height);
  const hashes: StructureHash[] = [];
  for (const [suffix, source] of DIHEDRAL) {
    const hash = gridHash(suffix ? turnedGrid(grid, source) : grid);
    if (hash) hashes.push({ label: STRUCTURE_LABEL + suffix, hash });
  }
  if (transparent && channels === 4) {
    // Flattened on white a pixel's luma is a·Y + (1 − a)·255; on black it is a·Y: 255 − alpha less.
    const onBlack = lumaGrid((x, y) => luma[y * width + x]! - 255 + data[(y * width + x) * 4 + 3]!, width, height);
    const hash = gridHash(onBlack);
    if (hash) hashes.push({ label: STRUCTURE_BLACK_LABEL, hash });
  }
  return hashes;
}

/** The orientation a query structure hash stands for, as a PDQ dihedral label ('structure-rot90' → 'rot90'). */
export const structureOrientation = (label: string): string =>
  label === STRUCTURE_LABEL || label === STRUCTURE_BLACK_LABEL ? 'global' : label.slice(STRUCTURE_LABEL.length + 1);

export const isStructureLabel = (label: string): boolean => label === STRUCTURE_LABEL || label.startsWith(`${STRUCTURE_LABEL}-`);
