import { createHash } from 'node:crypto';
import { encodeWebp } from '../media/sharp.ts';
import { borderColour, flattenOnto, hasTransparency, ON_WHITE_LABEL, reflattenedOnWhite, type Rgb, copyBackground } from './alpha.ts';
import { decodeImage, type DecodedImage } from './decode.ts';
import { colourLayout } from './colour-layout.ts';
import { toneLayout, type ToneLayout } from './tone-layout.ts';
import { structureHashes, type StructureHash } from './structure.ts';
import { CLIPPED_SHARE, halfLightnessModulePlane } from './lightness.ts';
import { hammingDistance, hashPlane, lumaFromPixels, ModulePlane, pdqFromLuma, pdqOfPlane } from './pdq.ts';
import { framedWindow } from './frame.ts';
import type { GreyPlane } from './keypoints.ts';
import {
  anchoredWindows,
  partWindows,
  contentWindow,
  cropWindows,
  pageWindow,
  shiftedWindows,
  viewWindows,
  type Window,
} from './regions.ts';
import { filledRotation, fittedViews, halvedTo, type Plane, TURNED_LABEL, turnedWindow, uprightSize } from './rotation.ts';
import type { Fingerprint, FingerprintOptions, ImageLimits, LabelledHash, ThumbnailedFingerprint } from './types.ts';

/** Background a transparent image is composited on for its main hash (re-posts mostly land on white). */
const PRIMARY_BACKGROUND = 255;
const THUMBNAIL_QUALITY = 80;
/** The black flatten and the lightness hashes are stored only when they differ this much from the global hash. */
const DISTINCT_VARIANT_BITS = 16;

/**
 * SHA-256, PDQ with its 8 dihedral variants, region hashes and, when asked for, a WebP thumbnail, all
 * from one decode, with the header read on this thread: for bytes Aura trusts (tests, the CLI, benchmarks).
 * Uploads go through api/uploads/ingest.ts. Throws AppError for unsupported, corrupt or oversized input.
 */
export async function fingerprintImage(bytes: Buffer, limits: ImageLimits, options: { thumbnail: true }): Promise<ThumbnailedFingerprint>;
export async function fingerprintImage(bytes: Buffer, limits: ImageLimits, options?: FingerprintOptions): Promise<Fingerprint>;
export async function fingerprintImage(
  bytes: Buffer,
  limits: ImageLimits,
  options: FingerprintOptions = { thumbnail: false },
): Promise<Fingerprint> {
  return fingerprintDecoding(bytes, decodeImage(bytes, limits), options);
}

/** The fingerprint of `bytes` from their decode, already under way: SHA-256 is hashed here meanwhile. */
export async function fingerprintDecoding(
  bytes: Buffer,
  decoding: Promise<DecodedImage>,
  options: FingerprintOptions,
): Promise<Fingerprint> {
  // Hashing the bytes on this thread overlaps with sharp decoding on the libuv pool.
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const decoded = await decoding;
  const thumbnailing = options.thumbnail ? encodeThumbnail(decoded) : undefined; // encodes on the pool while the hashes are computed here
  const hashes = hashPixels(decoded);
  const thumbnail = await thumbnailing;
  return {
    sha256,
    pdq: hashes.global.hash,
    pdqQuality: hashes.global.quality,
    width: decoded.width,
    height: decoded.height,
    format: decoded.format,
    variants: hashes.variants,
    regions: hashes.regions,
    colourLayout: hashes.colourLayout,
    working: hashes.working,
    tones: hashes.tones,
    structure: hashes.structure,
    windows: hashes.windows,
    ...(hashes.background ? { background: hashes.background } : {}),
    ...(thumbnail ? { thumbnail } : {}),
  };
}

export interface PixelHashes {
  global: LabelledHash;
  variants: LabelledHash[];
  regions: LabelledHash[];
  colourLayout: string | undefined;
  /** The working copy's luma (flattened on white), for the local-feature check. */
  working: GreyPlane;
  tones: ToneLayout;
  structure: StructureHash[];
  /** The colour of most of an opaque picture's border (alpha.ts copyBackground). */
  background: Rgb | undefined;
  /** The windows the region hashes were taken of, by label, in the working copy's pixels. */
  windows: Record<string, Window>;
}

/** Interleaved 8-bit pixels: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA (decoded images are 3 or 4). */
export type Pixels = Omit<DecodedImage['pixels'], 'channels'> & { channels: 1 | 2 | 3 | 4 };

/** All perceptual hashes of decoded pixels (pure computation; exported for the benchmarks and tests). */
export function hashPixels(decoded: { pixels: Pixels }): PixelHashes {
  const { data, width, height } = decoded.pixels;
  const { rgb, channels, transparent } = opaquePixels(decoded.pixels);
  const luma = ModulePlane.lumaOfPixels(rgb, width, height, channels);
  const working = greyOf(luma.view(), width, height);

  const trimmed = contentWindow(luma.view(), width, height);
  const framed = framedWindow(luma.view(), width, height);
  const paged = pageWindow(luma.view(), width, height);
  const windows = [
    ...cropWindows(width, height),
    ...(trimmed ? [trimmed] : []),
    ...(framed ? [framed] : []),
    ...(paged ? [paged] : []),
    ...anchoredWindows(width, height),
    ...partWindows(width, height),
    ...viewWindows(width, height),
    ...shiftedWindows(width, height),
  ];
  // Each variant is exactly the hash of the rotated or flipped image (see dihedralVariantsOfPlane).
  const plane = hashPlane(luma, windows);
  const variants: LabelledHash[] = plane.variants;
  const global = variants[0]!;
  const regions: LabelledHash[] = plane.windows.map((r, i) => ({ label: windows[i]!.label, hash: r.hash, quality: r.quality }));
  // Each hash below takes the kernels' memory, replacing the luma plane: the turned views read a copy.
  const upright: Plane = { values: luma.view().slice(), width, height };
  regions.push(...turnedHashes(upright));
  regions.push(...fittedTurnHashes(upright));
  regions.push(...lightnessHashes({ data: rgb, width, height, channels }, global.hash));

  if (transparent) regions.push(...flattenHashes(data, width, height, global.hash));
  const border = transparent ? undefined : borderColour(rgb, width, height, channels);
  // What a transparent work's copy was most likely flattened on: put back on white, and the work's colours seen on it.
  const background = copyBackground(border);
  if (background) regions.push(...onWhiteHashes({ data: rgb, width, height, channels }, background));
  return {
    global,
    variants,
    regions,
    colourLayout: colourLayout(rgb, width, height, channels),
    working,
    tones: toneLayout(data, width, height, decoded.pixels.channels),
    // The working grey, not luma.view(): later planes (the lightness hashes) replace the luma plane.
    structure: structureHashes(working.data, decoded.pixels, transparent),
    background,
    windows: Object.fromEntries(windows.map((w) => [w.label, w])),
  };
}

/** The luma of decoded pixels as hashed (flattened on white), 8-bit: what the local-feature check compares. */
export function workingGrey(decoded: { pixels: Pixels }): GreyPlane {
  const { width, height } = decoded.pixels;
  const { rgb, channels } = opaquePixels(decoded.pixels);
  return greyOf(lumaFromPixels(rgb, width, height, channels), width, height);
}

/** The structure hashes of decoded pixels (api/images/structure.ts), as hashPixels takes them: for backfills. */
export function workingStructure(decoded: { pixels: Pixels }): StructureHash[] {
  const { transparent } = opaquePixels(decoded.pixels);
  return structureHashes(workingGrey(decoded).data, decoded.pixels, transparent);
}

function greyOf(luma: Float32Array, width: number, height: number): GreyPlane {
  // A clamped array rounds and clamps as it copies, natively.
  const grey = new Uint8ClampedArray(width * height);
  grey.set(luma.subarray(0, width * height));
  return { data: new Uint8Array(grey.buffer), width, height };
}

/** The pixels as hashed: an image with transparent pixels flattened on white (3 channels). */
export function opaquePixels(pixels: Pixels): { rgb: Uint8Array; channels: number; transparent: boolean } {
  const transparent = pixels.channels === 4 && hasTransparency(pixels.data);
  return transparent
    ? { rgb: flattenOnto(pixels.data, PRIMARY_BACKGROUND), channels: 3, transparent }
    : { rgb: pixels.data, channels: pixels.channels, transparent };
}

/**
 * A transparent image's flattens besides the white one (the global hash): on black ('alpha-black') and
 * on mid-grey ('alpha-grey'), each kept when more than 16 bits from every hash kept before it. Flattened
 * on a background of luma B, a picture's luma is (1 − B/255) × its black flatten + B/255 × its white
 * flatten, so these three stand for every background colour (docs/matching.md). sharp resizes
 * premultiplied, so the colour hidden under transparent pixels is gone here: copies that reveal it by
 * dropping alpha are not covered.
 */
export function flattenHashes(rgba: Uint8Array, width: number, height: number, whiteHash: string): LabelledHash[] {
  const kept = [whiteHash];
  const hashes: LabelledHash[] = [];
  for (const [label, background] of FLATTENS) {
    const h = pdqFromLuma(lumaFromPixels(flattenOnto(rgba, background), width, height, 3), width, height);
    if (kept.every((k) => hammingDistance(h.hash, k) > DISTINCT_VARIANT_BITS)) {
      hashes.push({ label, hash: h.hash, quality: h.quality });
      kept.push(h.hash);
    }
  }
  return hashes;
}
const FLATTENS: readonly [string, number][] = [
  ['alpha-black', 0],
  ['alpha-grey', 128],
];

/**
 * A copy on a coloured uniform background (a transparent work flattened on it) put back on white
 * (alpha.ts reflattenedOnWhite): compared with the work's whole image, never stored.
 */
function onWhiteHashes(pixels: { data: Uint8Array; width: number; height: number; channels: number }, background: Rgb): LabelledHash[] {
  const { width, height } = pixels;
  const onWhite = reflattenedOnWhite(pixels.data, width, height, pixels.channels, background);
  if (!onWhite) return [];
  const { hash, quality } = pdqFromLuma(lumaFromPixels(onWhite, width, height, 3), width, height);
  return [{ label: ON_WHITE_LABEL, hash, quality }];
}

/**
 * The lightness hashes worth storing besides the global hash (api/images/lightness.ts): 'lightness'
 * and 'lightness-clipped', each only when more than 16 bits from every hash kept before it — a copy
 * within 16 bits of a kept hash is already found through that one.
 */
export function lightnessHashes(
  pixels: { data: Uint8Array; width: number; height: number; channels: number },
  globalHash: string,
): LabelledHash[] {
  const plane = halfLightnessModulePlane(pixels.data, pixels.width, pixels.height, pixels.channels);
  const kept = [globalHash];
  const hashes: LabelledHash[] = [];
  const keepIfDistinct = (label: string, h: { hash: string; quality: number }) => {
    if (kept.every((k) => hammingDistance(h.hash, k) > DISTINCT_VARIANT_BITS)) {
      hashes.push({ label, hash: h.hash, quality: h.quality });
      kept.push(h.hash);
    }
  };
  keepIfDistinct('lightness', pdqOfPlane(plane));
  // clipBrightest works in place, so it runs after the plain hash is taken.
  keepIfDistinct('lightness-clipped', pdqOfPlane(plane.clipBrightest(CLIPPED_SHARE)));
  return hashes;
}

/**
 * A copy rotated by a few degrees on a canvas grown to fit, its corners filled with one colour, turned
 * back upright (api/images/rotation.ts): compared with the work's whole image, never stored.
 */
function turnedHashes(plane: Plane): LabelledHash[] {
  const degrees = filledRotation(plane);
  if (degrees === undefined) return [];
  const size = uprightSize(plane.width, plane.height, degrees);
  if (size.width < MIN_TURNED_SIDE || size.height < MIN_TURNED_SIDE) return [];
  const upright = turnedWindow(plane, degrees, size.width, size.height);
  const { hash, quality } = pdqFromLuma(upright.values, upright.width, upright.height);
  return [{ label: TURNED_LABEL, hash, quality }];
}
const MIN_TURNED_SIDE = 32;

/**
 * The copy turned back by each of a few angles (rotation.ts fittedViews), in case it was turned by a few
 * degrees and cropped to fit: each view shows what one of the work's stored centred windows would.
 * Query hashes only, compared with the work's centred windows. Taken on the plane halved to 160–320 px:
 * PDQ samples 64 × 64, and a 128-px plane lost 10 of the 250 copies turned 3° and cropped to fit that
 * this finds (docs/matching.md).
 */
function fittedTurnHashes(full: Plane): LabelledHash[] {
  const plane = halvedTo(full, FITTED_PLANE_SIDE);
  return fittedViews(plane.width, plane.height).flatMap(({ label, degrees, share }) => {
    const w = plane.width * share;
    const h = plane.height * share;
    if (w < MIN_TURNED_SIDE || h < MIN_TURNED_SIDE) return [];
    const view = turnedWindow(plane, degrees, w, h);
    const { hash, quality } = pdqFromLuma(view.values, view.width, view.height);
    return [{ label, hash, quality }];
  });
}
const FITTED_PLANE_SIDE = 320;

/**
 * Some windows alone (by default the side and corner windows, regions.ts anchoredWindows), for the
 * backfill of works registered before they were stored.
 */
export function anchoredHashes(
  decoded: { pixels: Pixels },
  windowsOf: (width: number, height: number) => Window[] = anchoredWindows,
): LabelledHash[] {
  const { width, height } = decoded.pixels;
  const { rgb, channels } = opaquePixels(decoded.pixels);
  const windows = windowsOf(width, height);
  if (windows.length === 0) return [];
  const plane = hashPlane(ModulePlane.lumaOfPixels(rgb, width, height, channels), windows);
  return plane.windows.map((r, i) => ({ label: windows[i]!.label, hash: r.hash, quality: r.quality }));
}

/** Thumbnails are Aura's own ≤ 512-px WebP files; these limits only guard against a corrupted row. */
const THUMBNAIL_LIMITS: ImageLimits = { maxBytes: 8 * 1024 * 1024, maxPixels: 1024 * 1024 };

/** A stored thumbnail's grey plane, as the local-feature check compares it with a query's working copy. */
export async function thumbnailGrey(thumbnail: Buffer): Promise<GreyPlane> {
  return workingGrey(await decodeImage(thumbnail, THUMBNAIL_LIMITS));
}

/**
 * The colour layout of a transparent work's stored thumbnail flattened on `background` (a copy's border
 * colour): the work's colours as they look on what the copy was flattened on. Undefined for an opaque
 * thumbnail, whose stored layout already is its colours.
 */
export async function thumbnailLayoutOn(thumbnail: Buffer, background: Rgb): Promise<string | undefined> {
  const { data, width, height, channels } = (await decodeImage(thumbnail, THUMBNAIL_LIMITS)).pixels;
  if (channels !== 4 || !hasTransparency(data)) return undefined;
  return colourLayout(flattenOnto(data, background), width, height, 3);
}

/** A stored thumbnail's tone layout, as colourways are told from copies and close candidates ranked. */
export async function thumbnailTones(thumbnail: Buffer): Promise<ToneLayout> {
  const { data, width, height, channels } = (await decodeImage(thumbnail, THUMBNAIL_LIMITS)).pixels;
  return toneLayout(data, width, height, channels);
}

/** The WebP thumbnail of the 512-px working copy (exported for the benchmark). */
export function encodeThumbnail(decoded: DecodedImage): Promise<Buffer> {
  return encodeWebp(decoded.pixels, THUMBNAIL_QUALITY);
}
