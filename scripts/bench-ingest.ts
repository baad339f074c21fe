/**
 * The cost of the parser pool (docs/ingest.md): the verify ingest path (sniff → header → decode →
 * fingerprint → metadata evidence) with every parser in the piscina pool, against the same path with
 * the parsers on the calling thread (the unguarded baseline), measured in the same run.
 *
 *   npx tsx scripts/bench-ingest.ts [seconds-per-round=8] [rounds=4]
 *
 * Prints: throughput at 16 uploads in flight (images/s, pool ÷ baseline; budget ≥ 0.95), latency of
 * one upload at a time (p50/p95, and what the pool adds), the main thread's longest stall, and the
 * process's resident memory: before the pool, with the pool idle, and peak under 16 concurrent uploads.
 */
import fs from 'node:fs';
import os from 'node:os';
import sharp from 'sharp';
import { loadConfig } from '../api/config.ts';
import { Ingest } from '../api/uploads/ingest.ts';
import { InlineParsers, ParserPool } from '../api/uploads/parser-pool.ts';
import { readFixture } from '../tests/helpers/server.ts';
import { renderArtwork } from './lib/artwork.ts';

const seconds = Number(process.argv[2] ?? 8);
const rounds = Number(process.argv[3] ?? 4);
const CONCURRENCY = 16;
const limits = { maxBytes: 40 * 1024 * 1024, maxPixels: 100_000_000 };

const residentMb = () => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

/** What verify receives: camera JPEGs with EXIF and IPTC, a C2PA JPEG, an AI PNG with text chunks, artwork in three formats. */
async function uploads(): Promise<Buffer[]> {
  const art = await renderArtwork(7, { width: 1600, height: 1200 });
  return [
    readFixture('camera/canon-dslr.jpg'),
    readFixture('camera/iptc-staff-photographer-example.jpg'),
    readFixture('c2pa/CA.jpg'),
    readFixture('ai-markers/comfyui-sdxl-simple-example.png'),
    await sharp(art).jpeg({ quality: 88 }).toBuffer(),
    await sharp(art).png().toBuffer(),
    await sharp(art).webp().toBuffer(),
  ];
}

/** Images per second with `CONCURRENCY` uploads in flight for `seconds`, and the main thread's longest stall. */
async function throughput(ingest: Ingest, images: Buffer[], onSample?: () => void): Promise<{ perSecond: number; stallMs: number }> {
  let done = 0;
  let next = 0;
  let stallMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last - 20);
    last = now;
    onSample?.();
  }, 20);
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await ingest.analyze(images[next++ % images.length]!, { thumbnail: false, metadata: 'best-effort' });
        done++;
      }
    }),
  );
  clearInterval(ticker);
  return { perSecond: done / ((performance.now() - started) / 1000), stallMs };
}

/** Latency of one upload at a time, ms, over several passes of every image. */
async function latencies(ingest: Ingest, images: Buffer[], passes: number): Promise<number[]> {
  const out: number[] = [];
  for (let p = 0; p < passes; p++) {
    for (const image of images) {
      const started = performance.now();
      await ingest.analyze(image, { thumbnail: false, metadata: 'best-effort' });
      out.push(performance.now() - started);
    }
  }
  return out;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

const images = await uploads();
const inline = new Ingest(new InlineParsers(), limits);
await latencies(inline, images, 1); // warm sharp, the WASM kernels and the parsers on this thread
global.gc?.();
const beforePoolMb = residentMb();
const settings = loadConfig({}).parserPool;
const pool = new ParserPool(settings);
const pooled = new Ingest(pool, limits);
await latencies(pooled, images, 1); // start and warm the workers
await new Promise((r) => setTimeout(r, 2000));
const idleMb = residentMb();

console.log(`parser pool: ${JSON.stringify(settings)}`);
console.log(
  `${images.length} images (${images.map((b) => `${(b.length / 1024).toFixed(0)} kB`).join(', ')}), ${CONCURRENCY} in flight, ${rounds} rounds of ${seconds} s each, interleaved ABBA after a warm-up round; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`,
);

const inlineRuns: number[] = [];
const poolRuns: number[] = [];
let inlineStall = 0;
let poolStall = 0;
let peakMb = idleMb;
// One unmeasured round each, so the pool has started all its workers (a burst starts them on demand).
await throughput(inline, images);
await throughput(pooled, images);
for (let round = 0; round < rounds; round++) {
  // ABBA order: a drift in the machine's load over the run falls on both alike.
  const runInline = () => throughput(inline, images);
  const runPool = () => throughput(pooled, images, () => (peakMb = Math.max(peakMb, residentMb())));
  const [a, b] =
    round % 2 === 0 ? [await runInline(), await runPool()] : await runPool().then(async (pb) => [await runInline(), pb] as const);
  inlineRuns.push(a.perSecond);
  poolRuns.push(b.perSecond);
  inlineStall = Math.max(inlineStall, a.stallMs);
  poolStall = Math.max(poolStall, b.stallMs);
  console.log(
    `round ${round + 1}: baseline ${a.perSecond.toFixed(2)}/s, pool ${b.perSecond.toFixed(2)}/s, ratio ${(b.perSecond / a.perSecond).toFixed(3)}`,
  );
}
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const ratio = sum(poolRuns) / sum(inlineRuns);

const inlineLatency = await latencies(inline, images, 4);
const poolLatency = await latencies(pooled, images, 4);
const p = (xs: number[], q: number) => quantile(xs, q).toFixed(1);

console.log('\n| measure | baseline (parsers on the main thread) | parser pool | pool ÷ baseline or added |');
console.log('| --- | ---: | ---: | ---: |');
console.log(
  `| verify ingest throughput, ${CONCURRENCY} in flight (images/s, mean of rounds) | ${(sum(inlineRuns) / rounds).toFixed(2)} | ${(sum(poolRuns) / rounds).toFixed(2)} | ${ratio.toFixed(3)} (budget ≥ 0.95: ${ratio >= 0.95 ? 'met' : 'NOT met'}) |`,
);
console.log(
  `| latency of one upload, p50 (ms) | ${p(inlineLatency, 0.5)} | ${p(poolLatency, 0.5)} | +${(quantile(poolLatency, 0.5) - quantile(inlineLatency, 0.5)).toFixed(1)} |`,
);
console.log(
  `| latency of one upload, p95 (ms) | ${p(inlineLatency, 0.95)} | ${p(poolLatency, 0.95)} | +${(quantile(poolLatency, 0.95) - quantile(inlineLatency, 0.95)).toFixed(1)} |`,
);
console.log(`| main thread's longest stall under load (ms) | ${inlineStall.toFixed(0)} | ${poolStall.toFixed(0)} | |`);
console.log(
  `| resident memory (MB): before the pool → pool idle → peak with ${CONCURRENCY} uploads | ${beforePoolMb.toFixed(0)} | ${idleMb.toFixed(0)} → ${peakMb.toFixed(0)} | idle +${(idleMb - beforePoolMb).toFixed(0)}, under load +${(peakMb - beforePoolMb).toFixed(0)} |`,
);
console.log(`pool counters: ${JSON.stringify(pool.stats())}`);
await pool.close();
