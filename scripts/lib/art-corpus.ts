/**
 * The matching benchmark's corpus: human-made art from Debian packages (wallpapers, clip art, icon
 * artwork, game art, colouring pages), fetched with `apt-get download` into a temporary folder (never into
 * the repository), one image per design, split deterministically into a tuning part and a held-out part.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/** Kept for an independent evaluation: never downloaded, looked at or tuned on. */
export const RESERVED_PACKAGES: readonly string[] = [
  'plasma-workspace-wallpapers',
  'gnome-backgrounds',
  'mate-backgrounds',
  'ukui-wallpapers',
];

interface Source {
  pkg: string;
  /** How many designs to take at most (deterministic sample). */
  cap: number;
  /** Paths (relative to the extracted package) to consider. */
  include: RegExp;
  exclude?: RegExp;
}

const IMAGE = /\.(png|jpe?g|svgz?)$/i;
export const SOURCES: readonly Source[] = [
  { pkg: 'lomiri-wallpapers-16.04', cap: 30, include: /backgrounds\// },
  { pkg: 'lomiri-wallpapers-20.04', cap: 30, include: /backgrounds\// },
  { pkg: 'lomiri-wallpapers', cap: 30, include: /backgrounds\// },
  { pkg: 'sway-backgrounds', cap: 30, include: /backgrounds\// },
  {
    pkg: 'desktop-base',
    cap: 45,
    include: /desktop-base\/|plymouth\/themes\//,
    exclude: /grub|password|bullet|progress|box\.|lock\.|throbber|animation/,
  },
  { pkg: 'debian-edu-artwork-emerald', cap: 8, include: /\.(svg|png|jpe?g)$/, exclude: /password|bullet|progress|throbber|animation|logo/ },
  { pkg: 'debian-edu-artwork-buster', cap: 8, include: /\.(svg|png|jpe?g)$/, exclude: /password|bullet|progress|throbber|animation|logo/ },
  {
    pkg: 'debian-edu-artwork-homeworld',
    cap: 8,
    include: /\.(svg|png|jpe?g)$/,
    exclude: /password|bullet|progress|throbber|animation|logo/,
  },
  {
    pkg: 'debian-edu-artwork-softwaves',
    cap: 8,
    include: /\.(svg|png|jpe?g)$/,
    exclude: /password|bullet|progress|throbber|animation|logo/,
  },
  {
    pkg: 'debian-edu-artwork-spacefun',
    cap: 8,
    include: /\.(svg|png|jpe?g)$/,
    exclude: /password|bullet|progress|throbber|animation|logo/,
  },
  { pkg: 'lxqt-themes', cap: 30, include: /wallpapers\// },
  { pkg: 'openclipart-svg', cap: 80, include: /\.svg$/ },
  { pkg: 'oxygen-icon-theme', cap: 30, include: /256x256\/.*\.png$/ },
  { pkg: 'frozen-bubble-data', cap: 20, include: /gfx\// },
  { pkg: 'pingus-data', cap: 25, include: /images\// },
  { pkg: 'neverball-data', cap: 25, include: /\.(jpe?g|png)$/ },
  { pkg: 'chromium-bsu-data', cap: 10, include: /\.(png|jpe?g)$/ },
  { pkg: 'tuxpaint-data', cap: 30, include: /tuxpaint\/(starters|stamps|brushes|images\/(tux|shapes))\// },
  { pkg: 'kdegames-card-data-kf5', cap: 10, include: /carddecks\// },
];

export interface CorpusWork {
  name: string;
  pkg: string;
  bytes: Buffer;
  split: 'tuning' | 'held-out';
  transparent: boolean;
  /** Transparent with flat colour: the picture is in the alpha channel. */
  alphaOnly: boolean;
}

/** Refuses the reserved packages, whoever asks for them. */
export function assertNotReserved(pkg: string): void {
  if (RESERVED_PACKAGES.includes(pkg)) throw new Error(`${pkg} is reserved for an independent evaluation and must not be used`);
}

export function fetchPackages(workDir: string, packages: readonly string[]): string {
  const extracted = path.join(workDir, 'extracted');
  const debs = path.join(workDir, 'debs');
  fs.mkdirSync(extracted, { recursive: true });
  fs.mkdirSync(debs, { recursive: true });
  for (const pkg of packages) {
    assertNotReserved(pkg);
    const target = path.join(extracted, pkg);
    if (fs.existsSync(target)) continue;
    if (!fs.readdirSync(debs).some((f) => f.startsWith(`${pkg}_`)))
      execFileSync('apt-get', ['download', pkg], { cwd: debs, stdio: 'ignore' });
    const deb = fs.readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb`);
    fs.mkdirSync(target, { recursive: true });
    execFileSync('dpkg-deb', ['-x', path.join(debs, deb), target]);
  }
  return extracted;
}

const walk = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []))
    : [];

/** One design in many sizes ('1920x1080.svg', '256x256/…') shares a key: only one size is taken. */
const designKey = (relative: string) =>
  relative
    .replace(/\d{2,4}x\d{2,4}/g, '')
    .replace(/\.(png|jpe?g|svgz?)$/i, '')
    .replace(/[-_/]+/g, '/')
    .toLowerCase();

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Tuning or held-out, from the design's key alone: the same split on every machine and every run. */
export const splitOf = (pkg: string, key: string): CorpusWork['split'] =>
  digest(`split:${pkg}:${key}`)[0]! % 3 === 0 ? 'held-out' : 'tuning';

/** The largest side kept: the fingerprint sees 512 px, and smaller works keep the benchmark fast. */
const MAX_SIDE = 1280;
const MIN_SIDE = 128;

/**
 * The corpus' works, one per design, with the pictures that ship twice (under two names, as two
 * frames of one animation, as one wallpaper cut to 16:9 and to 4:3) merged into the first: they are
 * one work, not two works that must not match. `merged` lists what was dropped and why.
 */
export async function collectCorpus(extracted: string): Promise<CorpusWork[] & { merged?: string[] }> {
  const works = await collectDesigns(extracted);
  const { kept, merged } = await mergeSamePictures(works);
  return Object.assign(kept, { merged });
}

async function collectDesigns(extracted: string): Promise<CorpusWork[]> {
  const works: CorpusWork[] = [];
  const seen = new Set<string>();
  for (const source of SOURCES) {
    const root = path.join(extracted, source.pkg);
    const byDesign = new Map<string, string[]>();
    for (const file of walk(root)) {
      const relative = path.relative(root, file);
      if (!IMAGE.test(relative) || /\/doc\//.test(relative) || !source.include.test(relative) || source.exclude?.test(relative)) continue;
      const key = designKey(relative);
      byDesign.set(key, [...(byDesign.get(key) ?? []), file]);
    }
    const designs = [...byDesign.entries()].sort(([a], [b]) => Buffer.compare(digest(a), digest(b)));
    let taken = 0;
    for (const [key, files] of designs) {
      if (taken >= source.cap) break;
      // Prefer a 1920x1080 rendering, else the largest file.
      const file = files.find((f) => f.includes('1920x1080')) ?? files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
      const bytes = await normalise(file).catch(() => undefined);
      if (!bytes) continue;
      const id = createHash('sha256').update(bytes).digest('hex');
      if (seen.has(id)) continue;
      seen.add(id);
      const { transparent, alphaOnly } = await alphaClass(bytes);
      works.push({
        name: `${source.pkg}/${path.relative(root, file)}`,
        pkg: source.pkg,
        bytes,
        split: splitOf(source.pkg, key),
        transparent,
        alphaOnly,
      });
      taken++;
    }
  }
  return works;
}

/** Decodes (SVG rasterised), skips tiny images, shrinks large ones; PNG keeps transparency. */
async function normalise(file: string): Promise<Buffer | undefined> {
  let input = fs.readFileSync(file);
  if (file.endsWith('.svgz')) input = (await import('node:zlib')).gunzipSync(input);
  const vector = /\.svgz?$/i.test(file);
  const image = sharp(input, vector ? { density: 144 } : {});
  const meta = await image.metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (Math.min(width, height) < MIN_SIDE && !vector) return undefined;
  const resized = image.resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: !vector });
  const out = meta.hasAlpha ? await resized.png().toBuffer() : await resized.jpeg({ quality: 95 }).toBuffer();
  const check = await sharp(out).metadata();
  return Math.min(check.width ?? 0, check.height ?? 0) < MIN_SIDE / 2 ? undefined : out;
}

async function alphaClass(bytes: Buffer): Promise<{ transparent: boolean; alphaOnly: boolean }> {
  const { data, info } = await sharp(bytes).resize(128, 128, { fit: 'inside' }).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) return { transparent: false, alphaOnly: false };
  let transparentPixels = 0;
  let n = 0;
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3]! < 250) transparentPixels++;
    if (data[i + 3]! < 16) continue;
    n++;
    for (let c = 0; c < 3; c++) {
      sum[c]! += data[i + c]!;
      sq[c]! += data[i + c]! ** 2;
    }
  }
  const transparent = transparentPixels > data.length / 4 / 100;
  const spread = n ? Math.max(...[0, 1, 2].map((c) => Math.sqrt(Math.max(0, sq[c]! / n - (sum[c]! / n) ** 2)))) : 0;
  return { transparent, alphaOnly: transparent && spread < 12 };
}

/** Side of the grey thumbnails the duplicate check compares, and the largest mean difference (of 255) that is one picture. */
const SAME_SIDE = 32;
const SAME_PICTURE_MEAN_DIFFERENCE = 6; // of 255, over R, G and B: colourways stay apart
/** ... and the least correlation of the two grids: a mean difference alone calls any two sparse line drawings one picture. */
const SAME_PICTURE_CORRELATION = 0.95;

interface PictureSample {
  aspect: number;
  /** The picture's R, G and B squashed to a square, flattened on mid-grey (so alpha-only shapes show). */
  channels: Float32Array[];
  squareSide: number;
}

/**
 * Drops each work whose picture is, pixel for pixel, another's: after both are shrunk to 32 × 32 RGB
 * grids (the wider first cut to the narrower's aspect around its centre), a mean absolute difference of
 * at most 6 and a correlation of at least 0.95. This criterion looks at pixels only, never at the
 * hashes the benchmark measures.
 */
async function mergeSamePictures(works: CorpusWork[]): Promise<{ kept: CorpusWork[]; merged: string[] }> {
  const samples = await Promise.all(works.map((w) => pictureSample(w.bytes)));
  const kept: number[] = [];
  const merged: string[] = [];
  for (let i = 0; i < works.length; i++) {
    const same = (k: number) => {
      const d = pictureDifference(samples[k]!, samples[i]!);
      return d.meanDifference <= SAME_PICTURE_MEAN_DIFFERENCE && d.correlation >= SAME_PICTURE_CORRELATION;
    };
    const twin = kept.find(same);
    if (twin === undefined) {
      kept.push(i);
      continue;
    }
    const d = pictureDifference(samples[twin]!, samples[i]!);
    merged.push(
      `${works[i]!.name} = ${works[twin]!.name} (mean difference ${d.meanDifference.toFixed(1)}, correlation ${d.correlation.toFixed(3)})`,
    );
  }
  return { kept: kept.map((k) => works[k]!), merged };
}

const SAMPLE_SIDE = 96;
async function pictureSample(bytes: Buffer): Promise<PictureSample> {
  const meta = await sharp(bytes).metadata();
  const { data } = await sharp(bytes)
    .flatten({ background: '#808080' })
    .toColourspace('srgb')
    .resize(SAMPLE_SIDE, SAMPLE_SIDE, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = [0, 1, 2].map((c) => Float32Array.from({ length: SAMPLE_SIDE * SAMPLE_SIDE }, (_, p) => data[p * 3 + c]!));
  return { aspect: (meta.width ?? 1) / (meta.height ?? 1), channels, squareSide: SAMPLE_SIDE };
}

function pictureDifference(a: PictureSample, b: PictureSample): { meanDifference: number; correlation: number } {
  // The centred part of each squashed square that has the aspect both share.
  const aspect = Math.min(a.aspect, b.aspect) / Math.max(a.aspect, b.aspect);
  if (aspect < 0.5) return { meanDifference: Number.POSITIVE_INFINITY, correlation: 0 };
  const cut = (p: PictureSample, other: PictureSample) =>
    p.aspect > other.aspect
      ? { x: (1 - aspect) / 2, w: aspect, y: 0, h: 1 }
      : p.aspect < other.aspect
        ? { x: 0, w: 1, y: (1 - aspect) / 2, h: aspect }
        : { x: 0, w: 1, y: 0, h: 1 };
  const ga = resample(a, cut(a, b));
  const gb = resample(b, cut(b, a));
  if (ga.length !== gb.length) throw new Error('samples of different sizes');
  const n = ga.length;
  let sum = 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    sum += Math.abs(ga[i]! - gb[i]!);
    ma += ga[i]!;
    mb += gb[i]!;
  }
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (ga[i]! - ma) * (gb[i]! - mb);
    aa += (ga[i]! - ma) ** 2;
    bb += (gb[i]! - mb) ** 2;
  }
  // Two flat grids are one picture when their levels agree (the mean difference decides).
  const correlation = aa === 0 || bb === 0 ? (aa === bb ? 1 : 0) : ab / Math.sqrt(aa * bb);
  return { meanDifference: sum / n, correlation };
}

/** SAME_SIDE² box-averaged grids (R, G, B one after the other) over a part of the sample (fractions of its side). */
function resample(p: PictureSample, part: { x: number; y: number; w: number; h: number }): Float32Array {
  const cells = SAME_SIDE * SAME_SIDE;
  const out = new Float32Array(cells * p.channels.length);
  for (const [c, plane] of p.channels.entries()) out.set(resamplePlane(plane, p.squareSide, part), c * cells);
  return out;
}

function resamplePlane(square: Float32Array, n: number, part: { x: number; y: number; w: number; h: number }): Float32Array {
  const out = new Float32Array(SAME_SIDE * SAME_SIDE);
  for (let gy = 0; gy < SAME_SIDE; gy++) {
    const y0 = Math.floor((part.y + (part.h * gy) / SAME_SIDE) * n);
    const y1 = Math.max(y0 + 1, Math.floor((part.y + (part.h * (gy + 1)) / SAME_SIDE) * n));
    for (let gx = 0; gx < SAME_SIDE; gx++) {
      const x0 = Math.floor((part.x + (part.w * gx) / SAME_SIDE) * n);
      const x1 = Math.max(x0 + 1, Math.floor((part.x + (part.w * (gx + 1)) / SAME_SIDE) * n));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += square[y * n + x]!;
      out[gy * SAME_SIDE + gx] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}
