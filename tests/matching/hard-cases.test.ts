import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { AuraClient, generateIdentity, type Identity } from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import {
  cornerSticker,
  cutOutPainting,
  dotGrid,
  goldAndSilverFrames,
  ringedEmblem,
  rotatedAndCropped,
  screenshotOf,
  socialRepost,
  softGlow,
  starOutline,
} from '../images/synthetic.ts';

/**
 * The hard cases of matching (docs/matching.md), each through HTTP: works whose fingerprint is
 * degenerate (uniform, alpha-only), transparent works re-posted on any background, and the others
 * added below. Each artist is a separate account, so a wrong match shows up as a priority conflict.
 */
const png = (bytes: Buffer, filename = 'work.png') => ({ bytes, filename, type: 'image/png' });
const jpeg = (bytes: Buffer) => ({ bytes, filename: 'copy.jpg', type: 'image/jpeg' });

/** An alpha-only picture: every pixel has the colour `rgb`, the shapes exist only in the alpha channel. */
async function alphaOnly(seed: number, rgb: number, size = 480): Promise<Buffer> {
  const shapes = Array.from({ length: 5 }, (_, i) => {
    const x = ((seed * 97 + i * 131) % 360) + 60;
    const y = ((seed * 53 + i * 211) % 360) + 60;
    return `<circle cx="${x}" cy="${y}" r="${30 + ((seed + i * 17) % 50)}"/><rect x="${(x * 7) % 380}" y="${(y * 3) % 380}" width="${40 + i * 12}" height="${90 - i * 9}"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><g fill="black" stroke="black" stroke-width="6">${shapes}</g></svg>`;
  const alpha = await sharp(Buffer.from(svg)).ensureAlpha().extractChannel(3).raw().toBuffer();
  const rgba = Buffer.alloc(size * size * 4, rgb);
  for (let p = 0; p < size * size; p++) rgba[p * 4 + 3] = alpha[p]!;
  return sharp(rgba, { raw: { width: size, height: size, channels: 4 } })
    .png()
    .toBuffer();
}

describeEachDatabase('matching hard cases', (backend) => {
  let server: TestServer;
  const artists: { identity: Identity; client: AuraClient }[] = [];
  const viewer = () => new AuraClient(server.url);
  /** A fresh account for each work, so that any match between two works is refused as a conflict. */
  async function artist(): Promise<{ identity: Identity; client: AuraClient }> {
    const identity = await generateIdentity();
    const client = new AuraClient(server.url);
    await client.createAccount(identity, { handle: `artist-${artists.length}`, displayName: `Artist ${artists.length}`, kind: 'artist' });
    await client.signIn(identity);
    const a = { identity, client };
    artists.push(a);
    return a;
  }
  const register = async (bytes: Buffer, title: string) => {
    const a = await artist();
    return (await a.client.registerWork(a.identity, png(bytes), { title })).workId;
  };

  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  it('registers degenerate works (uniform, alpha-only) side by side: no match, no priority conflict', async () => {
    const white = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const otherWhite = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#fefefe' } })
      .png()
      .toBuffer();
    const black = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#000000' } })
      .png()
      .toBuffer();
    const ids = [];
    // Flattened on white (the main hash), white alpha-only works are uniform white images.
    for (const [i, bytes] of [white, otherWhite, black, await alphaOnly(1, 255), await alphaOnly(2, 255)].entries())
      ids.push(await register(bytes, `degenerate ${i}`));
    expect(new Set(ids).size).toBe(5);
    // Only the exact file finds a uniform work.
    expect((await viewer().verify(png(otherWhite))).matches).toEqual([expect.objectContaining({ workId: ids[1], exact: true })]);
    const grey = await sharp({ create: { width: 500, height: 500, channels: 3, background: '#ffffff' } })
      .jpeg()
      .toBuffer();
    expect((await viewer().verify(jpeg(grey))).matches).toEqual([]);
  });

  it("registers two fine dot grids side by side: windows hashed to PDQ's flat checkerboard match nothing", async () => {
    const grids = [await dotGrid(800, 10, 2, '#223344'), await dotGrid(1200, 12, 3, '#7a2a20')];
    const ids = [];
    for (const [i, bytes] of grids.entries()) ids.push(await register(bytes, `dot grid ${i}`));
    expect(new Set(ids).size).toBe(2);
    for (const [i, bytes] of grids.entries()) {
      const copy = await sharp(bytes).jpeg({ quality: 90 }).toBuffer();
      const { matches } = await viewer().verify(jpeg(copy));
      expect(matches[0]).toMatchObject({ workId: ids[i], exact: false });
      expect(matches.map((m: { workId: string }) => m.workId)).not.toContain(ids[1 - i]);
    }
  });

  it('finds a transparent alpha-only work flattened on white, black or a colour, and kept transparent', async () => {
    const whiteShapes = await alphaOnly(7, 255);
    const blackShapes = await alphaOnly(8, 0);
    const whiteId = await register(whiteShapes, 'white shapes on nothing');
    const blackId = await register(blackShapes, 'black shapes on nothing');
    const copies = async (work: Buffer, backgrounds: string[]) => [
      ...(await Promise.all(
        backgrounds.map((background) => sharp(work).flatten({ background }).resize(360).jpeg({ quality: 80 }).toBuffer()),
      )),
      await sharp(work).resize(300).png().toBuffer(),
    ];
    for (const copy of await copies(whiteShapes, ['#000000', '#3a6ea5', '#c0392b'])) {
      const r = await viewer().verify(png(copy));
      expect(r.matches[0]).toMatchObject({ workId: whiteId, exact: false });
    }
    for (const copy of await copies(blackShapes, ['#ffffff', '#3a6ea5', '#f1c40f'])) {
      expect((await viewer().verify(png(copy))).matches[0]).toMatchObject({ workId: blackId, exact: false });
    }
    // Two alpha-only works by different artists never claim each other.
    const otherId = await register(await alphaOnly(9, 255), 'more white shapes');
    expect(otherId).not.toBe(whiteId);
    const reposted = await sharp(whiteShapes).flatten({ background: '#000000' }).jpeg().toBuffer();
    expect((await viewer().verify(jpeg(reposted))).matches.map((m: { workId: string }) => m.workId)).toEqual([whiteId]);
  });

  it('finds copies cropped on one side or at a corner, and copies under a caption or a logo', async () => {
    const work = await renderArtwork(41, { width: 1200, height: 900 });
    const id = await register(work, 'cropped and captioned');
    const crop = (left: number, top: number, right: number, bottom: number) =>
      sharp(work)
        .extract({ left, top, width: 1200 - left - right, height: 900 - top - bottom })
        .jpeg({ quality: 85 })
        .toBuffer();
    const caption = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="900"><rect y="790" width="1200" height="110" fill="black" fill-opacity="0.75"/><text x="40" y="865" font-family="sans-serif" font-size="56" fill="white">when the art hits just right #repost</text><circle cx="1090" cy="110" r="85" fill="#e8452c"/></svg>`,
    );
    const copies = {
      'left 10 %': await crop(120, 0, 0, 0),
      'right 15 %': await crop(0, 0, 180, 0),
      'corner, left and bottom 10 %': await crop(120, 0, 0, 90),
      'caption band and logo': await sharp(work)
        .composite([{ input: caption }])
        .jpeg({ quality: 85 })
        .toBuffer(),
    };
    for (const [name, copy] of Object.entries(copies)) {
      const report = await viewer().verify(jpeg(copy));
      expect(report.matches[0], name).toMatchObject({ workId: id, exact: false });
    }
    // The crops match through the side and corner windows (the whole image is too far).
    const left = await viewer().verify(jpeg(copies['left 10 %']));
    expect(left.matches[0].matchedOn.stored).toMatch(/^edge-/);
    expect(left.matches[0].transform).toMatch(/cropped on one side or at a corner/);
  });

  it('finds a re-post trimmed more at the bottom than at the top through a view moved off its centre', async () => {
    const work = await renderArtwork(52, { width: 1200, height: 900 });
    const id = await register(work, 'trimmed unevenly');
    // 4 % off the left and right, 2 % off the top, 6 % off the bottom, then shrunk and re-compressed.
    const copy = await sharp(await sharp(work).extract({ left: 48, top: 18, width: 1104, height: 828 }).png().toBuffer())
      .resize(600)
      .jpeg({ quality: 60 })
      .toBuffer();
    const report = await viewer().verify(jpeg(copy));
    expect(report.matches[0]).toMatchObject({ workId: id, exact: false });
    expect(report.matches[0].matchedOn.query).toMatch(/^shift-/);
    expect(report.matches[0].transform).toMatch(/cropped unevenly/);
  });

  it('finds a copy under a large round sticker over a corner through the part of the picture it leaves alone', async () => {
    const work = await renderArtwork(45, { width: 1000, height: 1000 });
    const id = await register(work, 'stickered');
    // 8 % of the area, over the bottom-right corner: every centred and corner window holds some of it.
    const sticker = cornerSticker(1000, 1000);
    const copy = await sharp(work)
      .composite([{ input: sticker }])
      .jpeg({ quality: 85 })
      .toBuffer();
    const report = await viewer().verify(jpeg(copy));
    expect(report.matches[0]).toMatchObject({ workId: id, exact: false });
    expect(report.matches[0].matchedOn).toMatchObject({ query: 'part-l62', stored: 'part-l62' });
    expect(report.matches[0].transform).toMatch(/covered in part/);
    // Another painting under the same sticker is no copy of it.
    const other = await sharp(await renderArtwork(46, { width: 1000, height: 1000 }))
      .composite([{ input: sticker }])
      .jpeg({ quality: 85 })
      .toBuffer();
    expect((await viewer().verify(jpeg(other))).matches.map((m: { workId: string }) => m.workId)).not.toContain(id);
  });

  it('finds copies rotated by a few degrees with their corners filled, turned back upright', async () => {
    const work = await renderArtwork(47, { width: 1200, height: 800 });
    const id = await register(work, 'tilted on a phone');
    for (const [degrees, background] of [
      [3, '#000000'],
      [-4, '#ffffff'],
    ] as const) {
      const copy = await sharp(work).rotate(degrees, { background }).resize(900).jpeg({ quality: 80 }).toBuffer();
      const report = await viewer().verify(jpeg(copy));
      expect(report.matches[0], `${degrees}°`).toMatchObject({ workId: id, exact: false });
      expect(report.matches[0].matchedOn.query, `${degrees}°`).toBe('turned');
      expect(report.matches[0].transform).toMatch(/rotated by a few degrees/);
    }
  });

  it('finds a copy straightened by a few degrees and cropped to fit (no corners to read the angle from) by turning it back', async () => {
    const work = await renderArtwork(48, { width: 1200, height: 800 });
    const id = await register(work, 'straightened on a phone');
    // 3.5° clockwise, the largest upright 3:2 rectangle inside kept: 92 % of each side of the work.
    const fitted = await (await rotatedAndCropped(work, 3.5, { width: 0.883, height: 0.842 })).jpeg({ quality: 80 }).toBuffer();
    const report = await viewer().verify(jpeg(fitted));
    expect(report.matches[0]).toMatchObject({ workId: id, exact: false });
    expect(report.matches[0].matchedOn.query).toMatch(/^fitted-/);
    expect(report.matches[0].transform).toMatch(/rotated by a few degrees and cropped to fit/);
  });

  it('finds a copy shown inside a screenshot of a browser window', async () => {
    const work = await renderArtwork(49, { width: 1000, height: 750 });
    const id = await register(work, 'seen on a web page');
    const report = await viewer().verify(jpeg((await screenshotOf(work, 520)).bytes));
    expect(report.matches[0]).toMatchObject({ workId: id, exact: false });
    expect(report.matches[0].matchedOn.query).toBe('framed');
    expect(report.matches[0].transform).toMatch(/inside a frame/);
  });

  it('finds a transparent emblem shown on a page under a browser toolbar (no rectangle around it to find)', async () => {
    const mask = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><circle cx="300" cy="300" r="240"/></svg>');
    const emblem = await sharp(await renderArtwork(52, { width: 600, height: 600 }))
      .ensureAlpha()
      .composite([{ input: mask, blend: 'dest-in' }])
      .png()
      .toBuffer();
    const id = await register(emblem, 'an emblem on transparency');
    const report = await viewer().verify(jpeg((await screenshotOf(emblem, 380)).bytes));
    expect(report.matches[0]).toMatchObject({ workId: id, exact: false });
    expect(report.matches[0].matchedOn.query).toBe('paged');
    expect(report.matches[0].transform).toMatch(/on a page under a toolbar/);
  });

  it('tells two colourways of one design apart: each the same as itself, the other only similar, and both register', async () => {
    const design = await renderArtwork(43, { width: 900, height: 700 });
    const warm = await sharp(design).png().toBuffer();
    const cool = await sharp(design).modulate({ hue: 150 }).png().toBuffer();
    const warmId = await register(warm, 'design in warm colours');
    const coolId = await register(cool, 'design in cool colours'); // another artist: no priority conflict
    const report = await viewer().verify(jpeg(await sharp(cool).resize(700).jpeg({ quality: 80 }).toBuffer()));
    expect(report.matches[0]).toMatchObject({ workId: coolId, verdict: 'same' });
    const other = report.matches.find((m: { workId: string }) => m.workId === warmId);
    expect(other).toMatchObject({ verdict: 'similar', note: expect.stringMatching(/colourway/) });
  });

  it('tells a design in gold from the same design in greys: both register, and a greyscale copy still finds the gold one', async () => {
    const { gold, silver } = await goldAndSilverFrames(73);
    const goldId = await register(gold, 'frame in gold');
    const silverId = await register(silver, 'frame in silver'); // another artist: no priority conflict
    const copyOf = async (bytes: Buffer) =>
      (await viewer().verify(jpeg(await sharp(bytes).flatten({ background: '#ffffff' }).resize(700).jpeg({ quality: 80 }).toBuffer())))
        .matches;
    const ofSilver = await copyOf(silver);
    expect(ofSilver[0]).toMatchObject({ workId: silverId, verdict: 'same' });
    expect(ofSilver.find((m: { workId: string }) => m.workId === goldId)).toMatchObject({
      verdict: 'similar',
      note: expect.stringMatching(/colourway/),
    });
    expect((await copyOf(gold))[0]).toMatchObject({ workId: goldId, verdict: 'same' });
    expect((await copyOf(await sharp(gold).greyscale().png().toBuffer()))[0]).toMatchObject({ workId: goldId, verdict: 'same' });
  });

  it('puts its own frame first for a bordered or screenshotted copy of gold or silver: greys compared window to window', async () => {
    const { gold, silver } = await goldAndSilverFrames(75);
    const goldId = await register(gold, 'another frame in gold');
    const silverId = await register(silver, 'another frame in silver');
    const onWhite = (bytes: Buffer) => sharp(bytes).flatten({ background: '#ffffff' });
    const bordered = async (bytes: Buffer) =>
      await onWhite(bytes).extend({ top: 35, bottom: 35, left: 35, right: 35, background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer();
    const shown = async (bytes: Buffer) => (await screenshotOf(await onWhite(bytes).png().toBuffer(), 520)).bytes;
    for (const [bytes, id] of [
      [silver, silverId],
      [gold, goldId],
    ] as const) {
      for (const copy of [await bordered(bytes), await shown(bytes)]) {
        // The border's white lightens the whole copy towards the gold frame's greys; the window the hash matched does not.
        expect((await viewer().verify(jpeg(copy))).matches[0].workId).toBe(id);
      }
    }
  });

  it('finds a transparent emblem flattened on a colour as itself, not as a colourway of itself', async () => {
    // On blue, the ring's mostly see-through cells turn blue.
    const emblem = await ringedEmblem();
    const id = await register(emblem, 'emblem on transparency');
    const onBlue = async (bytes: Buffer) =>
      (await viewer().verify(jpeg(await sharp(bytes).flatten({ background: '#3a6ea5' }).jpeg({ quality: 85 }).toBuffer()))).matches;
    // Its own colours, as they look on blue: the same picture (28 bits away: 'similar' by distance), no colourway.
    const [found] = await onBlue(emblem);
    expect(found.workId).toBe(id);
    expect(found.note ?? '').not.toMatch(/colourway/);
  });

  it('finds a cut-out painting flattened on a colour: the copy put back on white is the work', async () => {
    const cutOut = await cutOutPainting(93);
    const id = await register(cutOut, 'cut-out on transparency');
    const { matches } = await viewer().verify(
      jpeg(await sharp(cutOut).flatten({ background: '#3a6ea5' }).jpeg({ quality: 85 }).toBuffer()),
    );
    expect(matches[0]).toMatchObject({ workId: id, matchedOn: { query: 'on-white', stored: 'global' } });
    expect(matches[0].transform).toMatch(/flattened on a colour/);
  });

  it('calls a mirrored or turned copy the same image, not a colourway, though its colours moved', async () => {
    // Four hues in four quadrants: mirrored, each quadrant sits where another hue was.
    const quadrants = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">
        <rect width="400" height="300" fill="#c0392b"/><rect x="400" width="400" height="300" fill="#2e86c1"/>
        <rect y="300" width="400" height="300" fill="#27ae60"/><rect x="400" y="300" width="400" height="300" fill="#f1c40f"/>
        <circle cx="260" cy="200" r="120" fill="#7d3c98"/><rect x="470" y="340" width="220" height="160" fill="#1b2631"/>
        <path d="M40 560 L300 380 L380 560 Z" fill="#fdfefe"/></svg>`,
    );
    const work = await sharp(quadrants).png().toBuffer();
    const id = await register(work, 'four quadrants');
    for (const turn of [(i: Sharp) => i.flop(), (i: Sharp) => i.rotate(90)]) {
      const report = await viewer().verify(jpeg(await turn(sharp(work)).jpeg({ quality: 85 }).toBuffer()));
      expect(report.matches[0]).toMatchObject({ workId: id, verdict: 'same' });
      expect(report.matches[0].note ?? '').not.toMatch(/colourway/);
    }
  });

  it('finds copies of a flat, minimalist work (PDQ quality below 50) and leaves another flat work alone', async () => {
    const flat = (cx: number, hue: number) =>
      sharp(
        Buffer.from(
          `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="700"><defs><radialGradient id="g"><stop offset="0" stop-color="hsl(${hue},45%,62%)"/><stop offset="1" stop-color="hsl(${hue},30%,88%)"/></radialGradient></defs><rect width="1000" height="700" fill="hsl(${hue},25%,90%)"/><circle cx="${cx}" cy="330" r="230" fill="url(#g)"/><rect x="${1000 - cx - 120}" y="520" width="240" height="26" fill="hsl(${hue},30%,70%)"/></svg>`,
        ),
      )
        .png()
        .toBuffer();
    const work = await flat(380, 200);
    const id = await register(work, 'a quiet sun');
    const otherId = await register(await flat(640, 30), 'another quiet sun');
    for (const copy of [
      await sharp(work).resize(500).jpeg({ quality: 60 }).toBuffer(),
      await sharp(work).webp({ quality: 70 }).toBuffer(),
    ]) {
      const report = await viewer().verify(jpeg(copy));
      expect(report.pdqQuality).toBeLessThan(50);
      expect(report.matches.map((m: { workId: string }) => m.workId)).toEqual([id]);
      expect(report.matches[0].maxDistance).toBe(20);
    }
    expect(otherId).not.toBe(id);
  });

  it('finds re-saved copies of a wallpaper whose PDQ hash is degenerate by its structure, as similar, and refuses no one for it', async () => {
    const work = await softGlow(0.3, 0.35, '#3a4f7a', '#0b1530').png().toBuffer();
    const id = await register(work, 'moonlight');
    // Another artist's glow elsewhere, and one mirrored (the same layout turned): both register.
    const elsewhereId = await register(await softGlow(0.5, 0.1, '#2a2a2a', '#000000').png().toBuffer(), 'dusk');
    const mirroredId = await register(await softGlow(0.7, 0.35, '#3a4f7a', '#0b1530').png().toBuffer(), 'moonlight, mirrored');
    expect(new Set([id, elsewhereId, mirroredId]).size).toBe(3);
    for (const copy of [
      await sharp(work).resize(600).jpeg({ quality: 60 }).toBuffer(),
      await sharp(work).modulate({ brightness: 1.2 }).webp({ quality: 70 }).toBuffer(),
    ]) {
      const report = await viewer().verify(jpeg(copy));
      expect(report.pdqQuality).toBeLessThan(3);
      expect(report.matches[0]).toMatchObject({
        workId: id,
        exact: false,
        verdict: 'similar',
        matchedOn: { query: 'structure', stored: 'structure' },
      });
      expect(report.matches[0].note).toMatch(/layout of light and dark/);
      expect(report.matches.map((m: { workId: string }) => m.workId)).not.toContain(elsewhereId);
    }
    // A detailed painting never meets a wallpaper's structure.
    const painting = await renderArtwork(71, { width: 900, height: 600 });
    expect((await viewer().verify(png(painting))).matches).toEqual([]);
  });

  it('finds re-saved copies of a noisy wallpaper (PDQ quality 3–7) by its structure when its PDQ hash moved too far', async () => {
    const work = await softGlow(0.25, 0.3, '#94a3d2', '#0b1530').png().toBuffer();
    const id = await register(work, 'a noisy dawn');
    const copy = await sharp(work).resize(600).jpeg({ quality: 60 }).toBuffer();
    const report = await viewer().verify(jpeg(copy));
    expect(report.matches).toHaveLength(1);
    expect(report.matches[0]).toMatchObject({ workId: id, verdict: 'similar', matchedOn: { query: 'structure', stored: 'structure' } });
    // Someone registering that copy is not refused for it: a structure match is similar, not the same image.
    const reposter = await artist();
    await expect(reposter.client.registerWork(reposter.identity, jpeg(copy), { title: 'dawn, re-saved' })).resolves.toMatchObject({});
  });

  it('finds copies PDQ alone misses (turned and cropped to fit, under a sticker) by their local features, and only their own work', async () => {
    const work = await renderArtwork(67, { width: 1200, height: 800 });
    const id = await register(work, 'found by its keypoints');
    const other = await renderArtwork(68, { width: 1200, height: 800 });
    await register(other, 'another painting');
    // Turned 8° (past the turned views' 5°) and cut to an upright rectangle inside: no filled corners to read the angle from.
    const fitted = await (await rotatedAndCropped(work, 8, { width: 0.76, height: 0.68 })).jpeg({ quality: 75 }).toBuffer();
    const report = await viewer().verify(jpeg(fitted));
    expect(report.matches).toHaveLength(1);
    expect(report.matches[0]).toMatchObject({ workId: id, exact: false, verdict: 'similar' });
    expect(Math.abs(report.matches[0].matchedOn.localFeatures.rotation - 8)).toBeLessThan(1);
    expect(report.matches[0].transform).toMatch(/rotated (7\.\d|8\.\d)° clockwise, cropped/);
    expect(report.matches[0].note).toMatch(/local features/);

    const sticker = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800"><circle cx="1040" cy="640" r="150" fill="#e8452c"/><text x="1040" y="660" text-anchor="middle" font-family="sans-serif" font-size="64" fill="white">LOGO</text></svg>',
    );
    const underSticker = async (picture: Buffer) =>
      sharp(
        await sharp(picture)
          .composite([{ input: sticker }])
          .png()
          .toBuffer(),
      )
        .resize(640)
        .jpeg({ quality: 60 })
        .toBuffer();
    const covered = await viewer().verify(jpeg(await underSticker(work)));
    expect(covered.matches.map((m: { workId: string }) => m.workId)).toEqual([id]);
    const otherCovered = await viewer().verify(jpeg(await underSticker(other)));
    expect(otherCovered.matches.map((m: { workId: string }) => m.workId)).not.toContain(id);

    // Someone else registering that copy is not refused for it: a local-feature match is similar, not the same image.
    const reposter = await artist();
    await expect(reposter.client.registerWork(reposter.identity, jpeg(fitted), { title: 'tilted' })).resolves.toMatchObject({});
  });

  it('finds a re-posted star outline, whose points all look alike to keypoints, by lining the pictures up as a whole; not another star', async () => {
    const id = await register(await starOutline(37, 200), 'a 37-pointed star');
    await register(await starOutline(56, 200), 'a 56-pointed star');
    const report = await viewer().verify(jpeg(await socialRepost(await starOutline(37, 200))));
    expect(report.matches.map((m: { workId: string }) => m.workId)).toEqual([id]);
    expect(report.matches[0]).toMatchObject({ verdict: 'similar', matchedOn: { localFeatures: { alignedBy: 'correlation', inliers: 0 } } });
    expect(report.matches[0].transform).toMatch(/cropped \(8\d % of the picture shown\)/);
    const other = await viewer().verify(jpeg(await socialRepost(await starOutline(56, 200))));
    expect(other.matches.map((m: { workId: string }) => m.workId)).not.toContain(id);
  });

  it('still looks for the own work of a copy by its local features when PDQ accepts only a colourway of another work', async () => {
    const work = await renderArtwork(69, { width: 1200, height: 800 });
    const id = await register(work, 'the original');
    // Turned 6° and cut to fit: past PDQ's threshold from the work, found only by its local features.
    const fitted = await (await rotatedAndCropped(work, 6, { width: 0.85, height: 0.8 })).png().toBuffer();
    // Another artist's colourway of exactly that view: PDQ accepts it, as a colourway.
    const colourwayId = await register(await sharp(fitted).modulate({ hue: 150 }).png().toBuffer(), 'a colourway of the view');
    const report = await viewer().verify(jpeg(await sharp(fitted).jpeg({ quality: 80 }).toBuffer()));
    expect(report.matches[0]).toMatchObject({ workId: id, verdict: 'similar', note: expect.stringMatching(/local features/) });
    expect(report.matches.find((m: { workId: string }) => m.workId === colourwayId)).toMatchObject({
      note: expect.stringMatching(/colourway/),
    });
  });

  it('still refuses a copy of an ordinary painting registered by someone else', async () => {
    const work = await renderArtwork(21);
    const first = await register(work, 'a painting');
    const thief = await artist();
    const err = await thief.client
      .registerWork(thief.identity, png(await sharp(work).resize(500).jpeg({ quality: 70 }).toBuffer()), { title: 'mine' })
      .catch((e) => e);
    expect(err.problem).toMatchObject({ code: 'priority_conflict', earlierWork: { id: first } });
  });
});
