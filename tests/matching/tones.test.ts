import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintImage, thumbnailGrey, thumbnailLayoutOn, thumbnailTones } from '../../api/images/fingerprint.ts';
import { isColourway } from '../../api/images/colour-layout.ts';
import { tonesDiffer, type ToneLayout } from '../../api/images/tone-layout.ts';
import type { Fingerprint, ThumbnailedFingerprint } from '../../api/images/types.ts';
import { isColourwayEitherWay, isColourwayMatch, orderMatches, tonesDecide, unlikeness } from '../../api/matching/policy.ts';
import { goldAndSilverFrames, ringedEmblem } from '../images/synthetic.ts';

const limits = { maxBytes: 50 * 1024 * 1024, maxPixels: 50_000_000 };
/** What the registry holds of a work: its fingerprint and the tones of its stored thumbnail. */
async function registered(bytes: Buffer): Promise<{ fp: ThumbnailedFingerprint; tones: ToneLayout }> {
  const fp = await fingerprintImage(bytes, limits, { thumbnail: true });
  return { fp, tones: await thumbnailTones(fp.thumbnail) };
}
const whole = { exact: false, queryLabel: 'global', storedLabel: 'global' };
const colourwayOf = (query: Fingerprint, work: { fp: Fingerprint; tones: ToneLayout }, m = whole) =>
  isColourwayMatch(m, query.colourLayout, work.fp.colourLayout, { query: query.tones, work: work.tones });

describe('tones: a greyscale copy against a colourway in greys', () => {
  let gold: { fp: ThumbnailedFingerprint; tones: ToneLayout };
  let silver: { fp: ThumbnailedFingerprint; tones: ToneLayout };
  let bytes: { gold: Buffer; silver: Buffer };
  beforeAll(async () => {
    bytes = await goldAndSilverFrames(71);
    gold = await registered(bytes.gold);
    silver = await registered(bytes.silver);
  });

  it('calls the same design in gold and in silver colourways of each other, registered either way round', () => {
    expect(colourwayOf(silver.fp, gold)).toBe(true);
    expect(colourwayOf(gold.fp, silver)).toBe(true);
  });

  it('calls a greyscale copy of the gold frame a copy of it, whichever tool made the greys', async () => {
    for (const greyscale of [
      (s: Sharp) => s.greyscale(), // libvips: luminance
      (s: Sharp) =>
        s.recomb([
          [0.299, 0.587, 0.114],
          [0.299, 0.587, 0.114],
          [0.299, 0.587, 0.114],
        ]), // Rec. 601 luma
    ]) {
      const copy = await fingerprintImage(await greyscale(sharp(bytes.gold)).png().toBuffer(), limits);
      expect(colourwayOf(copy, gold)).toBe(false);
    }
  });

  it('leaves a transparent work flattened on a colour to its hashes: the cells with background in them are not compared', async () => {
    const onBlue = await fingerprintImage(await sharp(bytes.silver).flatten({ background: '#3a6ea5' }).jpeg().toBuffer(), limits);
    expect(tonesDiffer(onBlue.tones!, silver.tones)).not.toBe(true);
    expect(colourwayOf(onBlue, silver)).toBe(false);
  });

  it("compares a copy flattened on a colour with a transparent work's colours on that colour", async () => {
    // On blue, the ring's mostly see-through cells turn blue.
    const emblem = await ringedEmblem();
    const work = await fingerprintImage(emblem, limits, { thumbnail: true });
    const onBlue = async (bytes: Buffer) =>
      fingerprintImage(await sharp(bytes).flatten({ background: '#3a6ea5' }).jpeg({ quality: 85 }).toBuffer(), limits);
    const copy = await onBlue(emblem);
    expect(copy.background).toBeDefined();
    const workOnBlue = await thumbnailLayoutOn(work.thumbnail, copy.background!);
    expect(isColourway(copy.colourLayout, work.colourLayout)).toBe(true); // against its colours on white
    expect(isColourway(copy.colourLayout, workOnBlue)).toBe(false);
    // An opaque work has no other colours on blue: its stored layout stands.
    expect(await thumbnailLayoutOn(silver.fp.thumbnail, copy.background!)).toBeDefined(); // the frames are transparent
    const painting = await fingerprintImage(await sharp(bytes.gold).flatten({ background: '#ffffff' }).png().toBuffer(), limits, {
      thumbnail: true,
    });
    expect(await thumbnailLayoutOn(painting.thumbnail, copy.background!)).toBeUndefined();
  });

  it('decides only when the frames coincide and one side alone has hues', async () => {
    const copy = await fingerprintImage(await sharp(bytes.silver).flatten({ background: '#ffffff' }).toBuffer(), limits);
    expect(tonesDecide(whole, copy.colourLayout, gold.fp.colourLayout)).toBe(true);
    expect(tonesDecide({ ...whole, queryLabel: 'crop-81', storedLabel: 'crop-81' }, copy.colourLayout, gold.fp.colourLayout)).toBe(true);
    expect(tonesDecide({ ...whole, queryLabel: 'view-tl88', storedLabel: 'edge-tl85' }, copy.colourLayout, gold.fp.colourLayout)).toBe(
      false,
    );
    expect(tonesDecide({ ...whole, queryLabel: 'rot90' }, copy.colourLayout, gold.fp.colourLayout)).toBe(false);
    expect(tonesDecide(whole, gold.fp.colourLayout, gold.fp.colourLayout)).toBe(false);
  });
});

describe('tones of line art on transparency', () => {
  /** A swirl drawn in thin strokes on a transparent canvas: each cell is 10–30 % opaque. */
  const swirl = (colour: string) =>
    sharp(
      Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><g fill="none" stroke="${colour}" stroke-width="22"><path d="M300 90 C 470 90 520 260 440 360 C 360 460 200 420 210 300 C 220 200 340 210 350 290"/><path d="M160 520 C 90 420 90 220 200 140"/><circle cx="300" cy="300" r="260" stroke-width="10"/></g></svg>`,
      ),
    )
      .png()
      .toBuffer();

  it('calls the same emblem in crimson and in black colourways, and a greyscale copy of the crimson one a copy', async () => {
    const crimson = await registered(await swirl('#a80030'));
    const black = await registered(await swirl('#000000'));
    expect(crimson.fp.pdq).toBe(black.fp.pdq); // PDQ hashes the drawing, flattened on white: no bit apart
    expect(colourwayOf(black.fp, crimson)).toBe(true);
    expect(colourwayOf(crimson.fp, black)).toBe(true);
    const greyCopy = await fingerprintImage(
      await sharp(await swirl('#a80030'))
        .greyscale()
        .png()
        .toBuffer(),
      limits,
    );
    expect(colourwayOf(greyCopy, crimson)).toBe(false);
  });
});

describe('dim colourways', () => {
  /** A dark wallpaper: a smooth ramp in one dim tint (chroma ~8 of 128) with a small bright shape. */
  const dim = (tint: string) =>
    sharp(
      Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="500"><defs><linearGradient id="g"><stop offset="0" stop-color="${tint}"/><stop offset="1" stop-color="#101010"/></linearGradient></defs><rect width="800" height="500" fill="url(#g)"/><circle cx="520" cy="210" r="40" fill="#d0d0d0"/></svg>`,
      ),
    )
      .png()
      .toBuffer();
  const layoutOf = async (bytes: Buffer) => (await fingerprintImage(bytes, limits)).colourLayout;

  it('tells an olive wallpaper from the same one in slate, and keeps a re-encoded copy the same', async () => {
    const olive = await dim('#4a4a32');
    const slate = await dim('#3c3e52');
    expect(isColourway(await layoutOf(olive), await layoutOf(slate))).toBe(true);
    expect(isColourway(await layoutOf(olive), await layoutOf(await sharp(olive).jpeg({ quality: 40 }).toBuffer()))).toBe(false);
  });

  it('does not read faint hues against a copy flattened on a strong colour', async () => {
    const faint = await sharp(await dim('#4a4a32'))
      .ensureAlpha(0.5)
      .png()
      .toBuffer();
    const onBlue = await sharp(faint).flatten({ background: '#3a6ea5' }).jpeg().toBuffer();
    expect(isColourway(await layoutOf(faint), await layoutOf(onBlue))).toBe(false);
  });
});

describe('the order of accepted matches', () => {
  const view = (m: { distance: number; colourway?: boolean; unlikeness?: number; queryLabel?: string }) => ({
    distance: m.distance,
    colourway: m.colourway ?? false,
    queryLabel: m.queryLabel ?? 'global',
    unlikeness: m.unlikeness,
  });

  it('puts the work an image is a copy of before a nearer colourway', () => {
    const colourway = { distance: 2, colourway: true };
    const own = { distance: 6 };
    expect(orderMatches([colourway, own], view)).toEqual([own, colourway]);
  });

  it('ranks candidates a few bits apart by how alike they look, and the rest by distance', () => {
    const twin = { distance: 2, unlikeness: 18 };
    const own = { distance: 5, unlikeness: 3 };
    const far = { distance: 20, unlikeness: 1 };
    expect(orderMatches([twin, far, own], view)).toEqual([own, twin, far]);
  });

  it('keeps distance order when a likeness is unknown or the copy is turned', () => {
    const twin = { distance: 2, unlikeness: 18 };
    expect(orderMatches([twin, { distance: 5 }], view)[0]).toBe(twin);
    const turned = [
      { distance: 2, unlikeness: 18, queryLabel: 'rot90' },
      { distance: 5, unlikeness: 3, queryLabel: 'rot90' },
    ];
    expect(orderMatches(turned, view)[0]).toBe(turned[0]);
  });
});

describe('how alike a copy and a work look, over the windows whose hashes matched', () => {
  it("compares a bordered copy's content box with the whole work: the border's white would make the silver frame look gold", async () => {
    const { gold, silver } = await goldAndSilverFrames(72);
    const onWhite = (bytes: Buffer) => sharp(bytes).flatten({ background: '#ffffff' });
    const copy = await fingerprintImage(
      await onWhite(silver).extend({ top: 40, bottom: 40, left: 40, right: 40, background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer(),
      limits,
    );
    const workOf = async (bytes: Buffer) => {
      const fp = await fingerprintImage(bytes, limits, { thumbnail: true });
      return { grey: await thumbnailGrey(fp.thumbnail), colourLayouts: [fp.colourLayout] };
    };
    const [toSilver, toGold] = [await workOf(silver), await workOf(gold)];
    const inside = { queryLabel: 'trimmed', storedLabel: 'global' };
    expect(copy.windows?.trimmed).toBeDefined();
    expect(unlikeness(copy, inside, toSilver)!).toBeLessThan(unlikeness(copy, inside, toGold)!);
    // The whole bordered copy against the whole work: lighter than the silver frame, as light as the gold one.
    expect(unlikeness(copy, whole, toSilver)!).toBeGreaterThan(unlikeness(copy, whole, toGold)!);
    // A turned copy's cells lie elsewhere: nothing to compare.
    expect(unlikeness(copy, { queryLabel: 'rot90', storedLabel: 'global' }, toSilver)).toBeUndefined();
  });
});

describe("a transparent work's colours, as registered or on the copy's border colour", () => {
  it("compares a copy whose border is the picture's own edge (a gold frame cropped) with the work as registered", async () => {
    // A gold frame around a see-through window holding a red disc, registered transparent.
    const frame = await sharp(
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="450"><path fill-rule="evenodd" fill="#c9a43a" d="M0 0H600V450H0Z M90 90V360H510V90Z"/><circle cx="300" cy="225" r="80" fill="#d22a2a"/></svg>',
      ),
    )
      .png()
      .toBuffer();
    const work = await fingerprintImage(frame, limits, { thumbnail: true });
    const grey = await thumbnailGrey(work.thumbnail);
    const cropped = await sharp(frame)
      .flatten({ background: '#ffffff' })
      .extract({ left: 15, top: 12, width: 570, height: 426 })
      .jpeg({ quality: 85 })
      .toBuffer();
    const copy = await fingerprintImage(cropped, limits);
    // The copy's border is the frame's gold: taken for what it was flattened on, the work's window turns gold.
    expect(copy.background).toBeDefined();
    const onGold = (await thumbnailLayoutOn(work.thumbnail, copy.background!))!;
    const match = { queryLabel: 'crop-96', storedLabel: 'crop-92' };
    const seenOnGold = unlikeness(copy, match, { grey, colourLayouts: [onGold] })!;
    const eitherWay = unlikeness(copy, match, { grey, colourLayouts: [onGold, work.colourLayout] })!;
    expect(eitherWay).toBeLessThan(seenOnGold / 2);
    // Nor is it a colourway, whichever way its colours are seen.
    expect(isColourwayEitherWay({ ...match, exact: false }, copy.colourLayout, [onGold, work.colourLayout])).toBe(false);
  });
});
