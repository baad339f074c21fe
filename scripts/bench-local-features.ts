/**
 * Cost and yield of the local-feature check (api/matching/local-features.ts) with the product's keypoint
 * settings against a baseline measured in the same run: OpenCV's ORB defaults with no enlargement of
 * small planes (the settings before 2026-12-06). Pairs are generated: paintings at three sizes (down to
 * a 128-px icon) and a flat banded picture, each under a sticker (4 % of the area), turned 3° and cropped to fit, and
 * cropped on one side; rounds alternate the two settings so a machine that drifts moves both alike.
 *
 *   npx tsx scripts/bench-local-features.ts [rounds]
 */
import sharp from 'sharp';
import { fingerprintImage, thumbnailGrey } from '../api/images/fingerprint.ts';
import { DESCRIBE_OPTIONS, type DescribeOptions, describe, type GreyPlane } from '../api/images/keypoints.ts';
import { compareLocally } from '../api/matching/local-features.ts';
import { renderArtwork } from './lib/artwork.ts';
import { rotatedAndCropped } from '../tests/images/synthetic.ts';

const rounds = Number(process.argv[2] ?? 5);
const limits = { maxBytes: 100 * 1024 * 1024, maxPixels: 100_000_000 };
const BASELINE: DescribeOptions = { minSide: 0, fastThreshold: 20 };
const SETTINGS: [string, DescribeOptions][] = [
  ['baseline (ORB defaults, no enlargement)', BASELINE],
  ['product', DESCRIBE_OPTIONS],
];

const svg = (width: number, height: number, body: string) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${body}</svg>`);

/** Diagonal bands of flat greys with wavy edges: minimalist art with few strong corners. */
function bandedPicture(width: number, height: number): Promise<Buffer> {
  const bands = Array.from({ length: 9 }, (_, i) => {
    const x = (i - 2) * width * 0.18;
    const wave = (k: number) => (k % 2 ? 6 : -6);
    const path = `M${x},0 L${x + width * 0.18},0 ${Array.from({ length: 8 }, (_, k) => `L${x + width * 0.18 + (k + 1) * width * 0.06 + wave(k)},${((k + 1) * height) / 8}`).join(' ')} L${x + width * 0.54},${height} L${x + width * 0.36},${height} Z`;
    return `<path d="${path}" fill="hsl(${i * 40},25%,${30 + (i % 4) * 15}%)"/>`;
  }).join('');
  return sharp(svg(width, height, `<rect width="${width}" height="${height}" fill="#888"/>${bands}`))
    .png()
    .toBuffer();
}

async function copiesOf(work: Buffer): Promise<Buffer[]> {
  const { width = 0, height = 0 } = await sharp(work).metadata();
  const r = Math.round(Math.sqrt((0.04 * width * height) / Math.PI));
  const sticker = svg(width, height, `<circle cx="${width - r * 1.1}" cy="${height - r * 1.1}" r="${r}" fill="#e8452c"/>`);
  return [
    await sharp(work)
      .composite([{ input: sticker }])
      .jpeg({ quality: 80 })
      .toBuffer(),
    await (await rotatedAndCropped(work, 3, { width: 0.86, height: 0.82 })).jpeg({ quality: 75 }).toBuffer(),
    await sharp(work)
      .extract({ left: Math.round(width * 0.15), top: 0, width: width - Math.round(width * 0.15), height })
      .jpeg({ quality: 80 })
      .toBuffer(),
  ];
}

const works = [
  await renderArtwork(81, { width: 1200, height: 800 }),
  await renderArtwork(82, { width: 640, height: 480 }),
  await renderArtwork(83, { width: 128, height: 128 }),
  await bandedPicture(1200, 800),
];
const pairs: { query: GreyPlane; work: GreyPlane }[] = [];
for (const work of works) {
  const grey = await thumbnailGrey((await fingerprintImage(work, limits, { thumbnail: true })).thumbnail);
  for (const copy of await copiesOf(work)) pairs.push({ query: (await fingerprintImage(copy, limits)).working!, work: grey });
}

/** One check as the registry runs it: the query described once, then compared with the work. */
async function check(pair: { query: GreyPlane; work: GreyPlane }, options: DescribeOptions): Promise<boolean> {
  const features = await describe(pair.query, options);
  return (await compareLocally(pair.query, pair.work, features, options)).confirmed;
}

await check(pairs[0]!, DESCRIBE_OPTIONS); // loads OpenCV (~0.5 s) outside the timings
const times = SETTINGS.map(() => [] as number[]);
const confirmed = SETTINGS.map(() => 0);
for (let round = 0; round < rounds; round++) {
  for (const [s, [, options]] of SETTINGS.entries()) {
    const started = performance.now();
    let found = 0;
    for (const pair of pairs) if (await check(pair, options)) found++;
    times[s]!.push((performance.now() - started) / pairs.length);
    confirmed[s] = found;
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
console.log(`${pairs.length} copy/work pairs (${works.length} works × 3 copies), ${rounds} rounds, median ms per check:`);
for (const [s, [name]] of SETTINGS.entries())
  console.log(`  ${name}: ${median(times[s]!).toFixed(1)} ms, confirmed ${confirmed[s]}/${pairs.length}`);
const ratios = times[1]!.map((t, i) => t / times[0]![i]!);
console.log(
  `product ÷ baseline, per round: median ${median(ratios).toFixed(2)} (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)})`,
);
