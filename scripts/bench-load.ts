/**
 * Load figures against a real PostgreSQL, loopback only, bounded in time and count:
 *  - POST /v1/verify at 16 and 64 connections (autocannon), and the raw in-process analyzeImage
 *    throughput on the same images in the same run (as verify runs it, without the thumbnail that
 *    only registration stores; the server's overhead is the ratio of the two);
 *  - registration (draft + sign + commit, measured per registration) at 16 and 64 concurrent clients;
 *  - three API processes on one database under a registration burst, then a check that no log entry
 *    was lost, duplicated or reordered.
 *
 *   npx tsx scripts/bench-load.ts            (BENCH_DATABASE_URL or TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_SECONDS=10 npx tsx scripts/bench-load.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { Ingest } from '../api/uploads/ingest.ts';
import { InlineParsers } from '../api/uploads/parser-pool.ts';
import { leafHash } from '../api/log/merkle.ts';
import { openCheckpoint } from '../api/log/note.ts';
import { verifyInclusion } from '../api/log/verify/merkle-proof.ts';
import { parseVerifierKey } from '../api/log/verify/note.ts';
import { openDatabase } from '../db/open.ts';
import { AuraClient, generateIdentity, type Identity } from './lib/aura-client.ts';
import { renderArtwork } from './lib/artwork.ts';
import { auditStore, fetchCheckpoint, provesConsistent } from '../tests/reliability/audit.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = [16, 64];
const IMAGE = { width: 1024, height: 768, format: 'jpeg' as const };
const LIMITS = { maxBytes: 40 * 1024 * 1024, maxPixels: 100_000_000 };

// ---------------------------------------------------------------- processes and databases

async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `aura_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

interface ApiProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Processes behind one load balancer share one public URL: the log origin and the sign-in audience. */
const PUBLIC_URL = 'http://aura.bench.invalid';

async function startApi(databaseUrl: string, logKeyDir: string): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      AURA_DATA_DIR: logKeyDir,
      // Processes behind one load balancer share one public URL, hence one log origin.
      AURA_PUBLIC_URL: PUBLIC_URL,
      AURA_RATE_LIMIT_PER_MINUTE: '10000000',
      AURA_RATE_LIMIT_SIGNIN_PER_MINUTE: '10000000',
      AURA_RATE_LIMIT_REGISTER_PER_MINUTE: '10000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('the API process did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------- measurements

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;

interface Row {
  what: string;
  connections: number | string;
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server CPU (user + system) per request, ms, read from /proc for the API process. */
  serverCpuMs?: number;
  /** In-process analyzeImage CPU per image, ms, measured just before the row. */
  rawCpuMs?: number;
}

function multipart(image: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----aurabench${randomBytes(6).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="q.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    image,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function benchVerify(url: string, images: Buffer[], connections: number): Promise<Row> {
  const requests = images.map((img) => {
    const { body, contentType } = multipart(img);
    return { method: 'POST' as const, path: '/v1/verify', headers: { 'content-type': contentType }, body };
  });
  const result = await autocannon({ url, connections, duration: SECONDS, requests, timeout: 30 });
  return {
    what: 'POST /v1/verify',
    connections,
    count: result.requests.total,
    perSecond: result.requests.total / (result.duration || SECONDS),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** In-process analyzeImage on the same images, as many in flight as the server could run at once. */
async function rawFingerprint(images: Buffer[], seconds: number): Promise<{ perSecond: number; cpuMs: number }> {
  const parallel = Math.max(2, os.cpus().length * 2);
  const inline = new Ingest(new InlineParsers(), LIMITS);
  let done = 0;
  let next = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (Date.now() < until) {
        await inline.analyze(images[next++ % images.length]!, { thumbnail: false, metadata: 'best-effort' });
        done++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { perSecond: done / ((Date.now() - started) / 1000), cpuMs: (used.user + used.system) / 1000 / done };
}

/** CPU time (user + system) a process has used so far, in ms: stable where wall time is not on a busy machine. */
function processCpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

interface Artist {
  identity: Identity;
  client: AuraClient;
}

async function createArtists(url: string, count: number, prefix: string): Promise<Artist[]> {
  const artists: Artist[] = [];
  for (let i = 0; i < count; i++) {
    const identity = await generateIdentity();
    const client = new AuraClient(url);
    client.audience = PUBLIC_URL;
    await client.createAccount(identity, { handle: `${prefix}-${i}`, displayName: `Bench ${prefix} ${i}`, kind: 'artist' });
    await client.signIn(identity);
    artists.push({ identity, client });
  }
  return artists;
}

interface RegistrationOutcome {
  worker: number;
  ms: number;
  receipt?: { workId: string; logIndex: number; inclusionProof: { index: number; size: number; hashes: string[] }; checkpoint: string };
  error?: string;
}

/** Each worker is one artist registering its own images one after another: draft, sign, commit. */
async function registrationBurst(artists: Artist[], images: Buffer[][]): Promise<{ outcomes: RegistrationOutcome[]; seconds: number }> {
  const outcomes: RegistrationOutcome[] = [];
  const started = performance.now();
  await Promise.all(
    artists.map(async (artist, worker) => {
      for (const [i, bytes] of images[worker]!.entries()) {
        const t0 = performance.now();
        try {
          const result = await artist.client.registerWork(
            artist.identity,
            { bytes, filename: 'w.jpg', type: 'image/jpeg' },
            { title: `Bench ${worker}.${i}` },
          );
          if (result.existing) throw new Error('unexpected existing work');
          outcomes.push({ worker, ms: performance.now() - t0, receipt: result.receipt });
        } catch (err) {
          outcomes.push({ worker, ms: performance.now() - t0, error: (err as Error).message });
        }
      }
    }),
  );
  return { outcomes, seconds: (performance.now() - started) / 1000 };
}

function registrationRow(
  connections: number | string,
  run: { outcomes: RegistrationOutcome[]; seconds: number },
  what = 'registration (draft+sign+commit)',
): Row {
  const ok = run.outcomes.filter((o) => o.receipt);
  const ms = ok.map((o) => o.ms).sort((a, b) => a - b);
  return {
    what,
    connections,
    count: run.outcomes.length,
    perSecond: ok.length / run.seconds,
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    errors: run.outcomes.length - ok.length,
  };
}

let seedCounter = 10_000;
const renderImages = (count: number) => Promise.all(Array.from({ length: count }, () => renderArtwork(seedCounter++, IMAGE)));

/** No entry lost, duplicated or reordered: every receipt is in the log at its index, provable, and each client's indices grow. */
async function checkBurst(urls: string[], outcomes: RegistrationOutcome[], databaseUrl: string): Promise<string[]> {
  const problems: string[] = [];
  const receipts = outcomes.flatMap((o) => (o.receipt ? [{ ...o.receipt, worker: o.worker }] : []));
  const indices = receipts.map((r) => r.logIndex);
  if (new Set(indices).size !== indices.length) problems.push('two receipts share a log index');
  const byWorker = new Map<number, number[]>();
  for (const r of receipts) byWorker.set(r.worker, [...(byWorker.get(r.worker) ?? []), r.logIndex]);
  for (const [worker, list] of byWorker)
    if (list.some((v, i) => i > 0 && v <= list[i - 1]!)) problems.push(`client ${worker}: log indices out of order`);
  const vkey = parseVerifierKey(await (await fetch(`${urls[0]}/v1/log/vkey`)).text());
  for (const r of receipts) {
    const url = urls[r.logIndex % urls.length]!;
    const entry = (await (await fetch(`${url}/v1/log/entries/${r.logIndex}`)).json()) as {
      body: string;
      entry: { type: string; workId?: string };
    };
    if (entry.entry.type !== 'work.registered' || entry.entry.workId !== r.workId)
      problems.push(`receipt ${r.logIndex}: the entry is not its work`);
    const checkpoint = openCheckpoint(r.checkpoint, vkey);
    const proof = r.inclusionProof.hashes.map((h) => Buffer.from(h, 'base64'));
    if (!verifyInclusion(leafHash(Buffer.from(entry.body, 'base64')), r.logIndex, checkpoint.size, proof, checkpoint.rootHash)) {
      problems.push(`receipt ${r.logIndex}: inclusion proof fails`);
    }
  }
  const final = await fetchCheckpoint(urls[0]!);
  const seen = new Map<number, { size: number; rootHash: Buffer; note: string }>();
  for (const r of receipts) {
    const c = openCheckpoint(r.checkpoint, vkey);
    seen.set(c.size, { size: c.size, rootHash: c.rootHash, note: r.checkpoint });
  }
  for (const c of seen.values())
    if (!(await provesConsistent(urls[1 % urls.length]!, c, final)))
      problems.push(`checkpoint ${c.size} is not consistent with ${final.size}`);
  const db = await openDatabase({ url: databaseUrl, poolSize: 2 });
  try {
    const audit = await auditStore(db.db);
    problems.push(...audit.problems);
    const works = await db.db
      .selectFrom('works')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(works.n) !== receipts.length) problems.push(`${works.n} works stored for ${receipts.length} receipts`);
  } finally {
    await db.close();
  }
  return problems;
}

// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  const rows: Row[] = [];
  const logKeyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-bench-'));
  console.log(
    `Aura load benchmark: ${SECONDS} s per verify run, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), ${process.version}, PostgreSQL at ${new URL(ADMIN_URL).host}`,
  );

  // One API process, one database.
  const single = await scratchDatabase();
  const api = await startApi(single.url, logKeyDir);
  try {
    const registered = await renderImages(24);
    const [seeder] = await createArtists(api.url, 1, 'seed');
    for (const bytes of registered)
      await seeder!.client.registerWork(seeder!.identity, { bytes, filename: 's.jpg', type: 'image/jpeg' }, { title: 'Seed' });
    // Verify queries: half are registered works re-encoded smaller, half match nothing.
    const sharp = (await import('sharp')).default;
    const queries = [
      ...(await Promise.all(registered.slice(0, 12).map((b) => sharp(b).resize({ width: 800 }).jpeg({ quality: 75 }).toBuffer()))),
      ...(await renderImages(12)),
    ];
    const pid = api.child.pid!;
    const rawRuns: Array<{ perSecond: number; cpuMs: number }> = [];
    for (const connections of CONNECTIONS) {
      const raw = await rawFingerprint(queries, Math.max(3, SECONDS / 2));
      rawRuns.push(raw);
      const cpu = processCpuMs(pid);
      const row = await benchVerify(api.url, queries, connections);
      row.serverCpuMs = (processCpuMs(pid) - cpu) / row.count;
      row.rawCpuMs = raw.cpuMs;
      rows.push(row);
    }
    for (const connections of CONNECTIONS) {
      const perWorker = connections === 16 ? 6 : 3;
      const artists = await createArtists(api.url, connections, `c${connections}`);
      const images = await Promise.all(artists.map(() => renderImages(perWorker)));
      const raw = await rawFingerprint(images.flat().slice(0, 24), 3);
      rawRuns.push(raw);
      const cpu = processCpuMs(pid);
      const run = await registrationBurst(artists, images);
      const row = registrationRow(connections, run);
      row.serverCpuMs = (processCpuMs(pid) - cpu) / run.outcomes.length;
      row.rawCpuMs = raw.cpuMs;
      rows.push(row);
      const firstError = run.outcomes.find((o) => o.error);
      if (firstError) console.log(`  first registration error at ${connections}: ${firstError.error}`);
    }
    const rawAll = {
      perSecond: rawRuns.reduce((n, r) => n + r.perSecond, 0) / rawRuns.length,
      cpuMs: rawRuns.reduce((n, r) => n + r.cpuMs, 0) / rawRuns.length,
    };
    rows.push({
      what: 'analyzeImage in-process (raw fingerprint, mean of the runs)',
      connections: '—',
      count: 0,
      perSecond: rawAll.perSecond,
      p50: NaN,
      p99: NaN,
      errors: 0,
      rawCpuMs: rawAll.cpuMs,
    });
  } finally {
    await api.stop();
    await single.drop();
  }

  // Three API processes sharing one PostgreSQL.
  const shared = await scratchDatabase();
  const apis = await Promise.all([0, 1, 2].map(() => startApi(shared.url, logKeyDir)));
  let problems: string[] = [];
  try {
    const artists = (await Promise.all(apis.map((a, i) => createArtists(a.url, 8, `p${i}`)))).flat();
    const images = await Promise.all(artists.map(() => renderImages(6)));
    const run = await registrationBurst(artists, images);
    rows.push(registrationRow('3 × 8', run, 'registration burst on 3 API processes'));
    problems = await checkBurst(
      apis.map((a) => a.url),
      run.outcomes,
      shared.url,
    );
  } finally {
    await Promise.all(apis.map((a) => a.stop()));
    await shared.drop();
    fs.rmSync(logKeyDir, { recursive: true, force: true });
  }

  const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
  console.log(
    '\n| workload | connections | requests | per second | p50 ms | p99 ms | errors | server CPU ms/req | raw analyzeImage CPU ms/img | overhead (CPU ratio) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const ratio = r.serverCpuMs && r.rawCpuMs ? fmt(r.serverCpuMs / r.rawCpuMs, 2) : '—';
    console.log(
      `| ${r.what} | ${r.connections} | ${r.count || '—'} | ${fmt(r.perSecond)} | ${fmt(r.p50, 0)} | ${fmt(r.p99, 0)} | ${r.errors} | ${r.serverCpuMs ? fmt(r.serverCpuMs) : '—'} | ${r.rawCpuMs ? fmt(r.rawCpuMs) : '—'} | ${ratio} |`,
    );
  }
  console.log(
    `\n3-process burst: ${problems.length ? `PROBLEMS:\n  ${problems.join('\n  ')}` : 'no entry lost, duplicated or reordered; every receipt proves inclusion; every checkpoint is consistent with the last; rows and entries match one to one'}`,
  );
  console.log(
    `load average after the run: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`command: ${process.env.BENCH_SECONDS ? `BENCH_SECONDS=${SECONDS} ` : ''}npx tsx scripts/bench-load.ts`);
  const errors = rows.reduce((n, r) => n + r.errors, 0);
  if (errors || problems.length) process.exitCode = 1;
}

await main();
