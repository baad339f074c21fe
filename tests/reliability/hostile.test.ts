import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { signCredential } from '../../scripts/lib/aura-client.ts';
import { buildCorpus, type HostileCase } from './hostile-corpus.ts';
import { countRows, pngFile, readProblem, signedInAccount, type SignedIn } from './support.ts';

const MAX_UPLOAD_MB = 2;
const STACK_TRACE = /at \S+ \(.*:\d+:\d+\)|node_modules|\.ts:\d+/;

describeEachDatabase('hostile input', (backend) => {
  let server: TestServer;
  let artist: SignedIn;
  let gallery: SignedIn;
  let workId: string;
  let draft: { draftId: string; payload: Record<string, unknown> };
  let corpus: HostileCase[];

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { AURA_MAX_UPLOAD_MB: String(MAX_UPLOAD_MB) } });
    artist = await signedInAccount(server.url, 'hostile-artist');
    gallery = await signedInAccount(server.url, 'hostile-gallery', 'organization');
    workId = (await artist.client.registerWork(artist.identity, pngFile(await renderArtwork(301)), { title: 'Target' })).workId;
    draft = await artist.client.request(
      'POST',
      '/v1/works/drafts',
      artist.client.form(pngFile(await renderArtwork(302)), { title: 'Pending' }),
    );
    corpus = await buildCorpus({
      workId,
      artistHandle: artist.handle,
      artistKid: artist.identity.kid,
      draftId: draft.draftId,
      draftPayload: draft.payload,
      artist: artist.identity,
      maxUploadBytes: MAX_UPLOAD_MB * 1024 * 1024,
    });
  }, 120_000);
  afterAll(async () => server?.close());

  it('answers every hostile request with a 4xx problem+json, writes nothing, and keeps serving', async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    console.info(`hostile corpus: ${corpus.length} requests over ${new Set(corpus.map((c) => c.path.split('?')[0])).size} paths`);
    const before = await countRows(server.ctx.db);
    const failures: string[] = [];
    const tokens = { artist: artist.client.token!, organization: gallery.client.token! };
    const run = async (c: HostileCase) => {
      const headers: Record<string, string> = { ...c.headers };
      if (c.auth) headers.authorization = `Bearer ${tokens[c.auth]}`;
      const started = Date.now();
      let res: Response;
      try {
        res = await server.fetch(c.path, {
          method: c.method,
          headers,
          ...(c.body ? { body: c.body() } : {}),
          signal: AbortSignal.timeout(20_000),
        });
      } catch (err) {
        failures.push(`${c.name}: no answer (${(err as Error).message})`);
        return;
      }
      const p = await readProblem(res);
      const problems: string[] = [];
      if (p.status < 400 || p.status >= 500) problems.push(`status ${p.status}`);
      if (!p.contentType.startsWith('application/problem+json')) problems.push(`content-type ${p.contentType}`);
      if (p.detail.length < 8) problems.push('no detail');
      if (c.code && p.code !== c.code) problems.push(`code ${p.code}, expected ${c.code}`);
      if (STACK_TRACE.test(p.text)) problems.push('leaks a stack trace');
      if (Date.now() - started > 10_000) problems.push(`took ${Date.now() - started} ms`);
      if (problems.length) failures.push(`${c.name}: ${problems.join(', ')} — ${p.text.slice(0, 200)}`);
    };
    // A few at a time, like a client hammering the server; the order is the corpus order.
    const queue = [...corpus];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) await run(c);
      }),
    );
    expect(failures).toEqual([]);

    expect((await server.fetch('/healthz')).status).toBe(200);
    expect((await server.fetch('/readyz')).status).toBe(200);
    expect(await countRows(server.ctx.db)).toEqual(before);
    // The draft that hostile signatures were thrown at is still usable by its artist.
    const receipt = await artist.client.request('POST', '/v1/works', {
      draftId: draft.draftId,
      jws: await signCredential(artist.identity, draft.payload),
    });
    expect(receipt.logIndex).toBeGreaterThan(0);
  }, 300_000);

  it('stores SQL and HTML payloads verbatim as data and escapes them in the badge', async () => {
    const title = `<script>alert(1)</script>' OR 1=1; DROP TABLE works; --`;
    const statement = `"><img src=x onerror=alert(1)> & '; DELETE FROM log_entries; --`;
    const medium = `{{constructor.constructor('alert(1)')()}} \u202e\u0000`.replace('\u0000', '');
    const { workId: id } = await artist.client.registerWork(artist.identity, pngFile(await renderArtwork(303)), {
      title,
      statement,
      medium,
      year: 2026,
    });
    const work = await artist.client.request('GET', `/v1/works/${id}`);
    expect(work.title).toBe(title);
    expect(JSON.stringify(work)).toContain(JSON.stringify(statement).slice(1, -1));

    const badge = await server.fetch(`/v1/works/${id}/badge.svg`);
    expect(badge.headers.get('content-type')).toContain('image/svg+xml');
    expect(badge.headers.get('content-security-policy')).toContain("default-src 'none'");
    const svg = await badge.text();
    expect(svg).not.toMatch(/<script|onerror|<img/i);
    expect(svg).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#39; OR 1=1');
    const parsed = await sharp(Buffer.from(svg)).metadata();
    expect(parsed.format).toBe('svg');

    // The payloads did not execute: every table is still there and searching for them finds the work.
    const search = await artist.client.request('GET', `/v1/works?q=${encodeURIComponent("' OR 1=1; DROP")}`);
    expect(search.items.map((w: { id: string }) => w.id)).toEqual([id]);
    const all = await artist.client.request('GET', `/v1/works?q=${encodeURIComponent("%' OR '1'='1")}`);
    expect(all.total).toBe(0);
    expect(Object.keys(await countRows(server.ctx.db))).toEqual(expect.arrayContaining(['works', 'log_entries', 'keys']));

    const critic = await signedInAccount(server.url, 'hostile-critic');
    const text = `<iframe src="javascript:alert(1)"></iframe> '); DROP TABLE disputes; --`;
    await critic.client.dispute(critic.identity, id, 'copied', text);
    const disputed = await artist.client.request('GET', `/v1/works/${id}`);
    expect(disputed.disputes[0].text).toBe(text);
    expect(await (await server.fetch(`/v1/works/${id}/badge.svg`)).text()).toContain('disputed');
  }, 60_000);

  it('never serves uploaded bytes back: a PNG/HTML polyglot yields a re-encoded WebP thumbnail', async () => {
    const png = await renderArtwork(304);
    const polyglot = Buffer.concat([png, Buffer.from('<html><script>alert(document.cookie)</script></html>')]);
    const { workId: id } = await artist.client.registerWork(artist.identity, pngFile(polyglot), { title: 'Polyglot' });
    const thumb = await server.fetch(`/v1/works/${id}/thumbnail`);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(thumb.headers.get('x-content-type-options')).toBe('nosniff');
    const bytes = Buffer.from(await thumb.arrayBuffer());
    expect(bytes.includes('<script')).toBe(false);
    expect((await sharp(bytes).metadata()).format).toBe('webp');
  }, 60_000);

  it('reads gigantic metadata inside the upload limit without harm or delay', async () => {
    const { withPngChunks, tEXt, zTxtBomb } = await import('./images.ts');
    const png = await renderArtwork(305, { width: 320, height: 240 });
    const heavy = withPngChunks(png, zTxtBomb('parameters', 64 << 20), tEXt('Comment', 'c'.repeat(1_500_000)));
    expect(heavy.length).toBeLessThan(MAX_UPLOAD_MB * 1024 * 1024);
    const started = Date.now();
    const res = await server.fetch('/v1/inspect', { method: 'POST', body: artist.client.form(pngFile(heavy)) });
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report.evidence.aiMarkers.map((m: { kind: string; where: string }) => m.where).join(' ')).toMatch(/parameters/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await server.fetch('/healthz')).status).toBe(200);
  }, 60_000);
});
