/**
 * Per-image cost of fingerprinting versus sharp's own decode-and-shrink-to-512 of the same 12-MP JPEG.
 *
 *   npx tsx scripts/bench-fingerprint.ts [iterations]
 */
import os from 'node:os';
import sharp from 'sharp';
import { Ingest } from '../api/uploads/ingest.ts';
import { InlineParsers } from '../api/uploads/parser-pool.ts';
import { decodeImage } from '../api/images/decode.ts';
import { createHash } from 'node:crypto';
import { readEvidence } from '../api/evidence/read-evidence.ts';
import { encodeThumbnail, fingerprintImage, hashPixels } from '../api/images/fingerprint.ts';

const iterations = Number(process.argv[2] ?? 20);
const limits = { maxBytes: 100 * 1024 * 1024, maxPixels: 100_000_000 };

async function makeTwelveMegapixelJpeg(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  // Smooth structure plus sensor-like noise, so the JPEG has a realistic size (several MB).
  const base = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080' } })
    .composite([{ input: Buffer.from(gradientSvg(400, 300)), top: 0, left: 0 }])
    .png()
    .toBuffer();
  const noise = await sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 18 } },
  })
    .png()
    .toBuffer();
  return sharp(base)
    .resize(width, height)
    .composite([{ input: noise, blend: 'overlay' }])
    .withExif({ IFD0: { Make: 'Bench', Model: 'Synthetic 12MP' } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

function gradientSvg(w: number, h: number): string {
  const shapes = Array.from({ length: 40 }, (_, i) => {
    const x = (i * 97) % w;
    const y = (i * 53) % h;
    return `<circle cx="${x}" cy="${y}" r="${10 + (i % 7) * 6}" fill="hsl(${(i * 37) % 360},70%,${30 + (i % 5) * 10}%)"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="g"><stop offset="0" stop-color="#234"/><stop offset="1" stop-color="#dca"/></linearGradient></defs><rect width="${w}" height="${h}" fill="url(#g)"/>${shapes}</svg>`;
}

interface Samples {
  wall: number[];
  /** CPU time of the whole process (main thread and sharp's worker threads). */
  cpu: number[];
  /** Per round, this step's wall and CPU time over the baseline's in the same round. */
  wallRatio: number[];
  cpuRatio: number[];
}

type Step = () => Promise<unknown> | unknown;

/**
 * Runs the steps in rounds, one sample of each per round in a rotating order, so a machine that speeds
 * up or slows down during the run (a shared VM does) weighs on every step alike. The first step is the
 * baseline: each other sample is also divided by the baseline sample of its own round.
 */
async function timeInterleaved(steps: Step[]): Promise<Samples[]> {
  for (const fn of steps) for (let i = 0; i < 3; i++) await fn(); // warm-up
  const samples = steps.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let round = 0; round < iterations; round++) {
    for (let k = 0; k < steps.length; k++) {
      const s = (round + k) % steps.length;
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await steps[s]!();
      const used = process.cpuUsage(cpuStart);
      samples[s]!.wall.push(performance.now() - start);
      samples[s]!.cpu.push((used.user + used.system) / 1000);
    }
  }
  const [base] = samples;
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  return samples.map((s) => ({
    wall: sorted(s.wall),
    cpu: sorted(s.cpu),
    wallRatio: sorted(s.wall.map((w, i) => w / base!.wall[i]!)),
    cpuRatio: sorted(s.cpu.map((c, i) => c / base!.cpu[i]!)),
  }));
}

const median = (s: number[]) => s[Math.floor(s.length / 2)]!;
const p90 = (s: number[]) => s[Math.min(s.length - 1, Math.floor(s.length * 0.9))]!;

const jpeg = await makeTwelveMegapixelJpeg();
const meta = await sharp(jpeg).metadata();
console.log(
  `input: ${meta.width}×${meta.height} JPEG, ${(jpeg.length / 1024 / 1024).toFixed(1)} MB; ${iterations} rounds, each step once per round in rotating order, after 3 warm-ups; sharp concurrency ${sharp.concurrency()}, ${process.version}`,
);

const decoded = await decodeImage(jpeg, limits);
// The parsers on this thread, as before the parser pool: this benchmark measures CPU per step.
const inline = new Ingest(new InlineParsers(), limits);
const [baseline, hashesOnly, sha256, evidence, thumbnail, fingerprint, analyze, verifyPath] = await timeInterleaved([
  () => sharp(jpeg).rotate().resize({ width: 512, height: 512, fit: 'inside', withoutEnlargement: true }).raw().toBuffer(),
  () => hashPixels(decoded),
  () => createHash('sha256').update(jpeg).digest('hex'),
  () => readEvidence(jpeg),
  () => encodeThumbnail(decoded),
  () => fingerprintImage(jpeg, limits, { thumbnail: true }),
  () => inline.analyze(jpeg, { thumbnail: true, metadata: 'required' }),
  () => inline.analyze(jpeg, { thumbnail: false, metadata: 'best-effort' }),
]);

const rows: [string, Samples][] = [
  ['sharp decode + shrink to 512 (baseline)', baseline!],
  ['part: PDQ + 8 variants + regions on the 512-px buffer', hashesOnly!],
  ['part: SHA-256 of the file', sha256!],
  ['part: metadata evidence (EXIF, XMP, IPTC, C2PA…)', evidence!],
  ['part: WebP thumbnail of the 512-px buffer', thumbnail!],
  ['fingerprintImage (decode, SHA-256, hashes, thumbnail)', fingerprint!],
  ['analyzeImage (fingerprint + metadata evidence): registration', analyze!],
  ['analyzeImage without the thumbnail: verify, inspect', verifyPath!],
];
console.log(
  '\n| step | wall median ms | wall p90 ms | CPU median ms | × baseline (wall) | × baseline (CPU) |\n| --- | ---: | ---: | ---: | ---: | ---: |',
);
for (const [name, s] of rows) {
  console.log(
    `| ${name} | ${median(s.wall).toFixed(1)} | ${p90(s.wall).toFixed(1)} | ${median(s.cpu).toFixed(1)} | ${median(s.wallRatio).toFixed(2)} | ${median(s.cpuRatio).toFixed(2)} |`,
  );
}
const ratio = (s: Samples) =>
  `wall ${median(s.wallRatio).toFixed(2)} (p90 ${p90(s.wallRatio).toFixed(2)}), CPU ${median(s.cpuRatio).toFixed(2)} (p90 ${p90(s.cpuRatio).toFixed(2)})`;
console.log('\nratios are medians over rounds of (step ÷ baseline in the same round)');
console.log(`fingerprintImage / baseline: ${ratio(fingerprint!)}`);
console.log(`analyzeImage / baseline: ${ratio(analyze!)} (the whole fingerprint; goal ≤ 1.3)`);
console.log(`analyzeImage without the thumbnail (verify, inspect) / baseline: ${ratio(verifyPath!)}`);
console.log(
  `load average during the run: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} CPUs`,
);
console.log(`command: npx tsx scripts/bench-fingerprint.ts ${iterations}`);
