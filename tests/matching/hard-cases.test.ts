import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { AuraClient, generateIdentity, type Identity } from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';

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
  return sharp(rgba, { raw: { width: size, height: size, channels: 4 } }).png().toBuffer();
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
    const white = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const otherWhite = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#fefefe' } }).png().toBuffer();
    const black = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#000000' } }).png().toBuffer();
    const ids = [];
    // Flattened on white (the main hash), white alpha-only works are uniform white images.
    for (const [i, bytes] of [white, otherWhite, black, await alphaOnly(1, 255), await alphaOnly(2, 255)].entries()) ids.push(await register(bytes, `degenerate ${i}`));
    expect(new Set(ids).size).toBe(5);
    // Only the exact file finds a uniform work.
    expect((await viewer().verify(png(otherWhite))).matches).toEqual([expect.objectContaining({ workId: ids[1], exact: true })]);
    const grey = await sharp({ create: { width: 500, height: 500, channels: 3, background: '#ffffff' } }).jpeg().toBuffer();
    expect((await viewer().verify(jpeg(grey))).matches).toEqual([]);
  });

  it('finds a transparent alpha-only work flattened on white, black or a colour, and kept transparent', async () => {
    const whiteShapes = await alphaOnly(7, 255);
    const blackShapes = await alphaOnly(8, 0);
    const whiteId = await register(whiteShapes, 'white shapes on nothing');
    const blackId = await register(blackShapes, 'black shapes on nothing');
    const copies = async (work: Buffer, backgrounds: string[]) => [
      ...(await Promise.all(backgrounds.map((background) => sharp(work).flatten({ background }).resize(360).jpeg({ quality: 80 }).toBuffer()))),
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

  it('still refuses a copy of an ordinary painting registered by someone else', async () => {
    const work = await renderArtwork(21);
    const first = await register(work, 'a painting');
    const thief = await artist();
    const err = await thief.client.registerWork(thief.identity, png(await sharp(work).resize(500).jpeg({ quality: 70 }).toBuffer()), { title: 'mine' }).catch((e) => e);
    expect(err.problem).toMatchObject({ code: 'priority_conflict', earlierWork: { id: first } });
  });
});
