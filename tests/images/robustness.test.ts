import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintImage } from '../../api/images/fingerprint.ts';
import { hammingDistance } from '../../api/images/pdq.ts';
import { contentWindow, cropWindows, partWindows, SHIFT_PREFIX, shiftedWindows } from '../../api/images/regions.ts';
import type { Fingerprint } from '../../api/images/types.ts';
import { painting, paintingPixels } from './synthetic.ts';
import { CLIPPED_SHARE, clipBrightest, halfLightnessPlane } from '../../api/images/lightness.ts';
import { pdqFromLuma } from '../../api/images/pdq.ts';
import { describeTransform, queryHashes, storedHashes } from '../../api/matching/policy.ts';
import { classRange, rangeAllows } from '../../api/matching/label-classes.ts';

const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };

/** The registry's matching rule: min distance over the (query hash, stored hash) pairs the match policy compares. */
function bestDistance(query: Fingerprint, stored: Fingerprint): { distance: number; label: string } {
  let best = { distance: 257, label: '' };
  for (const q of queryHashes(query)) {
    for (const s of storedHashes(stored)) {
      if (!rangeAllows(classRange(q.against), s.label)) continue;
      const d = hammingDistance(q.hash, s.hash);
      if (d < best.distance) best = { distance: d, label: `${q.label}→${s.label}` };
    }
  }
  return best;
}

describe('transparency', () => {
  const w = 640;
  const h = 480;
  let transparentPng: Buffer;
  let stored: Fingerprint;
  beforeAll(async () => {
    const rgb = paintingPixels(w, h, 2);
    const rgba = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        rgb.copy(rgba, i * 4, i * 3, i * 3 + 3);
        // a cut-out: an ellipse of paint on a transparent sheet
        rgba[i * 4 + 3] = (x - w / 2) ** 2 / (w * w * 0.18) + (y - h / 2) ** 2 / (h * h * 0.18) < 1 ? 255 : 0;
      }
    }
    transparentPng = await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
      .png()
      .toBuffer();
    stored = await fingerprintImage(transparentPng, limits);
  });

  it('stores the white flatten as the main hash and the black flatten as an extra one', () => {
    expect(stored.regions.map((r) => r.label)).toContain('alpha-black');
  });

  it.each([['#ffffff'], ['#000000']])('a copy flattened onto %s and re-encoded as JPEG still matches', async (background) => {
    const copy = await sharp(transparentPng).flatten({ background }).jpeg({ quality: 75 }).toBuffer();
    const query = await fingerprintImage(copy, limits);
    expect(bestDistance(query, stored).distance).toBeLessThanOrEqual(31);
  });

  it('a black flatten is far from the white global hash: the extra hash is what makes it match', async () => {
    const copy = await sharp(transparentPng).flatten({ background: '#000000' }).jpeg({ quality: 75 }).toBuffer();
    const query = await fingerprintImage(copy, limits);
    expect(hammingDistance(query.pdq, stored.pdq)).toBeGreaterThan(31);
  });

  it('an opaque image with an alpha channel gets no extra hash', async () => {
    const opaque = await painting(200, 150).ensureAlpha().png().toBuffer();
    const fp = await fingerprintImage(opaque, limits);
    expect(fp.regions.map((r) => r.label)).not.toContain('alpha-black');
  });
});

describe('crops and padding', () => {
  let original: Buffer;
  let stored: Fingerprint;
  beforeAll(async () => {
    original = await painting(1000, 750, 3).png().toBuffer();
    stored = await fingerprintImage(original, limits);
  });

  it.each([5, 10, 20])('a centred %i%% crop matches through a stored crop window', async (percent) => {
    const dx = Math.round((1000 * percent) / 200);
    const dy = Math.round((750 * percent) / 200);
    const cropped = await sharp(original)
      .extract({ left: dx, top: dy, width: 1000 - 2 * dx, height: 750 - 2 * dy })
      .jpeg({ quality: 80 })
      .toBuffer();
    const query = await fingerprintImage(cropped, limits);
    expect(hammingDistance(query.pdq, stored.pdq)).toBeGreaterThan(31); // the global hash alone would miss it
    const best = bestDistance(query, stored);
    expect(best.distance).toBeLessThanOrEqual(31);
    expect(best.label).toMatch(/crop-/);
  });

  it('finds a copy cropped more at the bottom than at the top through a view moved off its centre', async () => {
    // 4 % off each side, 2 % off the top and 6 % off the bottom: the work's centre lies 2 % below the copy's.
    const [w, h] = [1000, 750];
    const cropped = await sharp(original)
      .extract({ left: 40, top: 15, width: w - 80, height: h - 15 - 45 })
      .resize(600)
      .jpeg({ quality: 70 })
      .toBuffer();
    const query = await fingerprintImage(cropped, limits);
    const stored81 = stored.regions.find((r) => r.label === 'crop-81')!.hash;
    const distanceTo81 = (label: string) => hammingDistance(query.regions.find((r) => r.label === label)!.hash, stored81);
    // The centred rung of the same size sits 2 % off the work's window; the view moved down covers it.
    expect(distanceTo81('shift-b88')).toBeLessThan(distanceTo81('crop-88'));
    const best = bestDistance(query, stored);
    expect(best.distance).toBeLessThanOrEqual(31);
    expect(best.label.startsWith(SHIFT_PREFIX) && storedHashes(query).every((q) => !q.label.startsWith(SHIFT_PREFIX))).toBe(true);
  });

  it("moves the query's views 2 % off centre along each axis, at two rungs", () => {
    expect(shiftedWindows(1000, 500)).toEqual([
      { label: 'shift-l88', x: 40, y: 30, width: 880, height: 440 },
      { label: 'shift-r88', x: 80, y: 30, width: 880, height: 440 },
      { label: 'shift-t88', x: 60, y: 20, width: 880, height: 440 },
      { label: 'shift-b88', x: 60, y: 40, width: 880, height: 440 },
      { label: 'shift-l78', x: 90, y: 55, width: 780, height: 390 },
      { label: 'shift-r78', x: 130, y: 55, width: 780, height: 390 },
      { label: 'shift-t78', x: 110, y: 45, width: 780, height: 390 },
      { label: 'shift-b78', x: 110, y: 65, width: 780, height: 390 },
    ]);
    expect(shiftedWindows(34, 34)).toEqual([]);
  });

  it.each([
    ['letterbox', { top: 75, bottom: 75, background: '#000000' }],
    ['white mat', { top: 100, bottom: 100, left: 100, right: 100, background: '#ffffff' }],
  ] as const)('a %s-padded copy matches through the window inside its pad', async (_name, pad) => {
    const padded = await sharp(original).extend(pad).jpeg({ quality: 80 }).toBuffer();
    const query = await fingerprintImage(padded, limits);
    const best = bestDistance(query, stored);
    expect(best.distance).toBeLessThanOrEqual(31);
    // The uniform pad trimmed away, or (a mat all round) the picture found inside it as inside a frame.
    expect(best.label).toMatch(/^(trimmed|framed)→/);
  });

  it('distinct works do not match', async () => {
    for (const seed of [1, 2, 4]) {
      const other = await fingerprintImage(await painting(1000, 750, seed).png().toBuffer(), limits);
      expect(bestDistance(other, stored).distance, `seed ${seed}`).toBeGreaterThan(31);
    }
  });

  it('computes centred crop windows and finds content inside uniform borders', () => {
    expect(cropWindows(100, 50, [0.8])).toEqual([{ label: 'crop-80', x: 10, y: 5, width: 80, height: 40 }]);
    expect(cropWindows(30, 30, [0.8])).toEqual([]);
    const width = 200;
    const height = 160;
    const luma = new Float32Array(width * height).fill(0);
    for (let y = 20; y < 140; y++) for (let x = 0; x < width; x++) luma[y * width + x] = 100 + ((x * 7 + y * 13) % 90);
    expect(contentWindow(luma, width, height)).toEqual({ label: 'trimmed', x: 0, y: 20, width: 200, height: 120 });
    const noBorder = new Float32Array(width * height).map((_, i) => (i * 37) % 255);
    expect(contentWindow(noBorder, width, height)).toBeUndefined();
  });

  it('keeps one end of the picture along its longer axis in each part window: any one corner is left out by one of them', () => {
    expect(partWindows(1000, 600)).toEqual([
      { label: 'part-l62', x: 0, y: 0, width: 620, height: 600 },
      { label: 'part-r62', x: 380, y: 0, width: 620, height: 600 },
    ]);
    expect(partWindows(600, 1000)).toEqual([
      { label: 'part-t62', x: 0, y: 0, width: 600, height: 620 },
      { label: 'part-b62', x: 0, y: 380, width: 600, height: 620 },
    ]);
    expect(partWindows(40, 40)).toEqual([]);
  });
});

describe('clipped highlights', () => {
  const lightnessOf = (seed: number) => halfLightnessPlane(paintingPixels(640, 480, seed), 640, 480, 3);

  it.each([1, 2, 6])(
    'a brightening that clips up to 30 %% of the picture leaves the clipped lightness hash in place (painting %i)',
    (seed) => {
      const { data, width, height } = lightnessOf(seed);
      const bright = data.map((v) => Math.min(255, v * 1.3));
      const brighter = bright.map((v) => Math.min(255, v * 1.2));
      const clippedShare = bright.filter((v) => v > 255 / 1.2).length / bright.length;
      expect(clippedShare).toBeGreaterThan(0.2);
      expect(clippedShare).toBeLessThanOrEqual(CLIPPED_SHARE);
      const hash = (plane: Float32Array) => pdqFromLuma(plane, width, height).hash;
      expect(hammingDistance(hash(bright), hash(brighter))).toBeGreaterThan(20);
      expect(hammingDistance(hash(clipBrightest(bright, CLIPPED_SHARE)), hash(clipBrightest(brighter, CLIPPED_SHARE)))).toBeLessThanOrEqual(
        2,
      );
    },
  );

  it('flattens exactly the brightest share at the level below it', () => {
    const plane = Float32Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) / 4); // 0..249.75, each value once
    const clipped = clipBrightest(Float32Array.from(plane), 0.3);
    const cap = Math.max(...clipped);
    expect(cap).toBeGreaterThanOrEqual(174.75);
    expect(cap).toBeLessThan(175.25);
    expect(clipped.filter((v) => v === cap).length).toBeGreaterThanOrEqual(299);
    for (const [i, v] of plane.entries()) expect(clipped[i]).toBe(Math.min(v, cap));
  });

  it('a bright painting brightened again in LCh matches through the clipped lightness hash', async () => {
    const original = await sharp(await painting(1200, 900, 4).png().toBuffer())
      .modulate({ brightness: 1.3 })
      .png()
      .toBuffer();
    const stored = await fingerprintImage(original, limits);
    const query = await fingerprintImage(await sharp(original).modulate({ brightness: 1.2 }).jpeg({ quality: 85 }).toBuffer(), limits);
    expect(hammingDistance(query.pdq, stored.pdq)).toBeGreaterThan(31);
    const best = bestDistance(query, stored);
    expect(best.distance).toBeLessThanOrEqual(16);
    expect(best.label).toMatch(/lightness-clipped/);
    expect(
      describeTransform({ exact: false, distance: best.distance, queryLabel: 'lightness-clipped', storedLabel: 'lightness-clipped' }),
    ).toMatch(/^colours or brightness changed/);
  });
});

describe('colour, flips and watermarks', () => {
  let original: Buffer;
  let stored: Fingerprint;
  beforeAll(async () => {
    original = await painting(1200, 900, 2).png().toBuffer();
    stored = await fingerprintImage(original, limits);
  });

  it('stores a lightness hash for a colourful image', () => {
    expect(stored.regions.map((r) => r.label)).toContain('lightness');
  });

  it.each([
    ['brightness -20% (LCh)', (i: Sharp) => i.modulate({ brightness: 0.8 })],
    ['greyscale', (i: Sharp) => i.greyscale()],
  ] as const)('a %s copy of a saturated painting matches through the lightness hash', async (_name, edit) => {
    const query = await fingerprintImage(await edit(sharp(original)).jpeg({ quality: 85 }).toBuffer(), limits);
    expect(hammingDistance(query.pdq, stored.pdq)).toBeGreaterThan(31); // PDQ's luma moves with the colours
    const best = bestDistance(query, stored);
    expect(best.distance).toBeLessThanOrEqual(16);
    expect(best.label).toMatch(/lightness/);
  });

  it.each([
    ['mirrored left-right', (i: Sharp) => i.flop()],
    ['mirrored top-bottom', (i: Sharp) => i.flip()],
    ['rotated 90°', (i: Sharp) => i.rotate(90)],
    ['rotated 180°', (i: Sharp) => i.rotate(180)],
  ] as const)('a losslessly %s copy matches a dihedral variant within 2 bits', async (_name, edit) => {
    const query = await fingerprintImage(await edit(sharp(original)).png().toBuffer(), limits);
    expect(hammingDistance(query.pdq, stored.pdq)).toBeGreaterThan(60);
    expect(Math.min(...query.variants.map((v) => hammingDistance(v.hash, stored.pdq)))).toBeLessThanOrEqual(2);
  });

  it.each([
    ['mirrored left to right', (b: Buffer) => sharp(b).flop().png().toBuffer()],
    ['mirrored top to bottom', (b: Buffer) => sharp(b).flip().png().toBuffer()],
    ['rotated 90° clockwise', (b: Buffer) => sharp(b).rotate(90).png().toBuffer()],
    ['rotated 90° counter-clockwise', (b: Buffer) => sharp(b).rotate(270).png().toBuffer()],
    ['rotated 180°', (b: Buffer) => sharp(b).rotate(180).png().toBuffer()],
    [
      'mirrored along the diagonal from top left to bottom right',
      async (b: Buffer) =>
        sharp(await sharp(b).rotate(90).png().toBuffer())
          .flop()
          .png()
          .toBuffer(),
    ],
    [
      'mirrored along the diagonal from top right to bottom left',
      async (b: Buffer) =>
        sharp(await sharp(b).rotate(90).png().toBuffer())
          .flip()
          .png()
          .toBuffer(),
    ],
  ] as const)('a copy %s is described so', async (description, edit) => {
    const query = await fingerprintImage(await edit(original), limits);
    const best = [...query.variants].sort((x, y) => hammingDistance(x.hash, stored.pdq) - hammingDistance(y.hash, stored.pdq))[0]!;
    expect(describeTransform({ exact: false, distance: 0, queryLabel: best.label, storedLabel: 'global' })).toBe(description);
  });

  it('a copy with a caption along the bottom matches window to window', async () => {
    const caption = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="900"><text x="60" y="828" font-family="sans-serif" font-size="63" fill="white" stroke="black">@reposter_account</text></svg>`,
    );
    const query = await fingerprintImage(
      await sharp(original)
        .composite([{ input: caption }])
        .jpeg({ quality: 85 })
        .toBuffer(),
      limits,
    );
    expect(hammingDistance(query.pdq, stored.pdq)).toBeGreaterThan(31);
    const best = bestDistance(query, stored);
    expect(best.distance).toBeLessThanOrEqual(16);
    expect(best.label).toBe('crop-72→crop-72');
  });
});
