import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { borderColour, flattenOnto, ON_WHITE_LABEL, copyBackground } from '../../api/images/alpha.ts';
import { fingerprintImage, thumbnailLayoutOn } from '../../api/images/fingerprint.ts';
import { isColourwayMatch } from '../../api/matching/policy.ts';
import { hammingDistance } from '../../api/images/pdq.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { cutOutPainting } from './synthetic.ts';

const rgbOf = async (bytes: Buffer) => {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return copyBackground(borderColour(new Uint8Array(data), info.width, info.height, info.channels));
};

describe('alpha helpers', () => {
  it('flattens onto a grey level or a colour', () => {
    const halfRed = new Uint8Array([255, 0, 0, 128]);
    expect([...flattenOnto(halfRed, 255)]).toEqual([255, 127, 127]);
    expect([...flattenOnto(halfRed, [58, 110, 165])]).toEqual([157, 55, 82]);
  });

  it('reads the colour of a uniform border (what a picture was flattened or padded on), and none around a full-bleed picture', async () => {
    const painting = await renderArtwork(91, { width: 400, height: 300 });
    const padded = await sharp(painting)
      .extend({ top: 20, bottom: 20, left: 20, right: 20, background: '#3a6ea5' })
      .jpeg({ quality: 85 })
      .toBuffer();
    const border = await rgbOf(padded);
    expect(border).toBeDefined();
    for (const [c, want] of [58, 110, 165].entries()) expect(Math.abs(border![c]! - want)).toBeLessThanOrEqual(3);
    expect(await rgbOf(painting)).toBeUndefined();
  });

  it("puts a transparent work flattened on a colour back on white: that hash is the work's, its own global hash is not", async () => {
    const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };
    const cutOut = await cutOutPainting(92);
    const work = await fingerprintImage(cutOut, limits);
    const onBlue = await fingerprintImage(await sharp(cutOut).flatten({ background: '#3a6ea5' }).jpeg({ quality: 85 }).toBuffer(), limits);
    const onWhite = onBlue.regions.find((r) => r.label === ON_WHITE_LABEL);
    expect(hammingDistance(onBlue.pdq, work.pdq)).toBeGreaterThan(31);
    expect(onWhite).toBeDefined();
    expect(hammingDistance(onWhite!.hash, work.pdq)).toBeLessThanOrEqual(16);
    // A copy on white, and the work itself, are on white already.
    const copyOnWhite = await fingerprintImage(
      await sharp(cutOut).flatten({ background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer(),
      limits,
    );
    expect(copyOnWhite.regions.some((r) => r.label === ON_WHITE_LABEL)).toBe(false);
    expect(work.regions.some((r) => r.label === ON_WHITE_LABEL)).toBe(false);
  });

  it("reads what a sprite was flattened on when its own floor and a post take a third of the border, and sees the work's colours on it", async () => {
    const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };
    const sprite = await sharp(
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><circle cx="300" cy="300" r="265" fill="none" stroke="#d22a2a" stroke-width="24"/><rect x="150" y="150" width="300" height="300" fill="#f0b429"/><rect y="575" width="600" height="25" fill="#8a5a2b"/><rect y="400" width="25" height="200" fill="#8a5a2b"/></svg>',
      ),
    )
      .png()
      .toBuffer();
    const work = await fingerprintImage(sprite, limits, { thumbnail: true });
    const copy = await fingerprintImage(await sharp(sprite).flatten({ background: '#3a6ea5' }).jpeg({ quality: 85 }).toBuffer(), limits);
    expect(copy.background).toBeDefined();
    for (const [c, want] of [58, 110, 165].entries()) expect(Math.abs(copy.background![c]! - want)).toBeLessThanOrEqual(3);
    const match = { exact: false, queryLabel: 'global', storedLabel: 'alpha-grey' };
    // As registered (on white) its see-through cells are white, on the copy blue: a colourway by hue.
    expect(isColourwayMatch(match, copy.colourLayout, work.colourLayout)).toBe(true);
    // Seen on the copy's background, the same colours.
    const onBlue = await thumbnailLayoutOn(work.thumbnail!, copy.background!);
    expect(isColourwayMatch(match, copy.colourLayout, onBlue)).toBe(false);
  });
});
