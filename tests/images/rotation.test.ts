import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fingerprintImage } from '../../api/images/fingerprint.ts';
import { hammingDistance } from '../../api/images/pdq.ts';
import { storedHashes } from '../../api/matching/policy.ts';
import { FITTED_PREFIX, filledRotation, fittedShare, TURNED_LABEL, uprightSize } from '../../api/images/rotation.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { rotatedAndCropped, workingLuma } from './synthetic.ts';

const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };

describe('small rotations', () => {
  it('reads the angle of a copy rotated on a grown canvas off its filled corners, to a few tenths of a degree', async () => {
    const work = await renderArtwork(61, { width: 1000, height: 700 });
    for (const [degrees, background] of [
      [1, '#000000'],
      [3, '#ffffff'],
      [-5, '#000000'],
      [2.5, '#3a6ea5'],
    ] as const) {
      const copy = await sharp(work).rotate(degrees, { background }).jpeg({ quality: 85 }).toBuffer();
      const estimate = filledRotation(await workingLuma(copy));
      expect(estimate, `${degrees}° on ${background}`).toBeDefined();
      expect(Math.abs(estimate! - degrees), `${degrees}° on ${background}`).toBeLessThan(0.3);
    }
  });

  it('sees no rotation in an upright picture, with or without uniform borders', async () => {
    const work = await renderArtwork(62, { width: 900, height: 600 });
    expect(filledRotation(await workingLuma(work))).toBeUndefined();
    const boxed = await sharp(work).extend({ top: 60, bottom: 60, left: 40, right: 40, background: '#000000' }).png().toBuffer();
    expect(filledRotation(await workingLuma(boxed))).toBeUndefined();
  });

  it('turns the copy back: its upright hash is within the match distance of the work, the plain one far off', async () => {
    const work = await renderArtwork(63, { width: 1200, height: 800 });
    const original = await fingerprintImage(work, limits);
    const copy = await fingerprintImage(await sharp(work).rotate(3, { background: '#000000' }).jpeg({ quality: 80 }).toBuffer(), limits);
    const turned = copy.regions.find((r) => r.label === TURNED_LABEL);
    expect(turned).toBeDefined();
    expect(hammingDistance(turned!.hash, original.pdq)).toBeLessThanOrEqual(20);
    expect(hammingDistance(copy.pdq, original.pdq)).toBeGreaterThan(31);
    // An upright image has no turned hash.
    expect(original.regions.some((r) => r.label === TURNED_LABEL)).toBe(false);
  });

  it('turns a copy straightened and cropped to fit back by fixed angles: one view meets a stored centred window', async () => {
    const work = await renderArtwork(64, { width: 1200, height: 800 });
    const original = await fingerprintImage(work, limits);
    const stored = original.regions.filter((r) => r.label === 'crop-81' || r.label === 'crop-72');
    for (const degrees of [3, -2.5, 4.5]) {
      // The largest upright rectangle of the work's aspect inside the turned picture (a phone's straighten tool).
      const a = (Math.abs(degrees) * Math.PI) / 180;
      const share = fittedShare(1200, 800, degrees);
      const canvas = { width: 1200 * Math.cos(a) + 800 * Math.sin(a), height: 1200 * Math.sin(a) + 800 * Math.cos(a) };
      const fitted = await rotatedAndCropped(work, degrees, {
        width: (1200 * share) / canvas.width,
        height: (800 * share) / canvas.height,
      });
      const copy = await fingerprintImage(await fitted.jpeg({ quality: 80 }).toBuffer(), limits);
      const views = copy.regions.filter((r) => r.label.startsWith(FITTED_PREFIX));
      expect(views).toHaveLength(8);
      const nearest = Math.min(...views.flatMap((v) => stored.map((s) => hammingDistance(v.hash, s.hash))));
      expect(nearest, `${degrees}°`).toBeLessThanOrEqual(31);
      expect(hammingDistance(copy.pdq, original.pdq), `${degrees}°`).toBeGreaterThan(31);
    }
    // Query hashes only: a work is never stored under them.
    expect(storedHashes(original).some((h) => h.label.startsWith(FITTED_PREFIX))).toBe(false);
  });

  it('inverts the grown canvas', () => {
    const a = (3 * Math.PI) / 180;
    const [w, h] = [800, 600];
    const grown = { width: w * Math.cos(a) + h * Math.sin(a), height: w * Math.sin(a) + h * Math.cos(a) };
    const upright = uprightSize(grown.width, grown.height, 3);
    expect(upright.width).toBeCloseTo(w, 6);
    expect(upright.height).toBeCloseTo(h, 6);
  });
});
