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

export async function collectCorpus(extracted: string): Promise<CorpusWork[]> {
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
