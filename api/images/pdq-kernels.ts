/**
 * The loops over pixels behind every fingerprint — PDQ's luminance, CIE L* at half resolution, the
 * clipped-highlights cap, the tent-filter sums, the DCT and the quality — run in WebAssembly
 * (api/images/pdq-wasm/kernels.ts, built by `npm run build:wasm`), bit for bit what the TypeScript loops
 * they replaced computed (tests/images/golden-hashes.test.ts). This module owns the WebAssembly memory:
 * the DCT matrix, the lightness tables and the tap tables it has placed, and one plane at a time.
 */
import fs from 'node:fs';
import type { TapTable } from './pdq-taps.ts';
import { tentTaps } from './pdq-taps.ts';

export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Kernels {
  transpose(src: number, width: number, height: number, dst: number, dstHeight: number): void;
  horizontal(
    transposed: number,
    columnHeight: number,
    col0: number,
    dir: number,
    row0: number,
    rows: number,
    starts: number,
    counts: number,
    stride: number,
    weights: number,
    flip: boolean,
    out: number,
  ): void;
  vertical(
    sums: number,
    firstRow: number,
    height: number,
    mirrored: boolean,
    starts: number,
    counts: number,
    stride: number,
    weights: number,
    block: number,
  ): void;
  dct(block: number, matrix: number, scratch: number, out: number): void;
  quality(block: number): number;
  luma(pixels: number, width: number, height: number, channels: number, out: number, transposed: number, columnHeight: number): void;
  halfLightness(pixels: number, width: number, height: number, channels: number, tables: number, lightnessSteps: number, out: number): void;
  clipBrightest(plane: number, count: number, keep: number, histogram: number, bins: number): void;
  medianThreshold(dct: number, scratch: number, words: number): void;
}

const WASM_URL = new URL('./pdq-wasm/kernels.wasm', import.meta.url);
const PAGE = 65_536;
const BLOCK_BYTES = 64 * 64 * 4;

// Fixed layout at the start of the memory; the tap tables follow, then the current plane's buffers.
const MATRIX = 0; // 16 × 64 f32
const DCT_SCRATCH = MATRIX + 16 * 64 * 4; // 16 × 64 f32
const DCT_OUT = DCT_SCRATCH + 16 * 64 * 4; // 16 × 16 f32
const THRESHOLD_IN = DCT_OUT + 256 * 4; // 256 f32
const THRESHOLD_SCRATCH = THRESHOLD_IN + 256 * 4; // 256 f32
const THRESHOLD_WORDS = THRESHOLD_SCRATCH + 256 * 4; // 16 u16, padded to 64 bytes
const BLOCKS = THRESHOLD_WORDS + 64; // 4 × 64 × 64 f32: [0] reference taps, [1] columns mirrored, [2] rows mirrored, [3] both
const HISTOGRAM = BLOCKS + 4 * BLOCK_BYTES; // u32 × HISTOGRAM_BINS
const HISTOGRAM_BINS = 2048;
const LIGHTNESS_TABLES = HISTOGRAM + HISTOGRAM_BINS * 4;
const LIGHTNESS_TABLES_CAPACITY = 80 * 1024;
const TAPS = LIGHTNESS_TABLES + LIGHTNESS_TABLES_CAPACITY;
const TAPS_CAPACITY = 4 << 20; // a 100,000-px axis needs 0.8 MB
const PLANE = TAPS + TAPS_CAPACITY;

const memory = new WebAssembly.Memory({ initial: Math.ceil(PLANE / PAGE) + 16 });
const kernels = instantiate();
writeDctMatrix();

function instantiate(): Kernels {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(fs.readFileSync(WASM_URL));
  } catch {
    throw new Error(`${WASM_URL.pathname} is missing: run \`npm run build:wasm\` (npm ci and npm run build run it too)`);
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports as unknown as Kernels;
}

/** Rows 1..16 of the 64-point DCT-II basis (row 0, the DC term, is skipped), as f32. */
function writeDctMatrix(): void {
  const m = new Float32Array(memory.buffer, MATRIX, 16 * 64);
  const scale = Math.sqrt(2 / 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) m[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
}

/** PDQ's 256 bits of a DCT (16 words of 16 bits, word 0 = coefficients 0–15): set where above the median. */
export function medianThresholdWords(dct: Float32Array): Uint16Array {
  new Float32Array(memory.buffer, THRESHOLD_IN, 256).set(dct);
  kernels.medianThreshold(THRESHOLD_IN, THRESHOLD_SCRATCH, THRESHOLD_WORDS);
  return new Uint16Array(memory.buffer, THRESHOLD_WORDS, 16).slice();
}

/** A tap table copied into the module's memory. */
interface PlacedTaps {
  table: TapTable;
  starts: number;
  counts: number;
  weights: number;
}

const placedTaps = new Map<number, PlacedTaps>();
let tapsEnd = TAPS;

/**
 * The tap tables of a window's two axes, placed in memory (kept across calls; when full, the space is
 * reused from the start, never evicting one of the two tables asked for).
 */
function tapsForWindow(width: number, height: number): { columns: PlacedTaps; rows: PlacedTaps } {
  const missing = [...new Set([width, height])].filter((length) => !placedTaps.has(length)).map((length) => tentTaps(length));
  const bytes = missing.reduce((sum, table) => sum + tapBytes(table), 0);
  if (tapsEnd + bytes > TAPS + TAPS_CAPACITY) {
    if (bytes > TAPS_CAPACITY) throw new RangeError(`a ${width}×${height} window is too large to hash`);
    placedTaps.clear();
    tapsEnd = TAPS;
    missing.splice(0, missing.length, ...[...new Set([width, height])].map((length) => tentTaps(length)));
  }
  for (const table of missing) placeTaps(table);
  return { columns: placedTaps.get(width)!, rows: placedTaps.get(height)! };
}

const tapBytes = (table: TapTable) => 512 + table.weights.length * 8;

function placeTaps(table: TapTable): void {
  const placed = { table, starts: tapsEnd, counts: tapsEnd + 256, weights: tapsEnd + 512 };
  new Int32Array(memory.buffer, placed.starts, 64).set(table.starts);
  new Int32Array(memory.buffer, placed.counts, 64).set(table.counts);
  new Float64Array(memory.buffer, placed.weights, table.weights.length).set(table.weights);
  tapsEnd += tapBytes(table);
  placedTaps.set(table.length, placed);
}

const roundUpTo8 = (n: number) => (n + 7) & ~7;
const alignTo16 = (n: number) => (n + 15) & ~15;

/** PDQ's 64×64 samples of windows of one plane, their DCTs and their quality. */
export interface PlaneSampler {
  /**
   * Samples `window` into block 0 with the reference taps; with `mirrored`, also into blocks 1–3 with the
   * column taps, the row taps or both mirrored (see dihedralVariantsOfPlane in pdq.ts).
   */
  sample(window: PixelWindow, mirrored: boolean): void;
  /** The 16×16 DCT of a sampled block, row-major. */
  dct(block: number): Float32Array;
  quality(block: number): number;
}

/** The f32 tables halfLightness reads: L* of Y in `steps` + 1 steps, then Y steps of red, green, blue and grey codes. */
export interface LightnessTables {
  steps: number;
  lightnessOfY: Float32Array;
  red: Float32Array;
  green: Float32Array;
  blue: Float32Array;
  grey: Float32Array;
}

// Only one plane lives in the module's memory at a time; a newer one makes older handles throw.
let generation = 0;

/**
 * A plane of f32 values (luma or lightness, 0..255) in the module's memory: the values, their transposed
 * copy for the horizontal pass, the horizontal sums, and the source pixels it was computed from.
 */
export class ModulePlane {
  readonly #generation = ++generation;
  readonly #values: number;
  readonly #transposed: number;
  readonly #columnHeight: number;
  readonly #sums: [number, number];
  #transposedIsCurrent = false;

  private constructor(
    readonly width: number,
    readonly height: number,
    sourceBytes: number,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
      throw new RangeError(`not a plane size: ${width}×${height}`);
    }
    this.#columnHeight = height + 8; // rows are summed eight at a time, up to 7 past the last
    this.#transposed = PLANE;
    this.#values = alignTo16(this.#transposed + width * this.#columnHeight * 4);
    const sums = alignTo16(this.#values + width * height * 4);
    const sumsBytes = roundUpTo8(height) * 64 * 8;
    this.#sums = [sums, sums + sumsBytes];
    ensureMemory(this.#sums[1] + sumsBytes + sourceBytes);
  }

  /** Copies `values` (width × height, row-major) in. */
  static fromValues(values: Float32Array, width: number, height: number): ModulePlane {
    if (values.length < width * height) throw new RangeError(`${values.length} values for a ${width}×${height} plane`);
    const plane = new ModulePlane(width, height, 0);
    new Float32Array(memory.buffer, plane.#values, width * height).set(values.subarray(0, width * height));
    return plane;
  }

  /** PDQ's luminance of interleaved 8-bit pixels (1–4 channels; alpha ignored). */
  static lumaOfPixels(pixels: Uint8Array, width: number, height: number, channels: number): ModulePlane {
    checkPixels(pixels, width, height, channels);
    const plane = new ModulePlane(width, height, pixels.length);
    kernels.luma(plane.#copyIn(pixels), width, height, channels, plane.#values, plane.#transposed, plane.#columnHeight);
    plane.#transposedIsCurrent = true;
    return plane;
  }

  /** CIE L* at half resolution (see halfLightnessPlane in lightness.ts). */
  static halfLightnessOfPixels(pixels: Uint8Array, width: number, height: number, channels: number, tables: LightnessTables): ModulePlane {
    checkPixels(pixels, width, height, channels);
    const plane = new ModulePlane(width >> 1, height >> 1, pixels.length);
    kernels.halfLightness(plane.#copyIn(pixels), width, height, channels, placeLightnessTables(tables), tables.steps, plane.#values);
    return plane;
  }

  /** A copy of the values, row-major. */
  values(): Float32Array {
    return this.view().slice();
  }

  /** The values, row-major, in place: valid only until the next plane is loaded or the memory grows. */
  view(): Float32Array {
    this.#check();
    return new Float32Array(memory.buffer, this.#values, this.width * this.height);
  }

  /** Caps the values at the level below which 1 − `share` of them lie (see clipBrightest in lightness.ts). */
  clipBrightest(share: number): this {
    this.#check();
    const count = this.width * this.height;
    kernels.clipBrightest(this.#values, count, Math.ceil(count * (1 - share)), HISTOGRAM, HISTOGRAM_BINS);
    this.#transposedIsCurrent = false;
    return this;
  }

  sampler(): PlaneSampler {
    this.#check();
    if (!this.#transposedIsCurrent) {
      kernels.transpose(this.#values, this.width, this.height, this.#transposed, this.#columnHeight);
      this.#transposedIsCurrent = true;
    }
    return {
      sample: (window, mirrored) => this.#sample(window, mirrored),
      dct: (block) => {
        kernels.dct(BLOCKS + block * BLOCK_BYTES, MATRIX, DCT_SCRATCH, DCT_OUT);
        return new Float32Array(memory.buffer, DCT_OUT, 256).slice();
      },
      quality: (block) => kernels.quality(BLOCKS + block * BLOCK_BYTES),
    };
  }

  #sample(window: PixelWindow, mirrored: boolean): void {
    this.#check();
    const { x, y, width, height } = window;
    if (
      ![x, y, width, height].every(Number.isInteger) ||
      x < 0 ||
      y < 0 ||
      width < 1 ||
      height < 1 ||
      x + width > this.width ||
      y + height > this.height
    ) {
      throw new RangeError(`window ${width}×${height} at (${x}, ${y}) is not inside the ${this.width}×${this.height} plane`);
    }
    const { columns, rows } = tapsForWindow(window.width, window.height);
    const rowTaps = rows.table;
    const firstRow = mirrored ? Math.min(rowTaps.first, window.height - 1 - rowTaps.last) : rowTaps.first;
    const lastRow = mirrored ? Math.max(rowTaps.last, window.height - 1 - rowTaps.first) : rowTaps.last;
    const count = roundUpTo8(lastRow - firstRow + 1);
    const horizontal = (dir: 1 | -1, out: number) =>
      kernels.horizontal(
        this.#transposed,
        this.#columnHeight,
        dir === 1 ? window.x : window.x + window.width - 1,
        dir,
        window.y + firstRow,
        count,
        columns.starts,
        columns.counts,
        columns.table.stride,
        columns.weights,
        dir === -1,
        out,
      );
    const vertical = (from: number, mirroredRows: boolean, block: number) =>
      kernels.vertical(
        from,
        firstRow,
        window.height,
        mirroredRows,
        rows.starts,
        rows.counts,
        rowTaps.stride,
        rows.weights,
        BLOCKS + block * BLOCK_BYTES,
      );
    const [sums, mirroredSums] = this.#sums;
    horizontal(1, sums);
    vertical(sums, false, 0);
    if (!mirrored) return;
    // Mirrored columns: each row read backwards from its last pixel with the taps of sample 63 − j.
    horizontal(-1, mirroredSums);
    vertical(mirroredSums, false, 1);
    vertical(sums, true, 2);
    vertical(mirroredSums, true, 3);
  }

  /** Copies pixels in after the sums; returns where. */
  #copyIn(pixels: Uint8Array): number {
    const at = this.#sums[1] + roundUpTo8(this.height) * 64 * 8;
    new Uint8Array(memory.buffer, at, pixels.length).set(pixels);
    return at;
  }

  #check(): void {
    if (this.#generation !== generation) throw new Error('a newer plane has replaced this one in the PDQ kernels');
  }
}

function checkPixels(pixels: Uint8Array, width: number, height: number, channels: number): void {
  if (![1, 2, 3, 4].includes(channels) || pixels.length < width * height * channels) {
    throw new RangeError(`${pixels.length} bytes are not ${width}×${height} pixels of ${channels} channels`);
  }
}

let placedLightnessTables: LightnessTables | undefined;

function placeLightnessTables(tables: LightnessTables): number {
  if (placedLightnessTables !== tables) {
    const parts = [tables.lightnessOfY, tables.red, tables.green, tables.blue, tables.grey];
    if (tables.lightnessOfY.length !== tables.steps + 1 || parts.slice(1).some((p) => p.length !== 256))
      throw new RangeError('malformed lightness tables');
    const bytes = parts.reduce((sum, p) => sum + p.byteLength, 0);
    if (bytes > LIGHTNESS_TABLES_CAPACITY) throw new RangeError('lightness tables too large');
    let at = LIGHTNESS_TABLES;
    for (const part of parts) {
      new Float32Array(memory.buffer, at, part.length).set(part);
      at += part.byteLength;
    }
    placedLightnessTables = tables;
  }
  return LIGHTNESS_TABLES;
}

/** Grows the memory to reach at least `end` bytes. */
function ensureMemory(end: number): void {
  const missing = end - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / PAGE));
}
