import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FRAMED_LABEL, framedWindow } from '../../api/images/frame.ts';
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
          const luma = new Float32Array(width * height).fill(247);
          const box = {
            x: Math.round(p.left * width),
            y: Math.round(p.top * height),
            w: Math.round((1 - p.left - p.right) * width),
            h: Math.round((1 - p.top - p.bottom) * height),
            v: p.v,
          };
          for (const r of [box, ...rectangles])
            for (let y = r.y; y < Math.min(height, r.y + r.h); y++)
              for (let x = r.x; x < Math.min(width, r.x + r.w); x++) luma[y * width + x] = r.v;
          for (let i = 0; i < luma.length; i++) luma[i] = luma[i]! + (((i * 2654435761) >>> 0) % (noise + 1));
          const window = framedWindow(luma, width, height);
          if (!window) return;
          found++;
          expect([window.x, window.y, window.width, window.height].every(Number.isInteger)).toBe(true);
          expect(window.x).toBeGreaterThanOrEqual(0);
          expect(window.y).toBeGreaterThanOrEqual(0);
          expect(window.width).toBeGreaterThan(0);
          expect(window.height).toBeGreaterThan(0);
          expect(window.x + window.width).toBeLessThanOrEqual(width);
          expect(window.y + window.height).toBeLessThanOrEqual(height);
        },
      ),
      { numRuns: 300 },
    );
    // The planes must exercise the search, not only its refusals.
    expect(found).toBeGreaterThan(30);
  });
});
