/**
 * Benchmark of the PDQ match index (multi-index hashing, api/matching) against a full scan.
 *
 *   npx tsx scripts/bench-index.ts [--n 1000000] [--queries 1000] [--scan-queries 100] [--url postgres://…]
 *   npx tsx scripts/bench-index.ts --works 100000 [--queries 1000] [--scan-queries 20]
 *   npx tsx scripts/bench-index.ts --keep …            keeps the database; rerun on it with --reuse <name>
 *                                                      (a reused database is kept too; drop it by hand)
 *
 * Creates a fresh PostgreSQL database (DATABASE_URL or postgres://postgres@127.0.0.1:5432/test as the
 * admin connection), loads N synthetic works with one random 256-bit hash each, runs the queries, drops
 * the database. Each query passes 8 hashes, like a verify passes the 8 dihedral variants. Real PDQ
 * dihedral variants come from sign flips and transposes of the DCT, not from a bit permutation of the
 * hash, so the benchmark models them as 8 independent random hashes; for a planted query one of the 8
 * (at a random position) is a stored hash with d random bits flipped, d uniform in 0..31. Misses are
 * 8 fresh random hashes.
 *
 * --works N switches to the shape of the real registry: N works × a detailed work's stored rows each (16; the labels
 * storedHashes() gives: 'global', 'crop-96' … 'crop-69', 'trimmed', 'alpha-black', 'lightness',
 * 'lightness-clipped') and queries of 21 hashes with the stored classes queryHashes() assigns them
 * (api/matching/label-classes.ts). Every query runs twice, alternating, restricted (as a verify runs)
 * and unrestricted (all 21 × 14 pairs);
 * planted queries hold one allowed (query label, stored label) pair.
 *
 * 200 untimed queries of other random hashes run first, so a reused database starts warm.
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
import {
  bulkIndexHashes,
  bruteForceMatches,
  findMatches,
  findMatchesReaching,
  type MatchCandidate,
  type MatchQueryHash,
} from '../api/matching/service.ts';
import { findStoredHashes, withIndexesDeferred, type HashRow } from '../api/matching/repository.ts';
import { hashSlots, slotProbes, SLOT_COUNT } from '../api/matching/hashes.ts';
import { classRange, LIGHTNESS_LABELS, MATCH_TARGETS, storedLabelClass, type ClassRange } from '../api/matching/label-classes.ts';
import { LOCAL_CHECK_REACH, queryHashes, storedHashes } from '../api/matching/policy.ts';
import { DIHEDRAL_LABELS } from '../api/images/pdq.ts';
import { anchoredWindows, cropWindows, partWindows, shiftedWindows, viewWindows } from '../api/images/regions.ts';
import { fittedViews } from '../api/images/rotation.ts';
import type { Fingerprint } from '../api/images/types.ts';
import { rng } from './lib/artwork.ts';

/** Every region label a fingerprint can have (the policy picks which are stored and which are queried). */
const REGION_LABELS = [
  ...[
    ...cropWindows(512, 512),
    ...anchoredWindows(512, 512),
    ...partWindows(512, 512),
    ...viewWindows(512, 512),
    ...shiftedWindows(512, 512),
  ].map((w) => w.label),
  ...fittedViews(512, 512).map((v) => v.label),
  'trimmed',
  'alpha-black',
  ...LIGHTNESS_LABELS,
];
/** A placeholder with half its bits set: the policy leaves degenerate hashes out. */
const BALANCED = 'f'.repeat(32) + '0'.repeat(32);

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000000' },
    works: { type: 'string' },
    queries: { type: 'string', default: '1000' },
    'scan-queries': { type: 'string', default: '100' },
    url: { type: 'string' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});
const WORKS = args.works === undefined ? undefined : Number(args.works);
const STORED_LABELS = storedHashes({
  pdq: BALANCED,
  pdqQuality: 100,
  regions: REGION_LABELS.map((label) => ({ label, hash: BALANCED, quality: 100 })),
}).map((h) => h.label);
const ROWS_PER_WORK = WORKS === undefined ? 1 : STORED_LABELS.length;
/** Stored hash rows (N works × 16 with --works). */
const N = WORKS === undefined ? Number(args.n) : WORKS * ROWS_PER_WORK;
const QUERIES = Number(args.queries);
const SCAN_QUERIES = Math.min(Number(args['scan-queries']), QUERIES);
const ADMIN_URL = args.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHUNK = 50_000;
/** Untimed queries first: enough to bring the slot btrees back into shared_buffers. */
const WARM_UP_QUERIES = 200;
/** Verifies timed each on a connection of its own, opened just before. */
const FRESH_CONNECTION_QUERIES = 20;
const VARIANTS = ['global', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'transpose', 'transverse'];

const random = rng(Number(args.seed));
const randomWord = () => Math.floor(random() * 2 ** 32);

/** Stored hashes as 8 uint32 words each, generated from the seed (regenerable, so 10M fit easily). */
const words = new Uint32Array(N * 8);
for (let i = 0; i < words.length; i++) words[i] = randomWord();
const hexOf = (i: number) => Array.from(words.subarray(i * 8, i * 8 + 8), (w) => w.toString(16).padStart(8, '0')).join('');
const randomHex = () => Array.from({ length: 8 }, () => randomWord().toString(16).padStart(8, '0')).join('');
/** Stored row i belongs to work i / ROWS_PER_WORK, under label STORED_LABELS[i % ROWS_PER_WORK]. */
const workId = (i: number) => `w${Math.floor(i / ROWS_PER_WORK)}`;
const labelOf = (i: number) => (WORKS === undefined ? 'global' : STORED_LABELS[i % ROWS_PER_WORK]!);
const WORK_COUNT = WORKS ?? N;

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

type Db = Parameters<typeof findMatches>[0];
type TableSizes = { table: number; indexes: number; slots: number };

async function main(): Promise<void> {
  const name = args.reuse ?? `aura_bench_${randomBytes(4).toString('hex')}`;
  if (!/^aura_bench_[0-9a-f]{8}$/.test(name)) throw new Error(`--reuse takes a database this benchmark kept (aura_bench_…), not ${name}`);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  if (!args.reuse) await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const { db, close } = await openDatabase({ url: url.toString(), poolSize: 4 });
  try {
    await migrateToLatest(db);
    const version = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db)).rows[0]!.v;
    console.log(`$ npx tsx scripts/bench-index.ts ${process.argv.slice(2).join(' ')}`.trimEnd());
    console.log(
      `PostgreSQL ${version}; ${WORK_COUNT.toLocaleString('en')} works, ${ROWS_PER_WORK} hash row(s) each (${N.toLocaleString('en')} rows); database ${name}; ${os.cpus().length} CPUs`,
    );

    if (args.reuse) await checkReusedDatabase(db);
    else await load(db);

    const sizes = (
      await sql<TableSizes>`
        select pg_table_size('work_hashes') as table, pg_indexes_size('work_hashes') as indexes,
               (select sum(pg_relation_size(indexrelid)) from pg_index where indrelid = 'work_hashes'::regclass
                  and indexrelid::regclass::text like 'work_hashes_s%') as slots`.execute(db)
    ).rows[0]!;

    if (WORKS !== undefined) await benchWorks(db, sizes);
    else await benchHashes(db, url.toString(), sizes);
  } finally {
    await close();
    // A database passed with --reuse was kept on purpose: it stays until dropped by hand.
    if (!args.keep && !args.reuse) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const timed = async <T>(times: number[], run: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  const result = await run();
  times.push(performance.now() - start);
  return result;
};

/** Default mode: one stored hash per work, queries of the 8 dihedral variants. */
async function benchHashes(db: Db, url: string, sizes: TableSizes): Promise<void> {
  const candidatesOf = hashCandidateCounter();
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

  // Warm-up on other queries (a reused database may have been pushed out of shared_buffers by another), then timed runs.
  for (let i = 0; i < WARM_UP_QUERIES; i++) await findMatches(db, asQuery(VARIANTS.map(() => randomHex())));
  const indexTimes: number[] = [];
  const candidates: number[] = [];
  let found = 0;
  let planted = 0;
  let falsePositives = 0;
  const indexed: MatchCandidate[][] = [];
  for (const q of queries) {
    const result = await timed(indexTimes, () => findMatches(db, asQuery(q.hashes)));
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
    const result = await timed(scanTimes, () => bruteForceMatches(db, asQuery(queries[i]!.hashes)));
    if (JSON.stringify(result) === JSON.stringify(indexed[i])) scanAgree++;
  }

  // The first verify on a new connection also plans the match functions and warms the backend's caches.
  const freshTimes: number[] = [];
  for (const q of queries.slice(0, FRESH_CONNECTION_QUERIES)) {
    const fresh = await openDatabase({ url, poolSize: 1 });
    await timed(freshTimes, () => findMatches(fresh.db, asQuery(q.hashes)));
    await fresh.close();
  }

  printHashReport({
    index: sorted(indexTimes),
    scan: sorted(scanTimes),
    fresh: sorted(freshTimes),
    candidates: sorted(candidates),
    found,
    planted,
    falsePositives,
    scanAgree,
    sizes,
  });
}

/** Slot histograms give the exact number of rows each query's probes reach (candidates rechecked). */
function hashCandidateCounter(): (hashes: string[]) => number {
  const slotCounts = Array.from({ length: SLOT_COUNT }, () => new Uint32Array(65536));
  for (let i = 0; i < N; i++) {
    const base = i * 8;
    for (let s = 0; s < SLOT_COUNT; s++) {
      const word = words[base + (s >> 1)]!;
      slotCounts[s]![(s & 1) === 0 ? word >>> 16 : word & 0xffff]!++;
    }
  }
  return (hashes) =>
    hashes.reduce((sum, h) => sum + hashSlots(h).reduce((s, v, i) => s + slotProbes(v).reduce((c, p) => c + slotCounts[i]![p]!, 0), 0), 0);
}

function printHashReport(r: {
  index: number[];
  scan: number[];
  fresh: number[];
  candidates: number[];
  found: number;
  planted: number;
  falsePositives: number;
  scanAgree: number;
  sizes: TableSizes;
}): void {
  const { index, scan, fresh, candidates } = r;
  console.log('');
  console.log(`| ${N.toLocaleString('en')} hashes | p50 | p95 | p99 | mean |`);
  console.log('| --- | --- | --- | --- | --- |');
  console.log(
    `| index (${QUERIES} queries × 8 hashes) | ${fmt(percentile(index, 50))} | ${fmt(percentile(index, 95))} | ${fmt(percentile(index, 99))} | ${fmt(mean(index))} |`,
  );
  console.log(
    `| full scan (${SCAN_QUERIES} queries × 8 hashes) | ${fmt(percentile(scan, 50))} | ${fmt(percentile(scan, 95))} | ${fmt(percentile(scan, 99))} | ${fmt(mean(scan))} |`,
  );
  console.log('');
  console.log(
    `recall: ${r.found}/${r.planted} planted near-duplicates found at their exact distance (${((100 * r.found) / r.planted).toFixed(1)} %); ${r.falsePositives} other matches`,
  );
  console.log(`index vs full scan: identical answers on ${r.scanAgree}/${SCAN_QUERIES} queries`);
  console.log(
    `candidates rechecked per query (8 hashes): p50 ${percentile(candidates, 50)}, p95 ${percentile(candidates, 95)}, mean ${Math.round(mean(candidates))}`,
  );
  console.log(
    `first verify on a new connection (${fresh.length} connections): p50 ${fmt(percentile(fresh, 50))}, against ${fmt(percentile(index, 50))} on an open one`,
  );
  console.log(
    `speed-up (p50 scan / p50 index): ${(percentile(scan, 50) / percentile(index, 50)).toFixed(0)}x; (mean/mean): ${(mean(scan) / mean(index)).toFixed(0)}x`,
  );
  printLoadAndDisk(r.sizes);
}

function printLoadAndDisk(sizes: TableSizes): void {
  console.log(
    `load average during the run: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1 / 5 / 15 min)`,
  );
  console.log(`disk: table ${mb(sizes.table)}, all indexes ${mb(sizes.indexes)} (16 slot btrees ${mb(Number(sizes.slots))})`);
  const perRow = (Number(sizes.table) + Number(sizes.indexes)) / N;
  // Bytes per work = this × the rows a work stores (bench-robustness.ts prints the corpus' mean).
  console.log(`bytes per stored row (table and indexes): ${Math.round(perRow).toLocaleString('en')}`);
}

/** Loads the works and their hash rows with the indexes deferred, then vacuums and analyses. */
async function load(db: Db): Promise<void> {
  let t = performance.now();
  await sql`insert into accounts (id, handle, kind, display_name) values ('bench', 'bench', 'artist', 'Bench')`.execute(db);
  await sql`insert into keys (kid, account_id, jwk, status) values ('bench', 'bench', '{}', 'active')`.execute(db);
  await sql`
    insert into works (id, account_id, kid, jws, payload, sha256, pdq, pdq_quality, width, height, title,
                       digital_source_type, evidence_private, thumbnail, status, log_index)
    select 'w' || g, 'bench', 'bench', '', '{}', md5(g::text) || md5((-g)::text), '', 100, 1, 1, '', '', '{}', '', 'active', g
    from generate_series(0, ${WORK_COUNT - 1}) g`.execute(db);
  const worksSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  let rowsSeconds = 0;
  await withIndexesDeferred(db, async () => {
    // Two chunks in flight: one being built in JS while the other is written.
    let inFlight: Promise<void> = Promise.resolve();
    for (let start = 0; start < N; start += CHUNK) {
      const rows: HashRow[] = [];
      for (let i = start; i < Math.min(N, start + CHUNK); i++) rows.push({ workId: workId(i), label: labelOf(i), hash: hexOf(i) });
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
}

/** --reuse: the kept database must hold exactly the rows this seed and size generate. */
async function checkReusedDatabase(db: Db): Promise<void> {
  const rows = Number((await sql<{ n: string }>`select count(*) as n from work_hashes`.execute(db)).rows[0]!.n);
  const first = (await findStoredHashes(db, workId(0))).find((h) => h.label === labelOf(0));
  if (rows !== N || first?.hash !== hexOf(0)) {
    throw new Error(
      `the reused database holds ${rows.toLocaleString('en')} rows, not the ${N.toLocaleString('en')} this --n/--works and --seed generate`,
    );
  }
  // A migration may have rewritten the table: without a fresh visibility map every index-only scan
  // would visit the heap too.
  await sql`vacuum analyze work_hashes`.execute(db);
  console.log('load: reused the kept database (vacuumed)');
}

/** --works: the registry's real shape, 20 query hashes with classes vs 13 stored rows per work. */
async function benchWorks(db: Db, sizes: TableSizes): Promise<void> {
  const candidatesOf = classCandidateCounter();
  const { shape, queries } = worksQueries();
  // The query's hashes in the shape's order (its labels and the stored classes each may meet).
  const restricted = (hashes: string[]) => ({ hashes: shape.map(({ label, against }, i) => ({ label, hash: hashes[i]!, against })) });
  const unrestricted = (hashes: string[]) => ({ hashes: shape.map(({ label }, i) => ({ label, hash: hashes[i]! })) });

  for (let i = 0; i < WARM_UP_QUERIES / 4; i++) {
    const hashes = shape.map(() => randomHex());
    await findMatches(db, restricted(hashes));
    await findMatches(db, unrestricted(hashes));
  }
  const newRun = () => ({ times: [] as number[], candidates: [] as number[], found: 0, answers: [] as MatchCandidate[][] });
  // 'reaching' is the lookup verify makes: restricted, keeping pairs up to LOCAL_CHECK_REACH bits for the local-feature check.
  const runs = { restricted: newRun(), unrestricted: newRun(), reaching: newRun() };
  let planted = 0;
  for (const [i, q] of queries.entries()) {
    if (q.planted) planted++;
    // Alternate which goes first so neither always finds the other's pages in cache.
    const modes = ['restricted', 'unrestricted', 'reaching'] as const;
    const order = [...modes.slice(i % 3), ...modes.slice(0, i % 3)];
    for (const mode of order) {
      const input = mode === 'unrestricted' ? unrestricted(q.hashes) : restricted(q.hashes);
      const lookup = () => (mode === 'reaching' ? findMatchesReaching(db, input, LOCAL_CHECK_REACH) : findMatches(db, input));
      const result = await timed(runs[mode].times, lookup);
      runs[mode].answers.push(result);
      runs[mode].candidates.push(candidatesOf(input.hashes));
      if (q.planted && result.some((m) => m.workId === q.planted!.workId && m.distance <= q.planted!.distance)) runs[mode].found++;
    }
  }

  const scanTimes: number[] = [];
  let scanAgree = 0;
  for (let i = 0; i < SCAN_QUERIES; i++) {
    const result = await timed(scanTimes, () => bruteForceMatches(db, restricted(queries[i]!.hashes)));
    if (JSON.stringify(result) === JSON.stringify(runs.restricted.answers[i])) scanAgree++;
  }
  printWorksReport({ runs, scanTimes, scanAgree, planted, hashesPerQuery: queries[0]?.hashes.length ?? 0, sizes });
}

/** Per label class, slot histograms: the exact number of rows a probe reaches within a class range. */
function classCandidateCounter(): (hashes: MatchQueryHash[]) => number {
  const classes = Math.max(...MATCH_TARGETS.map((t) => classRange(t).hi)) + 1;
  const slotCounts = Array.from({ length: classes }, () => Array.from({ length: SLOT_COUNT }, () => new Uint32Array(65536)));
  for (let i = 0; i < N; i++) {
    const base = i * 8;
    const byClass = slotCounts[storedLabelClass(labelOf(i))]!;
    for (let s = 0; s < SLOT_COUNT; s++) {
      const word = words[base + (s >> 1)]!;
      byClass[s]![(s & 1) === 0 ? word >>> 16 : word & 0xffff]!++;
    }
  }
  const all = classRange('any');
  return (hashes) => {
    let sum = 0;
    for (const h of hashes) {
      const range: ClassRange = h.against ? classRange(h.against) : all;
      hashSlots(h.hash).forEach((v, slot) => {
        for (const p of slotProbes(v)) for (let c = range.lo; c <= range.hi; c++) sum += slotCounts[c]![slot]![p]!;
      });
    }
    return sum;
  };
}

/** The query shape of the real policy (queryHashes() of a fingerprint with 8 variants and 11 regions), and the queries; half plant a stored hash. */
function worksQueries() {
  const fingerprint = (hashes: string[]): Fingerprint => ({
    sha256: '',
    pdq: hashes[0]!,
    pdqQuality: 100,
    width: 1,
    height: 1,
    format: 'png',
    variants: DIHEDRAL_LABELS.map((label, i) => ({ label, hash: hashes[i]!, quality: 100 })),
    regions: REGION_LABELS.map((label, i) => ({ label, hash: hashes[DIHEDRAL_LABELS.length + i]!, quality: 100 })),
  });
  const shape = queryHashes(fingerprint(Array.from({ length: DIHEDRAL_LABELS.length + REGION_LABELS.length }, () => BALANCED)));
  const allowedPairs = shape.flatMap((h, qi) =>
    STORED_LABELS.flatMap((label, si) =>
      storedLabelClass(label) >= classRange(h.against).lo && storedLabelClass(label) <= classRange(h.against).hi ? [{ qi, si }] : [],
    ),
  );
  const queries = Array.from({ length: QUERIES }, (_, q) => {
    const hashes = shape.map(() => randomHex());
    if (q % 2 === 1) return { hashes, planted: undefined };
    const work = Math.floor(random() * WORK_COUNT);
    const distance = Math.floor(random() * 32);
    const pair = allowedPairs[Math.floor(random() * allowedPairs.length)]!;
    hashes[pair.qi] = flip(hexOf(work * ROWS_PER_WORK + pair.si), distance);
    return { hashes, planted: { workId: `w${work}`, distance } };
  });
  return { shape, queries };
}

interface ModeRun {
  times: number[];
  candidates: number[];
  found: number;
}

function printWorksReport(r: {
  runs: Record<'restricted' | 'unrestricted' | 'reaching', ModeRun>;
  scanTimes: number[];
  scanAgree: number;
  planted: number;
  hashesPerQuery: number;
  sizes: TableSizes;
}): void {
  const { runs } = r;
  console.log('');
  console.log(
    `| ${WORK_COUNT.toLocaleString('en')} works (${N.toLocaleString('en')} rows), ${QUERIES} verifies × ${r.hashesPerQuery} hashes | p50 | p95 | p99 | mean | candidates p50 | recall |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const mode of ['restricted', 'unrestricted', 'reaching'] as const) {
    const t = sorted(runs[mode].times);
    const c = sorted(runs[mode].candidates);
    console.log(
      `| ${mode} | ${fmt(percentile(t, 50))} | ${fmt(percentile(t, 95))} | ${fmt(percentile(t, 99))} | ${fmt(mean(t))} | ${percentile(c, 50).toLocaleString('en')} | ${runs[mode].found}/${r.planted} |`,
    );
  }
  if (SCAN_QUERIES > 0) {
    const t = sorted(r.scanTimes);
    console.log(
      `| full scan, restricted (${SCAN_QUERIES} verifies) | ${fmt(percentile(t, 50))} | ${fmt(percentile(t, 95))} | ${fmt(percentile(t, 99))} | ${fmt(mean(t))} | ${N.toLocaleString('en')} rows | |`,
    );
  }
  console.log('');
  console.log(`restricted index vs restricted full scan: identical answers on ${r.scanAgree}/${SCAN_QUERIES} verifies`);
  console.log(
    `speed-up restricted vs unrestricted (p50): ${(percentile(sorted(runs.unrestricted.times), 50) / percentile(sorted(runs.restricted.times), 50)).toFixed(1)}x; candidates ${(mean(runs.unrestricted.candidates) / mean(runs.restricted.candidates)).toFixed(1)}x fewer`,
  );
  console.log(
    `reaching ${LOCAL_CHECK_REACH} bits (verify's lookup) ÷ restricted to 31, same run (p50): ${(percentile(sorted(runs.reaching.times), 50) / percentile(sorted(runs.restricted.times), 50)).toFixed(2)}; mean ${(mean(runs.reaching.times) / mean(runs.restricted.times)).toFixed(2)}`,
  );
  printLoadAndDisk(r.sizes);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
