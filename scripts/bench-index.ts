/**
 * Benchmark of the PDQ match index (multi-index hashing, api/matching) against a full scan.
 *
 *   npx tsx scripts/bench-index.ts [--n 1000000] [--queries 1000] [--scan-queries 100] [--url postgres://…]
 *
 * Creates a fresh PostgreSQL database (DATABASE_URL or postgres://postgres@127.0.0.1:5432/test as the
 * admin connection), loads N synthetic works with one random 256-bit hash each, runs the queries, drops
 * the database. Each query passes 8 hashes, like a verify passes the 8 dihedral variants. Real PDQ
 * dihedral variants come from sign flips and transposes of the DCT, not from a bit permutation of the
 * hash, so the benchmark models them as 8 independent random hashes; for a planted query one of the 8
 * (at a random position) is a stored hash with d random bits flipped, d uniform in 0..31. Misses are
 * 8 fresh random hashes.
 *
 * Recall: every planted work must be found (a random hash is within 31 bits of another with
 * probability ~1e-44, so the planted work is the whole truth); and on --scan-queries of them the
 * index's answer is compared with the brute-force SQL scan, result for result.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../db/open.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { bulkIndexHashes, bruteForceMatches, findMatches, type MatchCandidate } from '../api/matching/service.ts';
import { withIndexesDeferred, type HashRow } from '../api/matching/repository.ts';
import { hashSlots, slotProbes, SLOT_COUNT } from '../api/matching/hashes.ts';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '1000' },
    'scan-queries': { type: 'string', default: '100' },
    url: { type: 'string' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(args.n);
const QUERIES = Number(args.queries);
const SCAN_QUERIES = Math.min(Number(args['scan-queries']), QUERIES);
const ADMIN_URL = args.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHUNK = 50_000;
const VARIANTS = ['global', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'transpose', 'transverse'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(Number(args.seed));
const randomWord = () => Math.floor(random() * 2 ** 32);

/** Stored hashes as 8 uint32 words each, generated from the seed (regenerable, so 10M fit easily). */
const words = new Uint32Array(N * 8);
for (let i = 0; i < words.length; i++) words[i] = randomWord();
const hexOf = (i: number) => Array.from(words.subarray(i * 8, i * 8 + 8), (w) => w.toString(16).padStart(8, '0')).join('');
const randomHex = () => Array.from({ length: 8 }, () => randomWord().toString(16).padStart(8, '0')).join('');
const workId = (i: number) => `w${i}`;

function flip(hex: string, count: number): string {
  const bytes = Buffer.from(hex, 'hex');
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(random() * 256));
  for (const p of chosen) bytes[p >> 3]! ^= 0x80 >> (p & 7);
  return bytes.toString('hex');
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const name = `aura_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const { db, close } = await openDatabase({ url: url.toString(), poolSize: 4 });
  try {
    await migrateToLatest(db);
    const version = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db)).rows[0]!.v;
    console.log(`$ npx tsx scripts/bench-index.ts ${process.argv.slice(2).join(' ')}`.trimEnd());
    console.log(`PostgreSQL ${version}; ${N.toLocaleString('en')} works, one hash each; database ${name}; ${os.cpus().length} CPUs`);

    let t = performance.now();
    await sql`insert into accounts (id, handle, kind, display_name) values ('bench', 'bench', 'artist', 'Bench')`.execute(db);
    await sql`insert into keys (kid, account_id, jwk, status) values ('bench', 'bench', '{}', 'active')`.execute(db);
    await sql`
      insert into works (id, account_id, kid, jws, payload, sha256, pdq, pdq_quality, width, height, title,
                         digital_source_type, evidence_private, thumbnail, status, log_index)
      select 'w' || g, 'bench', 'bench', '', '{}', md5(g::text) || md5((-g)::text), '', 100, 1, 1, '', '', '{}', '', 'active', g
      from generate_series(0, ${N - 1}) g`.execute(db);
    const worksSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    let rowsSeconds = 0;
    await withIndexesDeferred(db, async () => {
      // Two chunks in flight: one being built in JS while the other is written.
      let inFlight: Promise<void> = Promise.resolve();
      for (let start = 0; start < N; start += CHUNK) {
        const rows: HashRow[] = [];
        for (let i = start; i < Math.min(N, start + CHUNK); i++) rows.push({ workId: workId(i), label: 'global', hash: hexOf(i) });
        await inFlight;
        inFlight = bulkIndexHashes(db, rows);
      }
      await inFlight;
      rowsSeconds = (performance.now() - t) / 1000;
    });
    const loadSeconds = (performance.now() - t) / 1000;
    await sql`vacuum analyze work_hashes`.execute(db);
    await sql`analyze works`.execute(db);
    console.log(
      `load: works rows ${worksSeconds.toFixed(1)} s; hash rows ${rowsSeconds.toFixed(1)} s (${Math.round(N / rowsSeconds).toLocaleString('en')} rows/s); ` +
        `indexes and foreign key restored in ${(loadSeconds - rowsSeconds).toFixed(1)} s`,
    );

    const sizes = (
      await sql<{ table: number; indexes: number; slots: number }>`
        select pg_table_size('work_hashes') as table, pg_indexes_size('work_hashes') as indexes,
               (select sum(pg_relation_size(indexrelid)) from pg_index where indrelid = 'work_hashes'::regclass
                  and indexrelid::regclass::text like 'work_hashes_s%') as slots`.execute(db)
    ).rows[0]!;

    // Slot histograms give the exact number of rows each query's probes reach (candidates rechecked).
    const slotCounts = Array.from({ length: SLOT_COUNT }, () => new Uint32Array(65536));
    for (let i = 0; i < N; i++) {
      const base = i * 8;
      for (let s = 0; s < SLOT_COUNT; s++) {
        const word = words[base + (s >> 1)]!;
        slotCounts[s]![(s & 1) === 0 ? word >>> 16 : word & 0xffff]!++;
      }
    }
    const candidatesOf = (hashes: string[]) =>
      hashes.reduce((sum, h) => sum + hashSlots(h).reduce((s, v, i) => s + slotProbes(v).reduce((c, p) => c + slotCounts[i]![p]!, 0), 0), 0);

    const queries = Array.from({ length: QUERIES }, (_, q) => {
      const hashes = VARIANTS.map(() => randomHex());
      if (q % 2 === 1) return { hashes, planted: undefined };
      const target = Math.floor(random() * N);
      const distance = Math.floor(random() * 32);
      const position = Math.floor(random() * 8);
      hashes[position] = flip(hexOf(target), distance);
      return { hashes, planted: { workId: workId(target), distance } };
    });
    const asQuery = (hashes: string[]) => ({ hashes: hashes.map((hash, i) => ({ label: VARIANTS[i]!, hash })) });

    // Warm-up, then timed runs.
    for (const q of queries.slice(0, 20)) await findMatches(db, asQuery(q.hashes));
    const indexTimes: number[] = [];
    const candidates: number[] = [];
    let found = 0;
    let planted = 0;
    let falsePositives = 0;
    const indexed: MatchCandidate[][] = [];
    for (const q of queries) {
      const start = performance.now();
      const result = await findMatches(db, asQuery(q.hashes));
      indexTimes.push(performance.now() - start);
      indexed.push(result);
      candidates.push(candidatesOf(q.hashes));
      if (q.planted) {
        planted++;
        if (result.some((m) => m.workId === q.planted!.workId && m.distance === q.planted!.distance)) found++;
      }
      falsePositives += result.filter((m) => m.workId !== q.planted?.workId).length;
    }

    const scanTimes: number[] = [];
    let scanAgree = 0;
    for (let i = 0; i < SCAN_QUERIES; i++) {
      const q = queries[i]!;
      const start = performance.now();
      const result = await bruteForceMatches(db, asQuery(q.hashes));
      scanTimes.push(performance.now() - start);
      if (JSON.stringify(result) === JSON.stringify(indexed[i])) scanAgree++;
    }

    indexTimes.sort((a, b) => a - b);
    scanTimes.sort((a, b) => a - b);
    candidates.sort((a, b) => a - b);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log('');
    console.log(`| ${N.toLocaleString('en')} hashes | p50 | p95 | p99 | mean |`);
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| index (${QUERIES} queries × 8 hashes) | ${fmt(percentile(indexTimes, 50))} | ${fmt(percentile(indexTimes, 95))} | ${fmt(percentile(indexTimes, 99))} | ${fmt(mean(indexTimes))} |`);
    console.log(`| full scan (${SCAN_QUERIES} queries × 8 hashes) | ${fmt(percentile(scanTimes, 50))} | ${fmt(percentile(scanTimes, 95))} | ${fmt(percentile(scanTimes, 99))} | ${fmt(mean(scanTimes))} |`);
    console.log('');
    console.log(`recall: ${found}/${planted} planted near-duplicates found at their exact distance (${((100 * found) / planted).toFixed(1)} %); ${falsePositives} other matches`);
    console.log(`index vs full scan: identical answers on ${scanAgree}/${SCAN_QUERIES} queries`);
    console.log(`candidates rechecked per query (8 hashes): p50 ${percentile(candidates, 50)}, p95 ${percentile(candidates, 95)}, mean ${Math.round(mean(candidates))}`);
    console.log(`speed-up (p50 scan / p50 index): ${(percentile(scanTimes, 50) / percentile(indexTimes, 50)).toFixed(0)}x; (mean/mean): ${(mean(scanTimes) / mean(indexTimes)).toFixed(0)}x`);
    console.log(`load average during the run: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min)`);
    console.log(`disk: table ${mb(sizes.table)}, all indexes ${mb(sizes.indexes)} (16 slot btrees ${mb(Number(sizes.slots))})`);
  } finally {
    await close();
    if (!args.keep) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
