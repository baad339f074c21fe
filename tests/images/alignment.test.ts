import { describe, expect, it } from 'vitest';
import { alignDensely } from '../../api/images/alignment.ts';
import type { GreyPlane } from '../../api/images/keypoints.ts';

/** A smooth picture with no corners for keypoints: soft light and dark fields, as on a minimalist wallpaper. */
const field = (x: number, y: number, seed: number) =>
  128 +
  60 * Math.sin(x * (6.1 - seed) + 1) * Math.cos(y * (4.3 + seed)) +
  40 * Math.exp(-((x - 0.3 - seed / 5) ** 2 + (y - 0.6) ** 2) * 12);

/** The field over [x0, x0 + w] × [y0, y0 + h] (in the field's units: the work spans 0..1.5 × 0..1), sampled at `width` px wide. */
const sample = (x0: number, y0: number, w: number, h: number, width: number, seed = 0, picture = field): GreyPlane => {
  const height = Math.round((width * h) / w);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [fx, fy] = [x0 + ((x + 0.5) * w) / width, y0 + ((y + 0.5) * h) / height];
      const inside = fx >= 0 && fx <= 1.5 && fy >= 0 && fy <= 1;
      data[y * width + x] = inside ? Math.max(0, Math.min(255, Math.round(picture(fx, fy, seed)))) : 255;
    }
  return { data, width, height };
};

/** Where the map puts a query pixel in the work, in the field's units (the work is 300 px for 1.5 units). */
const mapped = (matrix: number[], x: number, y: number) => [(matrix[0]! * x + matrix[2]!) / 200, (matrix[4]! * y + matrix[5]!) / 200];

describe('dense alignment', () => {
  const work = sample(0, 0, 1.5, 1, 300);

  it('finds an uneven crop re-posted at another size: the shift and the scale', () => {
    // 4 % off the left, 2 % off the top, 6 % off the bottom, 4 % off the right; 450 px wide.
    const copy = sample(0.06, 0.02, 1.38, 0.92, 450);
    const found = alignDensely(copy, work)!;
    expect(found.correlation).toBeGreaterThan(0.95);
    const [x0, y0] = mapped(found.matrix, 0, 0);
    const [x1, y1] = mapped(found.matrix, copy.width - 1, copy.height - 1);
    expect(x0).toBeCloseTo(0.06, 1);
    expect(y0).toBeCloseTo(0.02, 1);
    expect(x1).toBeCloseTo(1.44, 1);
    expect(y1).toBeCloseTo(0.94, 1);
  });

  it('finds the picture inside a white border', () => {
    // 255 px for 1.7 units where the work has 300 px for 1.5: each copy pixel is 1.33 work pixels.
    const copy = sample(-0.1, -0.1, 1.7, 1.2, 255);
    const found = alignDensely(copy, work)!;
    expect(found.correlation).toBeGreaterThan(0.95);
    const [x0, y0] = mapped(found.matrix, 0, 0);
    expect(x0).toBeCloseTo(-0.1, 1);
    expect(y0).toBeCloseTo(-0.1, 1);
    expect(found.matrix[0]).toBeCloseTo(4 / 3, 1);
  });

  it('lines up another smooth picture less well (smooth pictures correlate easily: the cells decide, local-features.ts)', () => {
    const other = sample(0, 0, 1.5, 1, 300, 1.7);
    expect(alignDensely(other, work)?.correlation ?? 0).toBeLessThan(0.9);
  });

  it('tells how distinctly the pictures line up: smooth pictures line up as well a little off, hard-edged ones do not', () => {
    const ramp = (x0: number, width: number): GreyPlane => {
      const height = Math.round(width / 1.5);
      const data = new Uint8Array(width * height);
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) data[y * width + x] = Math.round(40 + (150 * (x0 + (x / width) * 1.38)) / 1.5);
      return { data, width, height };
    };
    expect(alignDensely(ramp(0.06, 450), ramp(0, 300))?.distinctness ?? 1).toBeLessThan(0.02);
    expect(alignDensely(sample(0.06, 0.02, 1.38, 0.92, 450), work)?.distinctness ?? 1).toBeLessThan(0.02);
    // Hard-edged shapes line up in one place only.
    const shapes = (x: number, y: number) => (Math.sin(x * 23) * Math.sin(y * 17 + x * 3) > 0.3 ? 200 : 60);
    const found = alignDensely(sample(0.06, 0.02, 1.38, 0.92, 450, 0, shapes), sample(0, 0, 1.5, 1, 300, 0, shapes));
    expect(found?.distinctness ?? 0).toBeGreaterThan(0.05);
  });

  it('answers for degenerate planes without throwing: tiny, one line, uniform', () => {
    const plane = (width: number, height: number, fill?: number): GreyPlane => ({
      data: Uint8Array.from({ length: width * height }, (_, i) => fill ?? (i * 37) % 251),
      width,
      height,
    });
    for (const [q, w] of [
      [plane(1, 1), plane(1, 1)],
      [plane(1, 300), plane(300, 1)],
      [plane(3, 2), work],
      [work, plane(2, 3)],
      [plane(200, 120, 128), plane(200, 120, 128)],
    ] as const) {
      const found = alignDensely(q, w, 0.85);
      if (found) expect(found.correlation).toBeGreaterThanOrEqual(0.85);
    }
    expect(alignDensely(plane(200, 120, 128), plane(200, 120, 128))?.correlation ?? 0).toBe(0);
  });
});
