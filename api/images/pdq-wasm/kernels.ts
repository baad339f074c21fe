/**
 * PDQ's inner loops in AssemblyScript, compiled to WebAssembly with 128-bit SIMD (`npm run build:wasm`;
 * api/images/pdq-kernels.ts loads the module and lays out its memory).
 *
 * Every kernel does the arithmetic of the plain loops it replaced: f64 products summed in the same
 * order, rounded to f32 wherever the result is stored as f32. SIMD lanes only run independent sums side
 * by side, and WebAssembly never fuses a multiply with an add, so the hashes are bit for bit the same.
 *
 * Pointers are byte offsets into the memory. A tap table (see pdq-taps.ts) is `starts` (i32 × 64),
 * `counts` (i32 × 64) and `weights` (f64 × 64 × stride): sample j sums counts[j] inputs from starts[j].
 */

/** dst[c · dstHeight + r] = src[r · width + c] (f32): the plane with its columns contiguous. */
export function transpose(src: usize, width: i32, height: i32, dst: usize, dstHeight: i32): void {
  const BLOCK = 16;
  for (let r0 = 0; r0 < height; r0 += BLOCK) {
    const r1 = min(r0 + BLOCK, height);
    for (let c0 = 0; c0 < width; c0 += BLOCK) {
      const c1 = min(c0 + BLOCK, width);
      for (let r = r0; r < r1; r++) {
        const row = src + ((<usize>r * width) << 2);
        for (let c = c0; c < c1; c++) {
          store<f32>(dst + ((<usize>c * dstHeight + r) << 2), load<f32>(row + (<usize>c << 2)));
        }
      }
    }
  }
}

/**
 * Horizontal pass, eight rows at a time: out[k · 64 + column(j)] (f64) = Σ_t w_j[t] · plane[row0 + k]
 * [col0 + dir · (starts[j] + t)] for k < rows, where column(j) is j, or 63 − j with `flip` (a row read
 * backwards). Reads the transposed plane; `rows` is a multiple of 8, so its columns must be padded.
 */
export function horizontal(
  transposed: usize,
  columnHeight: i32,
  col0: i32,
  dir: i32,
  row0: i32,
  rows: i32,
  starts: usize,
  counts: usize,
  stride: i32,
  weights: usize,
  flip: bool,
  out: usize,
): void {
  const step = (<isize>dir * columnHeight) << 2;
  for (let j = 0; j < 64; j++) {
    const count = load<i32>(counts + (<usize>j << 2));
    const start = load<i32>(starts + (<usize>j << 2));
    const taps = weights + ((<usize>j * stride) << 3);
    const column = <usize>(flip ? 63 - j : j) << 3;
    const first = transposed + ((<usize>(col0 + dir * start) * columnHeight + row0) << 2);
    for (let k = 0; k < rows; k += 8) {
      let s0 = f64x2.splat(0);
      let s1 = f64x2.splat(0);
      let s2 = f64x2.splat(0);
      let s3 = f64x2.splat(0);
      let p = first + (<usize>k << 2);
      for (let t = 0; t < count; t++, p += step) {
        const w = v128.load64_splat(taps + (<usize>t << 3));
        const lo = v128.load(p);
        const hi = v128.load(p, 16);
        s0 = f64x2.add(s0, f64x2.mul(w, f64x2.promote_low_f32x4(lo)));
        s1 = f64x2.add(s1, f64x2.mul(w, f64x2.promote_low_f32x4(v128.shuffle<i32>(lo, lo, 2, 3, 0, 1))));
        s2 = f64x2.add(s2, f64x2.mul(w, f64x2.promote_low_f32x4(hi)));
        s3 = f64x2.add(s3, f64x2.mul(w, f64x2.promote_low_f32x4(v128.shuffle<i32>(hi, hi, 2, 3, 0, 1))));
      }
      const o = out + ((<usize>k * 64) << 3) + column;
      store<f64>(o, f64x2.extract_lane(s0, 0));
      store<f64>(o, f64x2.extract_lane(s0, 1), 512);
      store<f64>(o, f64x2.extract_lane(s1, 0), 1024);
      store<f64>(o, f64x2.extract_lane(s1, 1), 1536);
      store<f64>(o, f64x2.extract_lane(s2, 0), 2048);
      store<f64>(o, f64x2.extract_lane(s2, 1), 2560);
      store<f64>(o, f64x2.extract_lane(s3, 0), 3072);
      store<f64>(o, f64x2.extract_lane(s3, 1), 3584);
    }
  }
}

/**
 * Vertical pass, eight columns at a time: block[i · 64 + j] (f32) = Σ_t w_i[t] · sums[starts[i] + t −
 * firstRow][j]. Mirrored: row i uses the taps of sample 63 − i, counted from the window's last row up.
 */
export function vertical(
  sums: usize,
  firstRow: i32,
  height: i32,
  mirrored: bool,
  starts: usize,
  counts: usize,
  stride: i32,
  weights: usize,
  block: usize,
): void {
  const step: isize = mirrored ? -512 : 512;
  for (let i = 0; i < 64; i++) {
    const k = mirrored ? 63 - i : i;
    const count = load<i32>(counts + (<usize>k << 2));
    const start = load<i32>(starts + (<usize>k << 2));
    const taps = weights + ((<usize>k * stride) << 3);
    const first = sums + ((<usize>((mirrored ? height - 1 - start : start) - firstRow) * 64) << 3);
    const row = block + ((<usize>i * 64) << 2);
    for (let j = 0; j < 64; j += 8) {
      let s0 = f64x2.splat(0);
      let s1 = f64x2.splat(0);
      let s2 = f64x2.splat(0);
      let s3 = f64x2.splat(0);
      let p = first + (<usize>j << 3);
      for (let t = 0; t < count; t++, p += step) {
        const w = v128.load64_splat(taps + (<usize>t << 3));
        s0 = f64x2.add(s0, f64x2.mul(w, v128.load(p)));
        s1 = f64x2.add(s1, f64x2.mul(w, v128.load(p, 16)));
        s2 = f64x2.add(s2, f64x2.mul(w, v128.load(p, 32)));
        s3 = f64x2.add(s3, f64x2.mul(w, v128.load(p, 48)));
      }
      const o = row + (<usize>j << 2);
      v128.store64_lane(o, f32x4.demote_f64x2_zero(s0), 0);
      v128.store64_lane(o + 8, f32x4.demote_f64x2_zero(s1), 0);
      v128.store64_lane(o + 16, f32x4.demote_f64x2_zero(s2), 0);
      v128.store64_lane(o + 24, f32x4.demote_f64x2_zero(s3), 0);
    }
  }
}

/**
 * The 16×16 DCT of a 64×64 f32 block: B = D A Dᵀ with D the 16×64 f32 matrix at `matrix`. The first
 * product T = D A (rounded to f32) runs four rows of D over four columns of A at a time and is kept
 * transposed in `scratch` (64 × 16 f32), so that the second runs two rows of B at a time too. `out`
 * receives 256 f32, row-major.
 */
export function dct(block: usize, matrix: usize, scratch: usize, out: usize): void {
  for (let i = 0; i < 16; i += 4) {
    const d = matrix + ((<usize>i * 64) << 2);
    for (let j = 0; j < 64; j += 4) {
      let s00 = f64x2.splat(0);
      let s01 = f64x2.splat(0);
      let s10 = f64x2.splat(0);
      let s11 = f64x2.splat(0);
      let s20 = f64x2.splat(0);
      let s21 = f64x2.splat(0);
      let s30 = f64x2.splat(0);
      let s31 = f64x2.splat(0);
      let a = block + (<usize>j << 2);
      for (let k = 0; k < 64; k++, a += 256) {
        const a01 = f64x2.promote_low_f32x4(v128.load64_zero(a));
        const a23 = f64x2.promote_low_f32x4(v128.load64_zero(a, 8));
        const dk = d + (<usize>k << 2);
        const w0 = f64x2.splat(<f64>load<f32>(dk));
        const w1 = f64x2.splat(<f64>load<f32>(dk, 256));
        const w2 = f64x2.splat(<f64>load<f32>(dk, 512));
        const w3 = f64x2.splat(<f64>load<f32>(dk, 768));
        s00 = f64x2.add(s00, f64x2.mul(w0, a01));
        s01 = f64x2.add(s01, f64x2.mul(w0, a23));
        s10 = f64x2.add(s10, f64x2.mul(w1, a01));
        s11 = f64x2.add(s11, f64x2.mul(w1, a23));
        s20 = f64x2.add(s20, f64x2.mul(w2, a01));
        s21 = f64x2.add(s21, f64x2.mul(w2, a23));
        s30 = f64x2.add(s30, f64x2.mul(w3, a01));
        s31 = f64x2.add(s31, f64x2.mul(w3, a23));
      }
      // T[i + r][j + c] goes to scratch[(j + c) * 16 + i + r].
      const t = scratch + ((<usize>j * 16 + i) << 2);
      storeColumn(t, s00, s10, s20, s30);
      storeColumn(t + 128, s01, s11, s21, s31);
    }
  }
  for (let j = 0; j < 16; j++) {
    const d = matrix + ((<usize>j * 64) << 2);
    for (let i = 0; i < 16; i += 4) {
      let s0 = f64x2.splat(0);
      let s1 = f64x2.splat(0);
      let t = scratch + (<usize>i << 2);
      for (let k = 0; k < 64; k++, t += 64) {
        const w = f64x2.splat(<f64>load<f32>(d + (<usize>k << 2)));
        s0 = f64x2.add(s0, f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(t)), w));
        s1 = f64x2.add(s1, f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(t, 8)), w));
      }
      const o = out + ((<usize>i * 16 + j) << 2);
      store<f32>(o, <f32>f64x2.extract_lane(s0, 0));
      store<f32>(o, <f32>f64x2.extract_lane(s0, 1), 64);
      store<f32>(o, <f32>f64x2.extract_lane(s1, 0), 128);
      store<f32>(o, <f32>f64x2.extract_lane(s1, 1), 192);
    }
  }
}

/**
 * Stores two columns' worth of T: lane c of sums r is T[i + r][j + c]; the four rows land side by side
 * at `at` (column j) and `at` + 64 (column j + 1).
 */
// @ts-ignore: decorator
@inline
function storeColumn(at: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  store<f32>(at, <f32>f64x2.extract_lane(r0, 0));
  store<f32>(at, <f32>f64x2.extract_lane(r1, 0), 4);
  store<f32>(at, <f32>f64x2.extract_lane(r2, 0), 8);
  store<f32>(at, <f32>f64x2.extract_lane(r3, 0), 12);
  store<f32>(at, <f32>f64x2.extract_lane(r0, 1), 64);
  store<f32>(at, <f32>f64x2.extract_lane(r1, 1), 68);
  store<f32>(at, <f32>f64x2.extract_lane(r2, 1), 72);
  store<f32>(at, <f32>f64x2.extract_lane(r3, 1), 76);
}

/**
 * PDQ's quality: the sum of the block's truncated neighbour differences (in percent of 255) / 90, at
 * most 100. Every term is a whole number, so summing them two lanes at a time is exact.
 */
export function quality(block: usize): i32 {
  const hundred = f64x2.splat(100);
  const full = f64x2.splat(255);
  let sums = f64x2.splat(0);
  for (let i = 0; i < 64; i++) {
    const row = block + ((<usize>i * 64) << 2);
    for (let j = 0; j < 64; j += 2) {
      const p = row + (<usize>j << 2);
      const here = f64x2.promote_low_f32x4(v128.load64_zero(p));
      if (i < 63) {
        const below = f64x2.promote_low_f32x4(v128.load64_zero(p, 256));
        sums = f64x2.add(sums, f64x2.abs(f64x2.trunc(f64x2.div(f64x2.mul(f64x2.sub(here, below), hundred), full))));
      }
      if (j < 62) {
        const right = f64x2.promote_low_f32x4(v128.load64_zero(p, 4));
        sums = f64x2.add(sums, f64x2.abs(f64x2.trunc(f64x2.div(f64x2.mul(f64x2.sub(here, right), hundred), full))));
      } else {
        // The pair (62, 63) has a right neighbour only for column 62.
        const d = (<f64>load<f32>(p) - <f64>load<f32>(p, 4)) * 100;
        sums = f64x2.replace_lane(sums, 0, f64x2.extract_lane(sums, 0) + Math.abs(Math.trunc(d / 255)));
      }
    }
  }
  const sum = f64x2.extract_lane(sums, 0) + f64x2.extract_lane(sums, 1);
  return <i32>min<f64>(100, Math.trunc(sum / 90));
}

/**
 * PDQ's luminance of 8-bit pixels, f32(0.299 R + 0.587 G + 0.114 B) (1–2 channels: the grey value), into
 * `out` row-major and, when `transposed` is not 0, also transposed with columns `columnHeight` long, four
 * rows at a time so that each column gets one 16-byte store.
 */
export function luma(pixels: usize, width: i32, height: i32, channels: i32, out: usize, transposed: usize, columnHeight: i32): void {
  const c = <usize>channels;
  const row = <usize>width * c;
  let r = 0;
  if (transposed != 0) {
    for (; r + 3 < height; r += 4) {
      let p = pixels + <usize>r * row;
      let o = out + ((<usize>r * width) << 2);
      let t = transposed + (<usize>r << 2);
      const tStep = <usize>columnHeight << 2;
      const oRow = <usize>width << 2;
      for (let x = 0; x < width; x++, p += c, o += 4, t += tStep) {
        const v0 = lumaAt(p, channels);
        const v1 = lumaAt(p + row, channels);
        const v2 = lumaAt(p + 2 * row, channels);
        const v3 = lumaAt(p + 3 * row, channels);
        store<f32>(o, v0);
        store<f32>(o + oRow, v1);
        store<f32>(o + 2 * oRow, v2);
        store<f32>(o + 3 * oRow, v3);
        v128.store(t, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(v0), 1, v1), 2, v2), 3, v3));
      }
    }
  }
  for (; r < height; r++) {
    let p = pixels + <usize>r * row;
    for (let x = 0; x < width; x++, p += c) {
      const v = lumaAt(p, channels);
      store<f32>(out + ((<usize>r * width + x) << 2), v);
      if (transposed != 0) store<f32>(transposed + ((<usize>x * columnHeight + r) << 2), v);
    }
  }
}

// @ts-ignore: decorator
@inline
function lumaAt(p: usize, channels: i32): f32 {
  if (channels < 3) return <f32>load<u8>(p);
  // Typed f64 on purpose: under the f32 return type, bare literals would be taken as f32.
  const value: f64 = LUMA_R * <f64>load<u8>(p) + LUMA_G * <f64>load<u8>(p, 1) + LUMA_B * <f64>load<u8>(p, 2);
  return <f32>value;
}

const LUMA_R: f64 = 0.299;
const LUMA_G: f64 = 0.587;
const LUMA_B: f64 = 0.114;

/**
 * CIE L* at half resolution (see halfLightnessPlane in lightness.ts): each value from a 2×2 block's
 * rounded mean code through the f32 tables at `tables`: L*(Y) with `lightnessSteps` + 1 entries, then
 * 256 entries each of the red, green, blue and grey contributions to Y, in table steps.
 */
export function halfLightness(pixels: usize, width: i32, height: i32, channels: i32, tables: usize, lightnessSteps: i32, out: usize): void {
  const w = width >> 1;
  const h = height >> 1;
  const c = <usize>channels;
  const row = <usize>width * c;
  const red = tables + ((<usize>lightnessSteps + 1) << 2);
  const green = red + 1024;
  const blue = green + 1024;
  const grey = blue + 1024;
  let q = out;
  for (let y = 0; y < h; y++) {
    let a = pixels + 2 * <usize>y * row;
    let b = a + row;
    for (let x = 0; x < w; x++, a += 2 * c, b += 2 * c, q += 4) {
      let step: f64;
      if (channels < 3) {
        const v = (<u32>load<u8>(a) + load<u8>(a + c) + load<u8>(b) + load<u8>(b + c) + 2) >> 2;
        step = <f64>load<f32>(grey + (<usize>v << 2));
      } else {
        const r = (<u32>load<u8>(a) + load<u8>(a + c) + load<u8>(b) + load<u8>(b + c) + 2) >> 2;
        const g = (<u32>load<u8>(a, 1) + load<u8>(a + c, 1) + load<u8>(b, 1) + load<u8>(b + c, 1) + 2) >> 2;
        const bl = (<u32>load<u8>(a, 2) + load<u8>(a + c, 2) + load<u8>(b, 2) + load<u8>(b + c, 2) + 2) >> 2;
        step = <f64>load<f32>(red + (<usize>r << 2)) + <f64>load<f32>(green + (<usize>g << 2)) + <f64>load<f32>(blue + (<usize>bl << 2));
      }
      store<f32>(q, load<f32>(tables + (<usize>(<i32>(step + 0.5)) << 2)));
    }
  }
}

/**
 * Caps `plane` (count f32 values in 0..255) in place at the level below which `keep` of its values lie,
 * from a histogram of `bins` bins over 0..256 (`histogram`: u32 × bins, scratch). See clipBrightest in
 * lightness.ts.
 */
export function clipBrightest(plane: usize, count: i32, keep: i32, histogram: usize, bins: i32): void {
  memory.fill(histogram, 0, <usize>bins << 2);
  const scale = <f64>bins / 256;
  for (let i = 0; i < count; i++) {
    const bin = min(bins - 1, <i32>(<f64>load<f32>(plane + (<usize>i << 2)) * scale));
    const at = histogram + (<usize>bin << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  let seen = 0;
  let bin = 0;
  while (bin < bins - 1 && seen + <i32>load<u32>(histogram + (<usize>bin << 2)) < keep) {
    seen += <i32>load<u32>(histogram + (<usize>bin << 2));
    bin++;
  }
  const cap = <f64>(bin + 1) / scale;
  for (let i = 0; i < count; i++) {
    const at = plane + (<usize>i << 2);
    if (<f64>load<f32>(at) > cap) store<f32>(at, <f32>cap);
  }
}

/**
 * PDQ's bits: bit k of the 16 u16 `words` is set when DCT coefficient k (256 f32 at `dct`) is above the
 * median, the 128th smallest (found by Hoare's selection on a copy in `scratch`).
 */
export function medianThreshold(dct: usize, scratch: usize, words: usize): void {
  memory.copy(scratch, dct, 1024);
  const median = kthSmallest(scratch, 256, 127);
  memory.fill(words, 0, 32);
  for (let k = 0; k < 256; k++) {
    if (load<f32>(dct + (<usize>k << 2)) > median) {
      const at = words + (<usize>(k >> 4) << 1);
      const bit: i32 = 1 << (k & 15);
      store<u16>(at, <u16>(<i32>load<u16>(at) | bit));
    }
  }
}

/** The k-th smallest (from 0) of `count` f32 at `values`, which it reorders. */
function kthSmallest(values: usize, count: i32, k: i32): f32 {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const pivot = load<f32>(values + (<usize>((lo + hi) >> 1) << 2));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (load<f32>(values + (<usize>i << 2)) < pivot) i++;
      while (load<f32>(values + (<usize>j << 2)) > pivot) j--;
      if (i <= j) {
        const a = values + (<usize>i << 2);
        const b = values + (<usize>j << 2);
        const swapped = load<f32>(a);
        store<f32>(a, load<f32>(b));
        store<f32>(b, swapped);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return load<f32>(values + (<usize>k << 2));
  }
  return load<f32>(values + (<usize>k << 2));
}
