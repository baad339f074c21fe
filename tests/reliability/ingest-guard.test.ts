import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.ts';
import { AppError } from '../../api/errors.ts';
import { Ingest } from '../../api/uploads/ingest.ts';
import { ParserPool, type ParserPoolSettings } from '../../api/uploads/parser-pool.ts';
import type { ParseTaskName } from '../../api/uploads/parse-tasks.ts';
import { describeEachDatabase, readFixture, startTestServer, type TestServer } from '../helpers/server.ts';
import { onePixelPng } from './images.ts';
import { readProblem, signedInAccount, type SignedIn } from './support.ts';
import { HTTP_STATUS } from '../../api/http/problem.ts';

/**
 * Inputs that hung or crashed a parser (found by `npm run fuzz`, docs/ingest.md), one test each.
 * The file name starts with the parser: exifr-, c2pa-, png- (evidence task) or header-.
 */
const REGRESSIONS = path.resolve(import.meta.dirname, '../fixtures/fuzz-regressions');
const regressionFiles = fs
  .readdirSync(REGRESSIONS)
  .filter((f) => !f.endsWith('.md'))
  .sort();
const taskOf = (file: string): ParseTaskName => (file.startsWith('header-') ? 'header' : 'evidence');
/** Files that loop forever (only the deadline ends them); the others are heap bombs that must not kill the process. */
const loops = (file: string) => /-loop-|zero-size-box/.test(file);

const SETTINGS: ParserPoolSettings = { ...loadConfig({}).parserPool, maxQueue: 16, taskTimeoutMs: 1000 };

/** Longest gap between timer ticks on this thread while `work` runs: the main thread's responsiveness. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  try {
    return { result: await work(), stallMs };
  } finally {
    clearInterval(ticker);
  }
}

describe('the parser pool', () => {
  let pool: ParserPool;
  beforeAll(() => {
    pool = new ParserPool(SETTINGS);
  });
  afterAll(() => pool.close());

  it('has the fuzz regression files to replay', () => {
    expect(regressionFiles).toContain('exifr-heic-zero-size-box.heic');
    expect(regressionFiles).toContain('exifr-avif-zero-size-box.avif');
  });

  it.each(regressionFiles)('answers %s in bounded time and keeps this thread responsive', async (file) => {
    const bytes = fs.readFileSync(path.join(REGRESSIONS, file));
    const before = pool.stats().timedOut;
    const { result, stallMs } = await longestStall(() => pool.run(taskOf(file), bytes));
    if (loops(file)) {
      // A loop that never yields: only the deadline ends it.
      expect(result).toEqual({ ok: false, failure: 'timed out' });
      expect(pool.stats().timedOut).toBe(before + 1);
    } else {
      // A heap bomb (hundreds of MB from a 10 kB file): answered, or cut by the deadline; this process lives on.
      expect(result.ok || result.failure === 'timed out').toBe(true);
    }
    expect(stallMs).toBeLessThan(250);
    // The worker was replaced: the next task is answered.
    const after = await pool.run('evidence', await onePixelPng());
    expect(after.ok).toBe(true);
  });

  it('runs the real parsers: a camera JPEG yields its evidence through the pool', async () => {
    const outcome = await pool.run('evidence', readFixture('camera/canon-dslr.jpg'));
    expect(outcome.ok && outcome.value.public.camera?.make).toMatch(/canon/i);
    const header = await pool.run('header', readFixture('camera/canon-dslr.jpg'));
    expect(header.ok && header.value).toMatchObject({ type: 'jpg' });
  });

  it('gives up a metadata parse that takes longer than the deadline, and still fingerprints the image', async () => {
    // C2PA validation of c2pa/C.jpg takes ~100-300 ms of CPU: a 20 ms deadline kills it mid-way.
    const tight = new ParserPool({ ...SETTINGS, taskTimeoutMs: 20 });
    try {
      const ingest = new Ingest(tight, { maxBytes: 1e7, maxPixels: 1e8 });
      const jpeg = readFixture('c2pa/C.jpg');
      const { fingerprint, evidence } = await ingest.analyze(jpeg, { thumbnail: false, metadata: 'best-effort' });
      expect(fingerprint.pdq).toMatch(/^[0-9a-f]{64}$/);
      expect(evidence.public.metadata).toEqual({ readable: false, message: 'metadata could not be read (timed out)' });
      const refused = await ingest.analyze(jpeg, { thumbnail: false, metadata: 'required' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: 'metadata_unreadable' });
      expect(HTTP_STATUS[(refused as AppError).code]).toBe(422);
    } finally {
      await tight.close();
    }
  });

  it('never hands a refused file to a metadata parser', async () => {
    const ingest = new Ingest(pool, { maxBytes: 1e7, maxPixels: 1e8 });
    const before = pool.stats();
    for (const file of ['exifr-heic-zero-size-box.heic', 'exifr-avif-zero-size-box.avif']) {
      const error = await ingest
        .analyze(fs.readFileSync(path.join(REGRESSIONS, file)), { thumbnail: false, metadata: 'best-effort' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(HTTP_STATUS[(error as AppError).code]).toBeGreaterThanOrEqual(400);
      expect(HTTP_STATUS[(error as AppError).code]).toBeLessThan(500);
    }
    // The HEIC is refused by its magic bytes; the AVIF-branded one by its header or decoder: none timed out.
    expect(pool.stats().timedOut).toBe(before.timedOut);
  });
});

describeEachDatabase('uploads that hang a parser', (backend) => {
  let server: TestServer;
  let artist: SignedIn;
  beforeAll(async () => {
    server = await startTestServer(backend, { env: { AURA_PARSER_TIMEOUT_MS: '20' } });
    artist = await signedInAccount(server.url, 'guard-artist');
  }, 120_000);
  afterAll(async () => server?.close());

  const healthzWithin = async (ms: number) => {
    const started = performance.now();
    const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(ms) });
    expect(res.status).toBe(200);
    return performance.now() - started;
  };
  const upload = (route: string, bytes: Buffer, fields: Record<string, string> = {}) => {
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(bytes)]), 'upload.bin');
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    return fetch(`${server.url}${route}`, {
      method: 'POST',
      body: form,
      headers: artist.client.token ? { authorization: `Bearer ${artist.client.token}` } : {},
    });
  };

  it.each(regressionFiles)('answers %s on every upload route with a result or a 4xx, and /healthz within 1 s after each', async (file) => {
    const bytes = fs.readFileSync(path.join(REGRESSIONS, file));
    for (const [route, fields] of [
      ['/v1/inspect', {}],
      ['/v1/verify', {}],
      ['/v1/works/drafts', { title: 'Hostile', digitalSourceType: 'digitalCapture' }],
      ['/v1/process/drafts', {}],
    ] as const) {
      const problem = await readProblem(await upload(route, bytes, fields));
      if (loops(file)) expect(problem.status, `${route} ${problem.text}`).toBeGreaterThanOrEqual(400); // refused before any parser
      if (problem.status >= 300) {
        expect(problem.status, `${route} ${problem.text}`).toBeGreaterThanOrEqual(400);
        expect(problem.status, `${route} ${problem.text}`).toBeLessThan(500);
        expect(problem.contentType).toContain('application/problem+json');
      }
      expect(await healthzWithin(1000)).toBeLessThan(1000);
    }
  });

  it('verify still fingerprints and matches an image whose metadata times out, and says so', async () => {
    const res = await upload('/v1/verify', readFixture('c2pa/C.jpg'));
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.matches).toEqual([]);
    expect(JSON.stringify(body)).toContain('metadata could not be read (timed out)');
    const inspect = await (await upload('/v1/inspect', readFixture('c2pa/C.jpg'))).json();
    expect(inspect.pdq).toMatch(/^[0-9a-f]{64}$/);
    expect(inspect.evidence.metadata).toEqual({ readable: false, message: 'metadata could not be read (timed out)' });
  });

  it('refuses to register an image whose metadata cannot be read: 422 metadata_unreadable', async () => {
    const problem = await readProblem(
      await upload('/v1/works/drafts', readFixture('c2pa/C.jpg'), { title: 'Unscreenable', digitalSourceType: 'digitalCapture' }),
    );
    expect(problem.status).toBe(422);
    expect(problem.code).toBe('metadata_unreadable');
    expect(problem.detail).toContain('timed out');
    expect(await healthzWithin(1000)).toBeLessThan(1000);
  });
});
