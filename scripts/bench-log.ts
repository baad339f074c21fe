/**
 * Transparency-log benchmark on PostgreSQL: append rate and proof latency at growing tree sizes.
 *
 *   npx tsx scripts/bench-log.ts [--sizes 10000,100000,1000000] [--samples 200] [--workers 8]
 *
 * Uses DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres, creates
 * its own scratch database there and drops it at the end. The tree is grown with the batched append
 * path (`appendMany`, 1000 per transaction); measurements use single appends, one transaction each.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import { openDatabase } from '../db/open.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { systemClock } from '../api/clock.ts';
import { rawPublicKey } from '../api/log/keys.ts';
import { TransparencyLogService } from '../api/log/service.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const sizes = arg('sizes', '10000,100000,1000000').split(',').map(Number);
const samples = Number(arg('samples', '200'));
const workers = Number(arg('workers', '8'));
const FILL_BATCH = 1000;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (v: number) => v.toFixed(2);
const randomIndex = (max: number) => Math.floor(Math.random() * max);

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `aura_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: workers + 2 });
  try {
    await migrateToLatest(database.db);
    const { privateKey } = generateKeyPairSync('ed25519');
    const log = await TransparencyLogService.create({
      db: database.db,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      origin: 'bench.example/log',
      key: { privateKey, publicKey: rawPublicKey(privateKey), source: 'created' },
    });
    const rows: string[] = [];
    let size = 0;
    for (const target of sizes) {
      const fillStart = performance.now();
      const filled = Math.max(0, target - size);
      while (size < target) {
        const n = Math.min(FILL_BATCH, target - size);
        const start = size;
        await database.db.transaction().execute((trx) =>
          log.appendMany(
            trx,
            Array.from({ length: n }, (_, i) => ({
              type: 'bench.entry',
              subjectId: `s${start + i}`,
              payload: randomBytes(96).toString('base64'),
            })),
          ),
        );
        size += n;
      }
      const fillSeconds = (performance.now() - fillStart) / 1000;

      // Sequential single appends: latency of one append transaction.
      const appendLatencies: number[] = [];
      for (let i = 0; i < samples; i++) {
        const t = performance.now();
        await database.db.transaction().execute((trx) => log.append(trx, { type: 'bench.single', i }));
        appendLatencies.push(performance.now() - t);
      }
      size += samples;

      // Concurrent single appends from `workers` connections: throughput under the advisory lock.
      let next = 0;
      const concurrentStart = performance.now();
      await Promise.all(
        Array.from({ length: workers }, async () => {
          while (next++ < samples) await database.db.transaction().execute((trx) => log.append(trx, { type: 'bench.concurrent' }));
        }),
      );
      const concurrentRate = samples / ((performance.now() - concurrentStart) / 1000);
      size += samples;

      const t0 = performance.now();
      const checkpoint = await log.checkpoint();
      const checkpointMs = performance.now() - t0;
      if (checkpoint.size !== size) throw new Error(`checkpoint size ${checkpoint.size}, expected ${size}`);

      const inclusion: number[] = [];
      for (let i = 0; i < samples; i++) {
        const t = performance.now();
        await log.inclusionProof(randomIndex(size), size);
        inclusion.push(performance.now() - t);
      }
      const consistency: number[] = [];
      for (let i = 0; i < samples; i++) {
        const from = 1 + randomIndex(size - 1);
        const t = performance.now();
        await log.consistencyProof(from, size);
        consistency.push(performance.now() - t);
      }
      rows.push(
        `| ${size.toLocaleString('en-US')} | ${filled ? Math.round(filled / fillSeconds) : '–'} | ${ms(percentile(appendLatencies, 50))} / ${ms(percentile(appendLatencies, 95))} | ${Math.round(concurrentRate)} | ${ms(checkpointMs)} | ${ms(percentile(inclusion, 50))} / ${ms(percentile(inclusion, 95))} | ${ms(percentile(consistency, 50))} / ${ms(percentile(consistency, 95))} |`,
      );
      console.error(`size ${size} done (fill ${fillSeconds.toFixed(1)} s)`);
    }
    console.log(
      `PostgreSQL ${(await admin.query('show server_version')).rows[0].server_version}, ${samples} samples per cell, ${workers} concurrent writers\n`,
    );
    console.log(
      '| entries | batched fill (entries/s) | single append p50 / p95 (ms) | concurrent appends/s | sign checkpoint (ms) | inclusion proof p50 / p95 (ms) | consistency proof p50 / p95 (ms) |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const row of rows) console.log(row);
  } finally {
    await database.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
