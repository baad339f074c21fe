/**
 * How well fingerprints survive the transforms a re-posted artwork goes through, and how often distinct
 * works collide. Real artwork comes from Debian wallpaper packages (downloaded with `apt-get download`
 * into a temporary folder, never into the repository), plus generated paintings.
 *
 *   npx tsx scripts/bench-robustness.ts [--dir /tmp/aura-robustness] [--limit 40] [--compare /tmp/aura-compare]
 *
 * --compare DIR also scores sharp-phash and imghash at their usual thresholds (≤ 10 of 64 bits), loaded
 * from DIR/node_modules so they never become project dependencies:
 *   mkdir -p /tmp/aura-compare && cd /tmp/aura-compare && npm init -y && npm install sharp-phash@2.2.0 imghash@1.1.4
 *
 * A query matches its original when the smallest Hamming distance between a query hash (8 dihedral
 * variants + regions) and a stored hash (global + regions) it may be compared with is ≤ 31 — the rule
 * the registry uses (api/works/match-policy.ts queryHashes/storedHashes, api/matching/label-classes.ts).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { fingerprintImage } from '../api/images/fingerprint.ts';
import { hammingDistance } from '../api/images/pdq.ts';
import type { Fingerprint } from '../api/images/types.ts';
import { painting } from '../tests/images/synthetic.ts';
import { judgeMatch, queryHashes, storedHashes } from '../api/works/match-policy.ts';
import { classRange, LIGHTNESS_LABELS, rangeAllows } from '../api/matching/label-classes.ts';

const THRESHOLD = 31;
const PACKAGES = ['lomiri-wallpapers-16.04', 'lomiri-wallpapers-20.04', 'desktop-base', 'debian-edu-artwork-emerald', 'sway-backgrounds'];
const limits = { maxBytes: 100 * 1024 * 1024, maxPixels: 100_000_000 };

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const workDir = option('--dir') ?? path.join(os.tmpdir(), 'aura-robustness');
const limit = Number(option('--limit') ?? 1000);
const compareDir = option('--compare');

/** Other perceptual hashes, scored on the same queries: a 64-bit hash each, as a binary or hex string. */
interface OtherHash {
  name: string;
  threshold: number;
  hash(bytes: Buffer): Promise<string | undefined>;
  distance(a: string, b: string): number;
}

function loadComparisons(): OtherHash[] {
  if (!compareDir) return [];
  const load = createRequire(path.join(path.resolve(compareDir), 'node_modules', 'noop.js'));
  const phash = load('sharp-phash') as (image: Buffer) => Promise<string>;
  const phashDistance = load('sharp-phash/distance') as (a: string, b: string) => number;
  const imghash = load('imghash') as { hash(input: Buffer, bits?: number): Promise<string> };
  const bitDistance = (a: string, b: string) => hammingDistance(a, b);
  return [
    { name: 'sharp-phash (≤ 10)', threshold: 10, hash: (b) => phash(b).catch(() => undefined), distance: phashDistance },
    { name: 'imghash (≤ 10)', threshold: 10, hash: (b) => imghash.hash(b, 8).catch(() => undefined), distance: bitDistance },
  ];
}

interface Work {
  name: string;
  bytes: Buffer;
}

function fetchPackages(): string {
  const extracted = path.join(workDir, 'extracted');
  fs.mkdirSync(extracted, { recursive: true });
  const debs = path.join(workDir, 'debs');
  fs.mkdirSync(debs, { recursive: true });
  for (const pkg of PACKAGES) {
    const target = path.join(extracted, pkg);
    if (fs.existsSync(target)) continue;
    if (!fs.readdirSync(debs).some((f) => f.startsWith(`${pkg}_`))) {
      execFileSync('apt-get', ['download', pkg], { cwd: debs, stdio: 'ignore' });
    }
    const deb = fs.readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb`);
    fs.mkdirSync(target, { recursive: true });
    execFileSync('dpkg-deb', ['-x', path.join(debs, deb), target]);
  }
  return extracted;
}

const walk = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])) : [];

/** One image per work: each package ships one design in many sizes, so only one size is taken. */
async function collectWorks(extracted: string): Promise<Work[]> {
  const files: string[] = [];
  for (const pkg of ['lomiri-wallpapers-16.04', 'lomiri-wallpapers-20.04']) {
    files.push(...walk(path.join(extracted, pkg, 'usr/share/backgrounds')).filter((f) => /\.(jpe?g|png)$/i.test(f)));
  }
  files.push(...walk(path.join(extracted, 'sway-backgrounds')).filter((f) => f.endsWith('Sway_Wallpaper_Blue_1920x1080.png')));
  for (const pkg of ['desktop-base', 'debian-edu-artwork-emerald']) {
    const themes = path.join(extracted, pkg, 'usr/share/desktop-base');
    for (const theme of fs.existsSync(themes) ? fs.readdirSync(themes) : []) {
      const images = path.join(themes, theme, 'wallpaper/contents/images');
      const candidates = walk(images).filter((f) => /\.(svg|png|jpe?g)$/i.test(f)).sort();
      const chosen = candidates.find((f) => path.basename(f).startsWith('1920x1080')) ?? candidates[0];
      if (chosen) files.push(chosen);
    }
  }
  const works: Work[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    let bytes = fs.readFileSync(file);
    if (file.endsWith('.svg')) bytes = await sharp(bytes).resize({ width: 1920, height: 1920, fit: 'inside' }).png().toBuffer();
    // Keep the benchmark fast: works larger than 2048 px are stored at 2048 px (the hashes see 512 px anyway).
    const meta = await sharp(bytes).metadata();
    if (Math.max(meta.width ?? 0, meta.height ?? 0) > 2048) bytes = await sharp(bytes).resize({ width: 2048, height: 2048, fit: 'inside' }).jpeg({ quality: 95 }).toBuffer();
    const key = bytes.subarray(0, 4096).toString('base64') + bytes.length;
    if (seen.has(key)) continue;
    seen.add(key);
    works.push({ name: path.relative(extracted, file), bytes });
  }
  for (let seed = 1; seed <= 6; seed++) works.push({ name: `generated/painting-${seed}`, bytes: await painting(1200, 900, seed).png().toBuffer() });
  return works.slice(0, limit);
}

type Transform = (image: Sharp, meta: { width: number; height: number }) => Sharp | Promise<Sharp>;

const watermark = (width: number, height: number) =>
  Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="${width * 0.05}" y="${height * 0.92}" font-family="sans-serif" font-size="${Math.round(height * 0.07)}" fill="white" fill-opacity="0.8" stroke="black" stroke-width="1">@reposter_account</text></svg>`,
  );

const centredCrop = (percent: number): Transform => (image, { width, height }) => {
  const dx = Math.round((width * percent) / 200);
  const dy = Math.round((height * percent) / 200);
  return image.extract({ left: dx, top: dy, width: width - 2 * dx, height: height - 2 * dy }).jpeg({ quality: 85 });
};

const TRANSFORMS: Record<string, Transform> = {
  'JPEG q30': (i) => i.jpeg({ quality: 30 }),
  'JPEG q50': (i) => i.jpeg({ quality: 50 }),
  'JPEG q75': (i) => i.jpeg({ quality: 75 }),
  'resize 50%': (i, m) => i.resize(Math.round(m.width / 2)).jpeg({ quality: 85 }),
  'resize 25%': (i, m) => i.resize(Math.round(m.width / 4)).jpeg({ quality: 85 }),
  'thumbnail 320 px': (i) => i.resize({ width: 320, height: 320, fit: 'inside' }).jpeg({ quality: 80 }),
  greyscale: (i) => i.greyscale().jpeg({ quality: 85 }),
  'brightness +20%': (i) => i.modulate({ brightness: 1.2 }).jpeg({ quality: 85 }),
  'brightness -20%': (i) => i.modulate({ brightness: 0.8 }).jpeg({ quality: 85 }),
  'gamma 2.2': (i) => i.gamma(2.2).jpeg({ quality: 85 }),
  'text watermark': (i, m) => i.composite([{ input: watermark(m.width, m.height) }]).jpeg({ quality: 85 }),
  'crop 5%': centredCrop(5),
  'crop 10%': centredCrop(10),
  'crop 20%': centredCrop(20),
  'letterbox pad 10%': (i, m) => i.extend({ top: Math.round(m.height * 0.1), bottom: Math.round(m.height * 0.1), background: '#000000' }).jpeg({ quality: 85 }),
  'flip horizontal': (i) => i.flop().jpeg({ quality: 85 }),
  'flip vertical': (i) => i.flip().jpeg({ quality: 85 }),
  'rotate 90°': (i) => i.rotate(90).jpeg({ quality: 85 }),
  'WebP q75': (i) => i.webp({ quality: 75 }),
};

interface Outcome {
  distance: number;
  via: string;
}

function bestMatch(query: Fingerprint, stored: Fingerprint): Outcome {
  let best: Outcome = { distance: 257, via: '' };
  for (const q of queryHashes(query)) {
    const range = classRange(q.against);
    for (const s of storedHashes(stored)) {
      if (!rangeAllows(range, s.label)) continue;
      const d = hammingDistance(q.hash, s.hash);
      if (d < best.distance) best = { distance: d, via: viaOf(q.label, s.label) };
    }
  }
  return best;
}

function viaOf(queryLabel: string, storedLabel: string): string {
  if (LIGHTNESS_LABELS.includes(queryLabel) || LIGHTNESS_LABELS.includes(storedLabel)) return 'lightness';
  if (queryLabel === 'global' && storedLabel === 'global') return 'global';
  if (queryLabel.startsWith('crop') || queryLabel === 'trimmed' || storedLabel !== 'global') return 'region';
  return 'dihedral';
}

const started = performance.now();
const extracted = fetchPackages();
const works = await collectWorks(extracted);
const stored = await Promise.all(works.map((w) => fingerprintImage(w.bytes, limits)));
const lowQuality = stored.filter((f) => f.pdqQuality < 50).length;
const others = loadComparisons();
const storedOthers = await Promise.all(others.map((o) => Promise.all(works.map((w) => o.hash(w.bytes)))));
const otherMatches = (o: number, query: string | undefined, work: number) => {
  const s = storedOthers[o]![work];
  return query !== undefined && s !== undefined && others[o]!.distance(query, s) <= others[o]!.threshold;
};

const rows: string[] = [];
const misses: string[] = [];
const strictMisses: string[] = [];
let totalHits = 0;
let totalStrict = 0;
const otherTotals: number[] = [];
let totalQueries = 0;
for (const [name, transform] of Object.entries(TRANSFORMS)) {
  let hits = 0;
  let strictHits = 0;
  let hitsGlobalOnly = 0;
  const distances: number[] = [];
  const via: Record<string, number> = {};
  const otherHits = others.map(() => 0);
  for (let i = 0; i < works.length; i++) {
    const oriented = await sharp(works[i]!.bytes).rotate().toBuffer({ resolveWithObject: true });
    const copy = await (await transform(sharp(oriented.data), { width: oriented.info.width, height: oriented.info.height })).toBuffer();
    const query = await fingerprintImage(copy, limits);
    const outcome = bestMatch(query, stored[i]!);
    distances.push(outcome.distance);
    if (outcome.distance <= THRESHOLD) {
      hits++;
      via[outcome.via] = (via[outcome.via] ?? 0) + 1;
    } else {
      misses.push(`${name}: ${works[i]!.name} (PDQ quality ${stored[i]!.pdqQuality}, ${outcome.distance} bits)`);
    }
    if (judgeMatch({ distance: outcome.distance, exact: false }, query.pdqQuality, stored[i]!.pdqQuality).accepted) strictHits++;
    else if (outcome.distance <= THRESHOLD) strictMisses.push(`${name}: ${works[i]!.name} (PDQ quality ${stored[i]!.pdqQuality} → ${query.pdqQuality}, ${outcome.distance} bits)`);
    if (hammingDistance(query.pdq, stored[i]!.pdq) <= THRESHOLD) hitsGlobalOnly++;
    for (let o = 0; o < others.length; o++) if (otherMatches(o, await others[o]!.hash(copy), i)) otherHits[o]!++;
  }
  distances.sort((a, b) => a - b);
  totalHits += hits;
  totalStrict += strictHits;
  otherHits.forEach((h, o) => (otherTotals[o] = (otherTotals[o] ?? 0) + h));
  totalQueries += works.length;
  const viaText = Object.entries(via).map(([k, v]) => `${k} ${v}`).join(', ');
  rows.push(
    `| ${name} | ${hits}/${works.length} (${((100 * hits) / works.length).toFixed(0)}%) | ${strictHits}/${works.length} | ${hitsGlobalOnly}/${works.length} | ${distances[Math.floor(distances.length / 2)]} | ${viaText} |` +
      otherHits.map((h) => ` ${h}/${works.length} |`).join(''),
  );
}

const otherFalse = others.map(() => 0);
for (let o = 0; o < others.length; o++) {
  for (let i = 0; i < works.length; i++) for (let j = 0; j < works.length; j++) if (i !== j && otherMatches(o, storedOthers[o]![i], j)) otherFalse[o]!++;
}
let falseMatches = 0;
let pairs = 0;
const falsePairs: string[] = [];
for (let i = 0; i < works.length; i++) {
  for (let j = 0; j < works.length; j++) {
    if (i === j) continue;
    pairs++;
    const outcome = bestMatch(stored[i]!, stored[j]!);
    if (outcome.distance <= THRESHOLD) {
      falseMatches++;
      falsePairs.push(`${works[i]!.name} → ${works[j]!.name} (${outcome.distance} bits, ${outcome.via})`);
    }
  }
}

console.log(`${works.length} works (${works.length - 6} from Debian packages ${PACKAGES.join(', ')}; 6 generated), ${lowQuality} with PDQ quality < 50; threshold ≤ ${THRESHOLD} bits\n`);
console.log('| transform | recall (≤ 31 bits, variants + regions) | recall (registry rule: ≤ 12 bits if PDQ quality < 50) | recall (global hash only) | median best distance | closest pair was |' + others.map((o) => ` ${o.name} |`).join(''));
console.log('| --- | ---: | ---: | ---: | ---: | --- |' + others.map(() => ' ---: |').join(''));
for (const row of rows) console.log(row);
console.log(
  `| **all** | ${totalHits}/${totalQueries} (${((100 * totalHits) / totalQueries).toFixed(1)}%) | ${totalStrict}/${totalQueries} (${((100 * totalStrict) / totalQueries).toFixed(1)}%) | | | |` +
    others.map((_, o) => ` ${otherTotals[o] ?? 0}/${totalQueries} (${((100 * (otherTotals[o] ?? 0)) / totalQueries).toFixed(1)}%) |`).join(''),
);
console.log(`\nmisses:`);
for (const miss of misses) console.log(`  - ${miss}`);
console.log(`\nalso missed under the registry rule (low-detail images, within 31 bits but beyond 12):`);
for (const miss of strictMisses) console.log(`  - ${miss}`);
console.log(`\nfalse matches between distinct works (ordered pairs, query hashes vs stored hashes): ${falseMatches}/${pairs}`);
for (const pair of falsePairs) console.log(`  - ${pair}`);
others.forEach((o, i) => console.log(`false matches with ${o.name}: ${otherFalse[i]}/${pairs}`));
console.log(`\ntook ${((performance.now() - started) / 1000).toFixed(0)} s; command: npx tsx scripts/bench-robustness.ts${args.length ? ' ' + args.join(' ') : ''}`);
