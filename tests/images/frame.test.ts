import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FRAMED_LABEL, framedWindow } from '../../api/images/frame.ts';
import { fingerprintImage } from '../../api/images/fingerprint.ts';
import { hammingDistance } from '../../api/images/pdq.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { screenshotOf, workingLuma } from './synthetic.ts';

const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };

/** The picture, shown 400 px wide inside a browser-like window, is found to a pixel or two. */
async function expectFrameFound(picture: Buffer): Promise<void> {
  const shot = await screenshotOf(picture, 400);
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
});
