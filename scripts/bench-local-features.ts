/**
 * Cost and yield of the local-feature check (api/matching/local-features.ts) as the product runs it,
 * against two baselines measured in the same run: OpenCV's ORB defaults with no enlargement of small
 * planes and no alignment as a whole (the check before 2026-12-06), and the product's keypoint settings
 * without the alignment as a whole (before 2026-12-07). Pairs are generated: paintings at three sizes
 * (down to a 128-px icon), a flat banded picture and two star outlines, each under a sticker (4 % of the
 * area), turned 3° and cropped to fit, cropped on one side, and re-posted (cropped unevenly, 600 px,
 * JPEG 60); each copy is checked against its own work and against the next work (the check refusing,
 * which is what most checks of a registry do). Rounds alternate the settings so a machine that drifts
 * moves all alike.
 *
 *   npx tsx scripts/bench-local-features.ts [rounds]
 */
import sharp from 'sharp';
import { fingerprintImage, thumbnailGrey } from '../api/images/fingerprint.ts';
import { DESCRIBE_OPTIONS, type DescribeOptions, describe, type GreyPlane } from '../api/images/keypoints.ts';
import { compareLocally } from '../api/matching/local-features.ts';
import { renderArtwork } from './lib/artwork.ts';
import { rotatedAndCropped, socialRepost, starOutline } from '../tests/images/synthetic.ts';

const rounds = Number(process.argv[2] ?? 5);
const limits = { maxBytes: 100 * 1024 * 1024, maxPixels: 100_000_000 };
interface Setting {
  keypoints: DescribeOptions;
  alignAsAWhole: boolean;
}
const SETTINGS: [string, Setting][] = [
  ['ORB defaults, no enlargement, no alignment as a whole', { keypoints: { minSide: 0, fastThreshold: 20 }, alignAsAWhole: false }],
  ['product keypoints, no alignment as a whole', { keypoints: DESCRIBE_OPTIONS, alignAsAWhole: false }],
  ['product', { keypoints: DESCRIBE_OPTIONS, alignAsAWhole: true }],
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
    await socialRepost(work),
  ];
}

const works = [
  await renderArtwork(81, { width: 1200, height: 800 }),
  await renderArtwork(82, { width: 640, height: 480 }),
  await renderArtwork(83, { width: 128, height: 128 }),
  await bandedPicture(1200, 800),
  await starOutline(37, 300),
  await starOutline(24, 200),
];
const greys = await Promise.all(
  works.map(async (work) => thumbnailGrey((await fingerprintImage(work, limits, { thumbnail: true })).thumbnail)),
);
type Pair = { query: GreyPlane; work: GreyPlane };
const own: Pair[] = [];
const other: Pair[] = [];
for (const [w, work] of works.entries()) {
  for (const copy of await copiesOf(work)) {
    const query = (await fingerprintImage(copy, limits)).working!;
    own.push({ query, work: greys[w]! });
    other.push({ query, work: greys[(w + 1) % works.length]! });
  }
}

/** One check as the registry runs it: the query described once, then compared with the work. */
async function check(pair: Pair, setting: Setting): Promise<boolean> {
  const features = await describe(pair.query, setting.keypoints);
  return (await compareLocally(pair.query, pair.work, features, setting.keypoints, setting.alignAsAWhole)).confirmed;
}

await check(own[0]!, SETTINGS[0]![1]); // loads OpenCV (~0.5 s) outside the timings
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
for (const [kind, pairs] of [
  ['its own work', own],
  ['another work', other],
] as const) {
  const times = SETTINGS.map(() => [] as number[]);
  const confirmed = SETTINGS.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    for (const [s, [, setting]] of SETTINGS.entries()) {
      const started = performance.now();
      let found = 0;
      for (const pair of pairs) if (await check(pair, setting)) found++;
      times[s]!.push((performance.now() - started) / pairs.length);
      confirmed[s] = found;
    }
  }
  console.log(
    `each copy against ${kind}: ${pairs.length} pairs (${works.length} works × 4 copies), ${rounds} rounds, median ms per check:`,
  );
  for (const [s, [name]] of SETTINGS.entries())
    console.log(`  ${name}: ${median(times[s]!).toFixed(1)} ms, confirmed ${confirmed[s]}/${pairs.length}`);
  const product = times[SETTINGS.length - 1]!;
  for (const [s, [name]] of SETTINGS.slice(0, -1).entries()) {
    const ratios = product.map((t, i) => t / times[s]![i]!);
    console.log(
      `  product ÷ ${name}, per round: median ${median(ratios).toFixed(2)} (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)})`,
    );
  }
}
