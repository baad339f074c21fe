import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fingerprintImage } from '../../api/images/fingerprint.ts';
import { hammingDistance } from '../../api/images/pdq.ts';
import { gridHash, structureOrientation, STRUCTURE_BLACK_LABEL, STRUCTURE_LABEL } from '../../api/images/structure.ts';
import { isDegenerate, STRUCTURE_DISTANCE } from '../../api/matching/policy.ts';
import { softGlow } from './synthetic.ts';

const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };
const structureOf = async (bytes: Buffer) => (await fingerprintImage(bytes, limits)).structure ?? [];
const upright = (hashes: { label: string; hash: string }[]) => hashes.find((h) => h.label === STRUCTURE_LABEL)!.hash;
/** The nearest of a copy's structure hashes (any orientation) to a work's upright one. */
const nearest = (copy: { label: string; hash: string }[], work: string) =>
  Math.min(...copy.filter((h) => h.label !== STRUCTURE_BLACK_LABEL).map((h) => hammingDistance(h.hash, work)));

describe('structure hash', () => {
  it('sees a wallpaper whose PDQ hash is degenerate, and keeps it under re-saves, resizes, tone edits and quarter turns', async () => {
    const work = await softGlow(0.3, 0.35, '#3a4f7a', '#0b1530').png().toBuffer();
    const fp = await fingerprintImage(work, limits);
    expect(isDegenerate({ hash: fp.pdq, quality: fp.pdqQuality })).toBe(true);
    const hash = upright(fp.structure!);
    const copies = [
      await sharp(work).jpeg({ quality: 50 }).toBuffer(),
      await sharp(work).resize(240).webp({ quality: 60 }).toBuffer(),
      await sharp(work).modulate({ brightness: 1.4, saturation: 0.5 }).jpeg().toBuffer(),
      await sharp(work).greyscale().gamma(2.2, 1.0).png().toBuffer(),
      await sharp(work).rotate(90).jpeg().toBuffer(),
      await sharp(work).flop().jpeg().toBuffer(),
    ];
    for (const copy of copies) {
      const copyFp = await fingerprintImage(copy, limits);
      // PDQ loses it: its near-flat coefficients flip under any re-save.
      expect(hammingDistance(copyFp.pdq, fp.pdq)).toBeGreaterThan(31);
      expect(nearest(copyFp.structure!, hash)).toBeLessThanOrEqual(STRUCTURE_DISTANCE);
    }
  });

  it('tells glows placed differently apart, in every orientation', async () => {
    // (A glow mirrored to the other side is the same layout turned: it is matched, as 'similar'.)
    const works = [
      softGlow(0.3, 0.35, '#3a4f7a', '#0b1530'),
      softGlow(0.1, 0.9, '#7a3a4f', '#300b15'),
      softGlow(0.5, 0.1, '#2a2a2a', '#000000'),
      softGlow(0.5, 0.5, '#ffeedd', '#ccbbaa'),
    ];
    const hashes = await Promise.all(works.map(async (w) => structureOf(await w.png().toBuffer())));
    for (let i = 0; i < hashes.length; i++)
      for (let j = i + 1; j < hashes.length; j++)
        expect(nearest(hashes[i]!, upright(hashes[j]!)), `${i} vs ${j}`).toBeGreaterThan(2 * STRUCTURE_DISTANCE);
  });

  it('has none for a uniform picture', async () => {
    const white = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#fafafa' } })
      .png()
      .toBuffer();
    expect(await structureOf(white)).toEqual([]);
    expect(gridHash(new Float64Array(64).fill(128))).toBeUndefined();
  });

  it('has one hash per orientation, and one on black for a transparent picture whose colour is flat', async () => {
    const size = 400;
    const alpha = await softGlow(0.4, 0.4, '#ffffff', '#000000', size, size).greyscale().raw().toBuffer();
    const rgba = Buffer.alloc(size * size * 4, 255);
    for (let p = 0; p < size * size; p++) rgba[p * 4 + 3] = alpha[p]!;
    const transparent = await sharp(rgba, { raw: { width: size, height: size, channels: 4 } })
      .png()
      .toBuffer();
    const hashes = await structureOf(transparent);
    // Flattened on white the picture is uniform: only its black flatten has a structure.
    expect(hashes.map((h) => h.label)).toEqual([STRUCTURE_BLACK_LABEL]);
    const onBlack = await structureOf(await sharp(transparent).flatten({ background: '#000' }).jpeg().toBuffer());
    expect(hammingDistance(upright(onBlack), hashes[0]!.hash)).toBeLessThanOrEqual(STRUCTURE_DISTANCE);

    const glow = await structureOf(await softGlow(0.3, 0.35, '#3a4f7a', '#0b1530').png().toBuffer());
    expect(glow.map((h) => structureOrientation(h.label))).toEqual([
      'global',
      'rot90',
      'rot180',
      'rot270',
      'flipx',
      'flipy',
      'flip-plus1',
      'flip-minus1',
    ]);
  });
});
