import { describe, expect, it } from 'vitest';
import { ModulePlane, pdqFromLuma, pdqOfWindows } from '../../api/images/pdq.ts';

/** A deterministic plane with structure at every scale. */
function plane(width: number, height: number, seed: number): Float32Array {
  const values = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) values[y * width + x] = ((x * 7 + y * 13 + seed) % 97) * 2 + (((x >> 4) + (y >> 3) + seed) % 5) * 10;
  }
  return values;
}

describe('the PDQ kernels memory', () => {
  it('refuses a plane handle once a newer plane has replaced it', () => {
    const first = ModulePlane.fromValues(plane(80, 60, 1), 80, 60);
    expect(first.values()).toHaveLength(80 * 60);
    ModulePlane.fromValues(plane(40, 30, 2), 40, 30);
    expect(() => first.values()).toThrow(/newer plane/);
    expect(() => first.sampler()).toThrow(/newer plane/);
  });

  it('grows for a large plane, and small planes hash the same before and after', () => {
    const small = plane(300, 200, 3);
    const before = pdqFromLuma(small, 300, 200);
    const large = pdqFromLuma(plane(3000, 2500, 4), 3000, 2500);
    expect(large.quality).toBeGreaterThan(0);
    expect(pdqFromLuma(small, 300, 200)).toEqual(before);
  });

  it('hashes windows alike after their tap tables have been evicted to make room for others', () => {
    const width = 2000;
    const height = 1600;
    const luma = plane(width, height, 5);
    // Each length gets its own tap table (8–16 KB here): ~900 lengths overflow the 4 MB kept for taps.
    const windows = Array.from({ length: 480 }, (_, i) => ({ x: i % 37, y: i % 29, width: 1000 + 2 * i, height: 700 + i }));
    const first = pdqOfWindows(luma, width, height, windows).map((h) => h.hash);
    const second = pdqOfWindows(luma, width, height, windows).map((h) => h.hash);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(400);
    // And each is the hash of the window cut out (checked on every 40th).
    for (let i = 0; i < windows.length; i += 40) {
      const w = windows[i]!;
      const cut = new Float32Array(w.width * w.height);
      for (let y = 0; y < w.height; y++) cut.set(luma.subarray((w.y + y) * width + w.x, (w.y + y) * width + w.x + w.width), y * w.width);
      expect(pdqFromLuma(cut, w.width, w.height).hash).toBe(first[i]);
    }
  });

  it('gives the luma of 1- to 4-channel pixels, alpha ignored', () => {
    const rgba = Buffer.from([10, 20, 30, 0, 200, 100, 50, 255]);
    const luma = ModulePlane.lumaOfPixels(rgba, 2, 1, 4).values();
    expect(luma[0]).toBe(Math.fround(0.299 * 10 + 0.587 * 20 + 0.114 * 30));
    expect(luma[1]).toBe(Math.fround(0.299 * 200 + 0.587 * 100 + 0.114 * 50));
    expect(Array.from(ModulePlane.lumaOfPixels(Buffer.from([7, 0, 9, 255]), 2, 1, 2).values())).toEqual([7, 9]);
  });
});

describe('the PDQ kernels refuse what they would read past', () => {
  it('a window outside the plane, too few values or pixels, an odd channel count', () => {
    const values = plane(64, 48, 7);
    expect(() => pdqOfWindows(values, 64, 48, [{ x: 10, y: 0, width: 60, height: 48 }])).toThrow(RangeError);
    expect(() => pdqOfWindows(values, 64, 48, [{ x: -1, y: 0, width: 20, height: 20 }])).toThrow(RangeError);
    expect(() => pdqFromLuma(values, 64, 49)).toThrow(RangeError);
    expect(() => ModulePlane.lumaOfPixels(Buffer.alloc(10), 4, 4, 3)).toThrow(RangeError);
    expect(() => ModulePlane.lumaOfPixels(Buffer.alloc(100), 4, 4, 5)).toThrow(RangeError);
    expect(() => ModulePlane.fromValues(values, 6.5, 2)).toThrow(RangeError);
  });
});
