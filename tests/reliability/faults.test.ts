import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { openDatabase, type OpenedDatabase } from '../../db/open.ts';
import { exportLogKey } from '../../api/log/keys.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { signCredential } from '../../scripts/lib/aura-client.ts';
import { auditOverHttp, auditStore, fetchCheckpoint, provesConsistent, type SeenCheckpoint } from './audit.ts';
import { cuttableProxy, startApiProcess, type ApiProcess } from '../helpers/processes.ts';
import { pngFile, signedInAccount, type SignedIn } from './support.ts';

const pgUrl = process.env.TEST_DATABASE_URL;

/** One registration (draft, sign, commit) whose requests carry Idempotency-Keys, so it can be retried. */
interface Attempt {
  artist: SignedIn;
  seed: number;
  commitBody?: { draftId: string; jws: string };
  workId?: string;
  /** What the client saw of the commit: its status, or 'lost' when the connection died. */
  seen?: number | 'lost';
  receipt?: string;
}

async function register(baseUrl: string, attempt: Attempt, image: Buffer): Promise<void> {
  const headers = (key: string) => ({ authorization: `Bearer ${attempt.artist.client.token}`, 'idempotency-key': key });
  const draftRes = await fetch(`${baseUrl}/v1/works/drafts`, {
    method: 'POST',
    headers: headers(`draft-${attempt.seed}`),
    body: attempt.artist.client.form(pngFile(image), { title: `Burst ${attempt.seed}` }),
  });
  if (draftRes.status !== 201) throw new Error(`draft ${attempt.seed}: ${draftRes.status} ${await draftRes.text()}`);
  const draft = await draftRes.json();
  attempt.workId = draft.workId;
  attempt.commitBody = { draftId: draft.draftId, jws: await signCredential(attempt.artist.identity, draft.payload) };
  attempt.seen = 'lost';
  const res = await fetch(`${baseUrl}/v1/works`, {
    method: 'POST',
    headers: { ...headers(`commit-${attempt.seed}`), 'content-type': 'application/json' },
    body: JSON.stringify(attempt.commitBody),
  });
  attempt.seen = res.status;
  attempt.receipt = await res.text();
}

/** Registers from `workers` clients until `stop()` says so or the server dies; returns what each saw. */
function burst(baseUrl: string, artists: SignedIn[], images: Buffer[], firstSeed: number) {
  const attempts: Attempt[] = [];
  let next = 0;
  let stopped = false;
  const done = Promise.all(
    artists.map(async (artist) => {
      while (!stopped && next < images.length) {
        const i = next++;
        const attempt: Attempt = { artist, seed: firstSeed + i };
        attempts.push(attempt);
        try {
          await register(baseUrl, attempt, images[i]!);
        } catch {
          return; // the server went away mid-request
        }
      }
    }),
  );
  return { attempts, done, stop: () => (stopped = true), committed: () => attempts.filter((a) => a.seen === 201).length };
}

/** Retries a commit with its original Idempotency-Key until the answer is final (a dead claim expires first). */
async function retryCommit(baseUrl: string, attempt: Attempt): Promise<{ status: number; replayed: boolean; body: string; code?: string }> {
  for (let tries = 0; ; tries++) {
    const res = await fetch(`${baseUrl}/v1/works`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${attempt.artist.client.token}`,
        'idempotency-key': `commit-${attempt.seed}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(attempt.commitBody),
    });
    const body = await res.text();
    const code = res.headers.get('content-type')?.includes('problem') ? (JSON.parse(body).code as string) : undefined;
    if (code === 'idempotency_conflict' && res.headers.get('retry-after') && tries < 100) {
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    return { status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body, ...(code ? { code } : {}) };
  }
}

const waitUntil = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.runIf(pgUrl)('PostgreSQL goes away and comes back', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
  let server: TestServer;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    const target = new URL(scratch.url);
    proxy = await cuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(scratch.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    server = await startTestServer('postgres', { databaseUrl: viaProxy.toString(), env: { DATABASE_POOL_SIZE: '4' } });
  });
  afterAll(async () => {
    await proxy?.open().catch(() => {});
    await server?.close();
    await proxy?.cut();
    await scratch?.drop();
  });

  it('answers 503 with Retry-After while it is gone, says so on /readyz, and resumes by itself', async () => {
    const artist = await signedInAccount(server.url, 'fault-artist');
    const probe = await renderArtwork(501, { width: 320, height: 240 });
    const seen: Array<{ at: number; status: number; retryAfter: string | null; code?: string }> = [];
    let running = true;
    const load = Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        while (running) {
          const res =
            w % 2
              ? await server.fetch('/v1/verify', { method: 'POST', body: artist.client.form(pngFile(probe)) })
              : await server.fetch('/v1/works?limit=5');
          const body = await res.text();
          seen.push({
            at: Date.now(),
            status: res.status,
            retryAfter: res.headers.get('retry-after'),
            ...(res.status >= 400 ? { code: JSON.parse(body).code } : {}),
          });
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    await proxy.cut();
    const cutAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBeTruthy();
    expect((await ready.json()).code).toBe('database_unavailable');
    const write = await server.fetch('/v1/works/drafts', {
      method: 'POST',
      headers: { authorization: `Bearer ${artist.client.token}` },
      body: artist.client.form(pngFile(await renderArtwork(502)), { title: 'During the outage' }),
    });
    expect(write.status).toBe(503);
    expect(write.headers.get('retry-after')).toBeTruthy();

    await proxy.open();
    const restoredAt = Date.now();
    await waitUntil('readiness after PostgreSQL returns', async () => (await server.fetch('/readyz')).status === 200);
    const recoveredIn = Date.now() - restoredAt;
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await load;

    expect(seen.filter((s) => s.status !== 200 && s.status !== 503)).toEqual([]);
    const outage = seen.filter((s) => s.status === 503);
    expect(outage.length).toBeGreaterThan(0);
    expect(outage.every((s) => s.retryAfter && s.code === 'database_unavailable')).toBe(true);
    expect(seen.filter((s) => s.at < cutAt).every((s) => s.status === 200)).toBe(true);
    expect(seen.filter((s) => s.at > restoredAt + recoveredIn + 100).map((s) => s.status)).not.toContain(503);
    // And writes work again, with the log intact.
    const { workId } = await artist.client.registerWork(artist.identity, pngFile(await renderArtwork(503)), { title: 'After the outage' });
    expect((await server.fetch(`/v1/works/${workId}`)).status).toBe(200);
    expect((await auditStore(server.ctx.db)).problems).toEqual([]);
    console.info(`PostgreSQL outage: ${outage.length} requests answered 503, ready again ${recoveredIn} ms after it returned`);
  }, 60_000);
});

describe.runIf(pgUrl)('the API is killed with SIGKILL in the middle of a registration burst (PostgreSQL)', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: OpenedDatabase;
  let api: ApiProcess | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-kill-'));
  const env = () => ({ DATABASE_URL: scratch.url, AURA_DATA_DIR: dataDir, AURA_REQUEST_TIMEOUT_MS: '3000', AURA_LOG_KEY: logKey });
  const logKey = exportLogKey(generateKeyPairSync('ed25519').privateKey);

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    db = await openDatabase({ url: scratch.url, poolSize: 2 });
  });
  afterAll(async () => {
    await api?.kill();
    await db?.close();
    await scratch?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a dense, complete log consistent with the checkpoint before, and retries do not duplicate', async () => {
    api = await startApiProcess(env());
    const artists = await Promise.all([0, 1, 2, 3].map((i) => signedInAccount(api!.url, `kill-artist-${i}`)));
    const images = await Promise.all(Array.from({ length: 60 }, (_, i) => renderArtwork(600 + i, { width: 320, height: 240 })));
    const run = burst(api.url, artists, images, 600);
    let before: SeenCheckpoint = await fetchCheckpoint(api.url);
    // Kill once registrations are flowing, while several are in flight.
    await waitUntil('registrations to flow', async () => {
      before = await fetchCheckpoint(api!.url);
      return run.committed() >= 8;
    });
    await api.kill('SIGKILL');
    run.stop();
    await run.done;
    const inFlight = run.attempts.filter((a) => a.seen === 'lost').length;

    api = await startApiProcess(env(), Number(new URL(api.url).port));
    const audit = await auditStore(db.db);
    expect(audit.problems).toEqual([]);
    const after = await fetchCheckpoint(api.url);
    expect(after.size).toBeGreaterThanOrEqual(before.size);
    expect(await provesConsistent(api.url, before, after)).toBe(true);

    // Every commit is retried with its key: an answered one replays, a lost one finishes once.
    const retried = run.attempts.filter((a) => a.commitBody);
    for (const attempt of retried) {
      const result = await retryCommit(api.url, attempt);
      if (attempt.seen === 201) {
        expect(result).toMatchObject({ status: 201, replayed: true, body: attempt.receipt });
      } else {
        // 200: it had committed before the kill and the receipt is sent again; 201: it commits now.
        expect([200, 201]).toContain(result.status);
        expect(JSON.parse(result.body).workId).toBe(attempt.workId);
      }
    }
    const works = await db.db.selectFrom('works').select(['id', 'sha256']).execute();
    expect(new Set(works.map((w) => w.sha256)).size).toBe(works.length);
    const attempted = new Set(retried.map((a) => a.workId));
    expect(works.every((w) => attempted.has(w.id))).toBe(true);
    expect(works.length).toBe(retried.length);
    expect((await auditStore(db.db)).problems).toEqual([]);
    const final = await fetchCheckpoint(api.url);
    expect(await provesConsistent(api.url, after, final)).toBe(true);
    console.info(
      `SIGKILL burst: ${run.committed()} acknowledged, ${inFlight} in flight at the kill, ${works.length} works after retries, log ${final.size} entries`,
    );
  }, 180_000);
});

describe('the embedded database survives a SIGKILL of the process', () => {
  let api: ApiProcess | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-pglite-kill-'));
  afterAll(async () => {
    await api?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged registration and a log that verifies', async () => {
    api = await startApiProcess({ AURA_DATA_DIR: dataDir, AURA_REQUEST_TIMEOUT_MS: '3000' });
    const artist = await signedInAccount(api.url, 'embedded-artist');
    const images = await Promise.all(Array.from({ length: 30 }, (_, i) => renderArtwork(700 + i, { width: 320, height: 240 })));
    const run = burst(api.url, [artist, artist], images, 700);
    let before: SeenCheckpoint = await fetchCheckpoint(api.url);
    await waitUntil(
      'registrations to flow',
      async () => {
        before = await fetchCheckpoint(api!.url);
        return run.committed() >= 4;
      },
      60_000,
    );
    await api.kill('SIGKILL');
    run.stop();
    await run.done;

    api = await startApiProcess({ AURA_DATA_DIR: dataDir, AURA_REQUEST_TIMEOUT_MS: '3000' }, Number(new URL(api.url).port));
    const { problems, checkpoint } = await auditOverHttp(api.url);
    expect(problems).toEqual([]);
    expect(await provesConsistent(api.url, before, checkpoint)).toBe(true);
    for (const attempt of run.attempts.filter((a) => a.seen === 201)) {
      expect((await fetch(`${api.url}/v1/works/${attempt.workId}`)).status).toBe(200);
    }
    // The restarted registry keeps registering on the same log.
    await artist.client.signIn(artist.identity);
    const again = await artist.client.registerWork(artist.identity, pngFile(await renderArtwork(799)), { title: 'After the crash' });
    expect(again.receipt.logIndex).toBeGreaterThanOrEqual(checkpoint.size);
    const final = await auditOverHttp(api.url);
    expect(final.problems).toEqual([]);
    expect(await provesConsistent(api.url, checkpoint, final.checkpoint)).toBe(true);
  }, 180_000);
});
