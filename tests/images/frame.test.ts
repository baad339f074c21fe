import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FRAMED_LABEL, framedWindow } from '../../api/images/frame.ts';
import { PAGED_LABEL, pageWindow, type Window } from '../../api/images/regions.ts';
import { MATCH_DISTANCE } from '../../api/matching/policy.ts';
import { fingerprintImage } from '../../api/images/fingerprint.ts';
import { hammingDistance } from '../../api/images/pdq.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { screenshotOf, workingLuma } from './synthetic.ts';

const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };

/** The picture, shown `shownWidth` px wide inside a browser-like window, is found to a pixel or two. */
async function expectFrameFound(picture: Buffer, shownWidth = 400): Promise<void> {
  const shot = await screenshotOf(picture, shownWidth);
  const { values: luma, width, height } = await workingLuma(shot.bytes);
  const found = framedWindow(luma, width, height);
  expect(found).toBeDefined();
  expect(Math.abs(found!.x - shot.box.x)).toBeLessThanOrEqual(2);
  expect(Math.abs(found!.y - shot.box.y)).toBeLessThanOrEqual(2);
  expect(Math.abs(found!.width - shot.box.width)).toBeLessThanOrEqual(3);
}

type Rectangle = { x: number; y: number; w: number; h: number; v: number };

/** A light page (luma 247) with rectangles painted on it, then a fixed pseudo-random noise of up to `noise` levels. */
function paintedPlane(width: number, height: number, rectangles: Rectangle[], noise: number): Float32Array {
  const luma = new Float32Array(width * height).fill(247);
  for (const r of rectangles)
    for (let y = r.y; y < Math.min(height, r.y + r.h); y++)
      for (let x = r.x; x < Math.min(width, r.x + r.w); x++) luma[y * width + x] = r.v;
  for (let i = 0; i < luma.length; i++) luma[i] = luma[i]! + (((i * 2654435761) >>> 0) % (noise + 1));
  return luma;
}

/** A window of whole pixels, at least `margin` pixels inside the plane on every side. */
function expectInside(window: Window, width: number, height: number, margin: number): void {
  expect([window.x, window.y, window.width, window.height].every(Number.isInteger)).toBe(true);
  expect(Math.min(window.x, window.y)).toBeGreaterThanOrEqual(margin);
  expect(Math.min(window.width, window.height)).toBeGreaterThan(0);
  expect(window.x + window.width).toBeLessThanOrEqual(width - margin);
  expect(window.y + window.height).toBeLessThanOrEqual(height - margin);
}

describe('pictures inside a frame (screenshots)', () => {
  it('finds the picture inside a browser-like window, to a pixel or two', async () => {
    const work = await renderArtwork(71, { width: 900, height: 600 });
    await expectFrameFound(work);
  });

  it('finds a detailed picture (fine texture on every line) inside the window: only the flat frame around it counts', async () => {
    const detailed = await sharp({
      create: { width: 900, height: 600, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .png()
      .toBuffer();
    await expectFrameFound(detailed);
  });

  it("finds a picture whose edge fades into the frame along part of two sides (light patches of the frame's grey)", async () => {
    const work = await renderArtwork(74, { width: 900, height: 600 });
    const patches = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="600"><rect x="250" width="330" height="90" fill="#f7f7f7"/><circle cx="600" cy="640" r="150" fill="#f7f7f7"/></svg>',
    );
    await expectFrameFound(
      await sharp(work)
        .composite([{ input: patches }])
        .png()
        .toBuffer(),
    );
  });

  it('finds a colouring page (white, the frame a few levels darker, line art up to its edges) to a pixel or two', async () => {
    const strokes = Array.from({ length: 40 }, (_, i) => {
      const x = (i * 97) % 900;
      const y = (i * 61) % 600;
      return `<path d="M${x} ${y} q 60 ${(i % 5) * 30 - 60} 140 ${(i % 7) * 20 - 40}" stroke="black" stroke-width="3" fill="none"/>`;
    }).join('');
    const page = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="600"><rect width="900" height="600" fill="white"/>${strokes}<path d="M0 590 H900" stroke="black" stroke-width="2" stroke-dasharray="9 7"/></svg>`,
    );
    await expectFrameFound(await sharp(page).png().toBuffer(), 300);
  });

  it('finds no frame in a full-bleed picture, nor in a texture', async () => {
    const { values: luma, width, height } = await workingLuma(await renderArtwork(72, { width: 800, height: 600 }));
    expect(framedWindow(luma, width, height)).toBeUndefined();
    const noise = await sharp({
      create: { width: 640, height: 480, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 20 } },
    })
      .jpeg()
      .toBuffer();
    const textured = await workingLuma(noise);
    expect(framedWindow(textured.values, textured.width, textured.height)).toBeUndefined();
  });

  it('hashes the framed picture: within the match distance of the work, while the whole screenshot is far off', async () => {
    const work = await renderArtwork(73, { width: 1000, height: 700 });
    const original = await fingerprintImage(work, limits);
    const copy = await fingerprintImage((await screenshotOf(work, 560)).bytes, limits);
    const framed = copy.regions.find((r) => r.label === FRAMED_LABEL);
    expect(framed).toBeDefined();
    expect(hammingDistance(framed!.hash, original.pdq)).toBeLessThanOrEqual(16);
    expect(hammingDistance(copy.pdq, original.pdq)).toBeGreaterThan(31);
    expect(original.regions.some((r) => r.label === FRAMED_LABEL)).toBe(false);
  });

  it('returns a window inside the plane, or none, whatever the plane holds (pictures, rectangles, noise)', () => {
    const share = (min: number, max: number) => fc.double({ min, max, noNaN: true });
    const picture = fc.record({
      left: share(0.03, 0.3),
      top: share(0.03, 0.3),
      right: share(0.03, 0.3),
      bottom: share(0.03, 0.3),
      v: fc.nat(255),
    });
    const rectangle = fc.record({
      x: fc.nat(200),
      y: fc.nat(200),
      w: fc.integer({ min: 1, max: 60 }),
      h: fc.integer({ min: 1, max: 60 }),
      v: fc.nat(255),
    });
    let found = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 60, max: 200 }),
        fc.integer({ min: 60, max: 200 }),
        picture,
        fc.array(rectangle, { maxLength: 3 }),
        fc.nat(8),
        (width, height, p, rectangles, noise) => {
          const box = {
            x: Math.round(p.left * width),
            y: Math.round(p.top * height),
            w: Math.round((1 - p.left - p.right) * width),
            h: Math.round((1 - p.top - p.bottom) * height),
            v: p.v,
          };
          const luma = paintedPlane(width, height, [box, ...rectangles], noise);
          const window = framedWindow(luma, width, height);
          if (!window) return;
          found++;
          expectInside(window, width, height, 0);
        },
      ),
      { numRuns: 300 },
    );
    // The planes must exercise the search, not only its refusals.
    expect(found).toBeGreaterThan(30);
  });
});

/** A round emblem on transparency: its outline is no rectangle, so no frame search finds it on a page. */
async function roundEmblem(seed: number, side: number): Promise<Buffer> {
  const mask = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><circle cx="${side / 2}" cy="${side / 2}" r="${side * 0.4}"/></svg>`,
  );
  return sharp(await renderArtwork(seed, { width: side, height: side }))
    .ensureAlpha()
    .composite([{ input: mask, blend: 'dest-in' }])
    .png()
    .toBuffer();
}

describe('pictures on a page under a toolbar (screenshots)', () => {
  it('finds a transparent emblem shown on the page: its content box, where the frame search finds nothing', async () => {
    const emblem = await roundEmblem(81, 600);
    const shot = await screenshotOf(emblem, 400);
    const { values: luma, width, height } = await workingLuma(shot.bytes);
    expect(framedWindow(luma, width, height)).toBeUndefined();
    const found = pageWindow(luma, width, height);
    expect(found?.label).toBe(PAGED_LABEL);
    // The emblem's disc covers 80 % of its side, centred in the picture shown.
    const scale = width / Math.round(400 / 0.8);
    const disc = { x: (shot.box.x + 40) * scale, y: (shot.box.y + 40) * scale, side: 320 * scale };
    expect(Math.abs(found!.x - disc.x)).toBeLessThanOrEqual(3);
    expect(Math.abs(found!.y - disc.y)).toBeLessThanOrEqual(3);
    expect(Math.abs(found!.width - disc.side)).toBeLessThanOrEqual(4);
    expect(Math.abs(found!.height - disc.side)).toBeLessThanOrEqual(4);
  });

  it("finds a photo whose light sky fades into the page: the page's colour stops the trim, not its flatness", async () => {
    const sky = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="600"><defs><linearGradient id="s" x2="0" y2="1"><stop offset="0" stop-color="#f2f4f8"/><stop offset="1" stop-color="#c9d6e8"/></linearGradient></defs><rect width="900" height="300" fill="url(#s)"/></svg>',
    );
    const photo = await sharp(await renderArtwork(82, { width: 900, height: 600 }))
      .composite([{ input: sky }])
      .png()
      .toBuffer();
    const shot = await screenshotOf(photo, 400);
    const { values: luma, width, height } = await workingLuma(shot.bytes);
    const found = pageWindow(luma, width, height);
    const scale = width / Math.round(400 / 0.8);
    expect(found).toBeDefined();
    expect(Math.abs(found!.y - shot.box.y * scale)).toBeLessThanOrEqual(3);
    expect(Math.abs(found!.x - shot.box.x * scale)).toBeLessThanOrEqual(3);
  });

  it('hashes the emblem on the page within the match distance of the work', async () => {
    const emblem = await roundEmblem(83, 600);
    const original = await fingerprintImage(emblem, limits);
    const copy = await fingerprintImage((await screenshotOf(emblem, 380)).bytes, limits);
    const paged = copy.regions.find((r) => r.label === PAGED_LABEL);
    const trimmed = original.regions.find((r) => r.label === 'trimmed');
    expect(paged).toBeDefined();
    expect(hammingDistance(paged!.hash, trimmed!.hash)).toBeLessThanOrEqual(MATCH_DISTANCE);
    expect(hammingDistance(copy.pdq, original.pdq)).toBeGreaterThan(MATCH_DISTANCE);
    expect(original.regions.some((r) => r.label === PAGED_LABEL)).toBe(false);
  });

  it('returns a window inside the plane, or none, whatever lies under the bar', () => {
    let found = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: 160 }),
        fc.integer({ min: 40, max: 160 }),
        // Shares of the height and width, in per cent: the bar, the picture's left and top.
        fc.record({ bar: fc.integer({ min: 0, max: 40 }), left: fc.integer({ min: 0, max: 25 }), top: fc.integer({ min: 20, max: 50 }) }),
        fc.nat(200),
        fc.array(fc.record({ x: fc.nat(160), y: fc.nat(160), w: fc.nat(120), h: fc.nat(120), v: fc.nat(255) }), { maxLength: 2 }),
        fc.nat(8),
        (width, height, at, v, rectangles, noise) => {
          const bar = { x: 0, y: 0, w: width, h: Math.round((at.bar / 100) * height), v: 225 };
          const [x, y] = [Math.round((at.left / 100) * width), Math.round((at.top / 100) * height)];
          const box = { x, y, w: Math.round(0.6 * width), h: Math.round(0.45 * height), v };
          const luma = paintedPlane(width, height, [bar, box, ...rectangles], noise);
          const window = pageWindow(luma, width, height);
          if (!window) return;
          found++;
          // The page shows on every side of it.
          expectInside(window, width, height, 1);
        },
      ),
      { numRuns: 300 },
    );
    // The planes must exercise the search, not only its refusals.
    expect(found).toBeGreaterThan(30);
  });

  it('finds no page in a full-bleed picture, a letterboxed one (its bars are borders) or a texture', async () => {
    const picture = await renderArtwork(84, { width: 800, height: 600 });
    const letterboxed = await sharp(picture).extend({ top: 60, bottom: 60, background: '#000' }).png().toBuffer();
    const noise = await sharp({
      create: { width: 640, height: 480, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 20 } },
    })
      .jpeg()
      .toBuffer();
    for (const bytes of [picture, letterboxed, noise]) {
      const { values: luma, width, height } = await workingLuma(bytes);
      expect(pageWindow(luma, width, height)).toBeUndefined();
    }
  });
});
