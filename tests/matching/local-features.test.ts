import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintImage, thumbnailGrey } from '../../api/images/fingerprint.ts';
import type { GreyPlane } from '../../api/images/keypoints.ts';
import {
  type CellState,
  compareLocally,
  differsOnlyUnderAnOverlay,
  fitToneMap,
  judgeCells,
  mapShape,
} from '../../api/matching/local-features.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { ditheredSprite, rotatedAndCropped, socialRepost, starOutline } from '../images/synthetic.ts';

const limits = { maxBytes: 50 * 1024 * 1024, maxPixels: 50_000_000 };
/** The query side: a copy's working copy, as verify computes it. */
const queryGrey = async (bytes: Buffer): Promise<GreyPlane> => (await fingerprintImage(bytes, limits)).working!;
/** The work side: the stored thumbnail's grey plane, as the registry reads it. */
const workGrey = async (bytes: Buffer): Promise<GreyPlane> =>
  thumbnailGrey((await fingerprintImage(bytes, limits, { thumbnail: true })).thumbnail);
const svg = (width: number, height: number, body: string) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${body}</svg>`);
const sticker = (width: number, height: number) =>
  svg(
    width,
    height,
    `<circle cx="${width - 150}" cy="${height - 150}" r="135" fill="#e8452c"/><text x="${width - 150}" y="${height - 135}" text-anchor="middle" font-family="sans-serif" font-size="60" fill="white">LOGO</text>`,
  );

describe('the local-feature check', () => {
  let work: Buffer;
  let registered: GreyPlane;
  beforeAll(async () => {
    work = await renderArtwork(61, { width: 1200, height: 800 });
    registered = await workGrey(work);
  });

  it('confirms a copy rotated 3° and cropped to fit, and reads the angle', async () => {
    const copy = await (await rotatedAndCropped(work, 3, { width: 0.8, height: 0.8 })).jpeg({ quality: 70 }).toBuffer();
    const check = await compareLocally(await queryGrey(copy), registered);
    expect(check).toMatchObject({ confirmed: true });
    expect(check.rotation).toBeGreaterThan(2.5);
    expect(check.rotation).toBeLessThan(3.5);
    expect(check.coverage).toBeLessThan(0.8);
  });

  it('confirms a copy under a sticker in a corner', async () => {
    const covered = await sharp(work)
      .composite([{ input: sticker(1200, 800) }])
      .png()
      .toBuffer();
    const copy = await sharp(covered).resize(600).jpeg({ quality: 60 }).toBuffer();
    expect(await compareLocally(await queryGrey(copy), registered)).toMatchObject({ confirmed: true });
  });

  it('confirms a copy of a small picture (a 128-px icon) under a sticker: its plane is enlarged for the keypoints', async () => {
    const icon = await renderArtwork(61, { width: 128, height: 128 });
    const dot = svg(128, 128, '<circle cx="108" cy="108" r="18" fill="#e8452c"/>');
    const copy = await sharp(icon)
      .composite([{ input: dot }])
      .jpeg({ quality: 80 })
      .toBuffer();
    const check = await compareLocally(await queryGrey(copy), await workGrey(icon));
    expect(check).toMatchObject({ confirmed: true });
    // The keypoints are read back at the plane's own scale: the copy is neither turned nor resized.
    expect(Math.abs(check.rotation)).toBeLessThan(1);
    expect(check.scale).toBeCloseTo(1, 1);
  });

  it('confirms small sprites with one-pixel detail shrunk to half and watermarked: the work is smoothed before it is sampled', async () => {
    const watermark = svg(
      66,
      84,
      '<text x="3" y="77" font-family="sans-serif" font-size="6" fill="white" fill-opacity="0.8" stroke="black" stroke-width="1">@reposter_account</text>',
    );
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const sprite = await ditheredSprite(132, 168, seed).png().toBuffer();
      const registeredSprite = await workGrey(sprite);
      const half = await sharp(sprite).resize(66).jpeg({ quality: 85 }).toBuffer();
      // Sampled without smoothing, the work's dither aliased: the plain half-size copies agreed in 84–97 % of their cells.
      expect((await compareLocally(await queryGrey(half), registeredSprite)).agreement).toBeGreaterThanOrEqual(0.9);
      const marked = await sharp(half)
        .composite([{ input: watermark }])
        .jpeg({ quality: 85 })
        .toBuffer();
      expect(await compareLocally(await queryGrey(marked), registeredSprite)).toMatchObject({ confirmed: true });
    }
  });

  it('refuses another picture, and a small detail of this one', async () => {
    const other = await queryGrey(await renderArtwork(62, { width: 1200, height: 800 }));
    expect((await compareLocally(other, registered)).confirmed).toBe(false);
    // 70 % of each side: 49 % of the picture, found by its keypoints but too small a part.
    const detail = await sharp(work).extract({ left: 180, top: 120, width: 840, height: 560 }).jpeg().toBuffer();
    expect(await compareLocally(await queryGrey(detail), registered)).toMatchObject({
      confirmed: false,
      reason: 'the copy shows only a small part of the work',
    });
  });

  it('refuses two pictures on one template that differ in the middle', async () => {
    // The same frame and corners; the picture inside is another one.
    const frame = (inner: Buffer) =>
      sharp(work)
        .composite([{ input: inner, left: 300, top: 200 }])
        .png()
        .toBuffer();
    const a = await frame(
      await sharp(await renderArtwork(63, { width: 600, height: 400 }))
        .png()
        .toBuffer(),
    );
    const b = await frame(
      await sharp(await renderArtwork(64, { width: 600, height: 400 }))
        .png()
        .toBuffer(),
    );
    const check = await compareLocally(await queryGrey(await sharp(b).jpeg().toBuffer()), await workGrey(a));
    expect(check.confirmed).toBe(false);
  });
});

describe('the local-feature check on a low-detail picture (a small emblem on a near-flat wallpaper)', () => {
  /**
   * A dark wallpaper, 12 levels lighter past a soft step (too gentle for any cell to count as textured),
   * and a small detailed emblem off the centre: a handful of textured cells.
   */
  const wallpaper = async (step: number) => {
    const background = svg(
      1600,
      900,
      `<defs><linearGradient id="g"><stop offset="${step - 0.1}" stop-color="#23263a"/><stop offset="${step + 0.1}" stop-color="#2f3246"/></linearGradient></defs><rect width="1600" height="900" fill="url(#g)"/>`,
    );
    const emblem = await sharp(await renderArtwork(71, { width: 200, height: 150 }))
      .png()
      .toBuffer();
    return sharp(background)
      .composite([{ input: emblem, left: 1000, top: 330 }])
      .png()
      .toBuffer();
  };
  const STEP = 0.5;
  /** Cropped unevenly, 600 px wide, JPEG quality 60: a social network's re-post. */
  const reposted = async (bytes: Buffer) =>
    sharp(await sharp(bytes).extract({ left: 64, top: 18, width: 1472, height: 828 }).png().toBuffer())
      .resize(600)
      .jpeg({ quality: 60 })
      .toBuffer();

  it('confirms a re-post: few cells are textured, and the flat ones keep their level', async () => {
    const work = await wallpaper(STEP);
    const check = await compareLocally(await queryGrey(await reposted(work)), await workGrey(work));
    expect(check).toMatchObject({ confirmed: true });
    expect(check.coverage).toBeLessThan(0.9);
  });

  it('confirms a brightened copy: levels are compared through the fitted tone map', async () => {
    const work = await wallpaper(STEP);
    const brighter = await sharp(work).linear(1.2, 12).jpeg({ quality: 80 }).toBuffer();
    expect(await compareLocally(await queryGrey(brighter), await workGrey(work))).toMatchObject({ confirmed: true });
  });

  it('refuses the same emblem on a wallpaper whose step lies elsewhere', async () => {
    const check = await compareLocally(await queryGrey(await reposted(await wallpaper(STEP))), await workGrey(await wallpaper(0.2)));
    expect(check.confirmed).toBe(false);
  });
});

describe('the tone map between two pictures', () => {
  it('fits gain and offset, leaving out cells far off (an overlay)', () => {
    const work = [10, 40, 80, 120, 160, 200, 60, 90];
    const query = work.map((v) => 1.2 * v + 5);
    query[7] = 250;
    const map = fitToneMap(work, query);
    expect(map(100)).toBeCloseTo(125, 0);
  });

  it('fits an offset alone when the work has one level', () => {
    const map = fitToneMap([30, 30, 31, 30, 29], [42, 43, 42, 42, 41]);
    expect(map(30)).toBeCloseTo(42, 0);
  });
});

describe('where the pictures may differ', () => {
  const grid = (differing: [number, number][]) => {
    const states = Array.from({ length: 64 }, () => 'agrees' as const) as ('agrees' | 'differs' | 'skipped')[];
    for (const [x, y] of differing) states[y * 8 + x] = 'differs';
    return states;
  };
  it('allows one compact patch at the edge (a sticker, a caption), not one in the middle or a large one', () => {
    expect(differsOnlyUnderAnOverlay(grid([]))).toBe(true);
    expect(
      differsOnlyUnderAnOverlay(
        grid([
          [7, 7],
          [6, 7],
          [6, 6],
          [7, 5],
        ]),
      ),
    ).toBe(true);
    expect(differsOnlyUnderAnOverlay(grid(Array.from({ length: 8 }, (_, x) => [x, 7] as [number, number])))).toBe(true);
    expect(
      differsOnlyUnderAnOverlay(
        grid([
          [3, 3],
          [4, 4],
        ]),
      ),
    ).toBe(false);
    expect(
      differsOnlyUnderAnOverlay(
        grid([
          [0, 0],
          [4, 3],
        ]),
      ),
    ).toBe(false);
  });
});

describe('judging the cells', () => {
  /** 64 cells: the given counts of each state, the rest skipped. */
  const cells = (counts: Partial<Record<CellState, number>>): CellState[] => {
    const states = Object.entries(counts).flatMap(([state, n]) => Array.from({ length: n }, () => state as CellState));
    return [...states, ...Array.from({ length: 64 - states.length }, () => 'skipped' as const)];
  };

  it('judges a detailed picture on its textured cells, whatever the levels of its flat cells', () => {
    expect(judgeCells(cells({ agrees: 9, differs: 2, 'level-differs': 30 }))).toEqual({ agreement: 9 / 11 });
  });

  it('confirms a low-detail picture only when its flat cells agree in level almost everywhere', () => {
    expect(judgeCells(cells({ agrees: 3, 'level-agrees': 40 })).reason).toBeUndefined();
    expect(judgeCells(cells({ agrees: 3, 'level-agrees': 34, 'level-differs': 6 })).reason).toBe('the pictures differ where they overlap');
    expect(judgeCells(cells({ agrees: 2, 'level-agrees': 50 })).reason).toBe('too little texture where the pictures overlap');
    expect(judgeCells(cells({ agrees: 5, 'level-agrees': 8 })).reason).toBe('too little texture where the pictures overlap');
  });
});

describe('the shape of a fitted map', () => {
  it('reads rotation and scale, and tells mirrors and stretches', () => {
    const a = (15 * Math.PI) / 180;
    const turned = mapShape([2 * Math.cos(a), -2 * Math.sin(a), 5, 2 * Math.sin(a), 2 * Math.cos(a), 7]);
    expect(turned.rotation).toBeCloseTo(15);
    expect(turned.scale).toBeCloseTo(2);
    expect(turned.distortion).toBeCloseTo(0);
    expect(turned.mirrored).toBe(false);
    expect(mapShape([-1, 0, 0, 0, 1, 0]).mirrored).toBe(true);
    expect(mapShape([1.3, 0, 0, 0, 1, 0]).distortion).toBeCloseTo(0.3);
  });
});

describe('the local-feature check where keypoints anchor nothing: the pictures aligned as a whole', () => {
  /** A soft radial gradient under a darkening from the left: nothing but smooth tone. */
  const gradient = (cx: number, cy: number) =>
    sharp(
      svg(
        1600,
        900,
        `<defs><radialGradient id="g" cx="${cx}" cy="${cy}" r="0.6"><stop offset="0" stop-color="#d98c3a"/><stop offset="1" stop-color="#3a2a5c"/></radialGradient><linearGradient id="h" x1="0" x2="1"><stop offset="0" stop-color="#000" stop-opacity="0.4"/><stop offset="1" stop-color="#000" stop-opacity="0"/></linearGradient></defs><rect width="1600" height="900" fill="url(#g)"/><rect width="1600" height="900" fill="url(#h)"/>`,
      ),
    )
      .png()
      .toBuffer();

  it('confirms a re-posted star outline by its alignment, and reads how much of the star it shows', async () => {
    const work = await starOutline(37, 300);
    const check = await compareLocally(await queryGrey(await socialRepost(work)), await workGrey(work));
    expect(check).toMatchObject({ confirmed: true, alignedBy: 'correlation', inliers: 0 });
    expect(check.coverage).toBeGreaterThan(0.8);
    expect(check.coverage).toBeLessThan(0.9);
  });

  it('refuses a star with other points or another inner radius', async () => {
    const copy = await queryGrey(await socialRepost(await starOutline(37, 300)));
    expect((await compareLocally(copy, await workGrey(await starOutline(56, 300)))).confirmed).toBe(false);
    expect((await compareLocally(copy, await workGrey(await starOutline(37, 250)))).confirmed).toBe(false);
  });

  it('refuses to confirm a smooth gradient by alignment: another gradient, its centre elsewhere, lines up as well', async () => {
    const copy = await queryGrey(await socialRepost(await gradient(0.35, 0.6)));
    const check = await compareLocally(copy, await workGrey(await gradient(0.65, 0.4)));
    expect(check.confirmed).toBe(false);
    expect(check.reason).toMatch(/too smooth to tell/);
  });
});
