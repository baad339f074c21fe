import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { flattenOnto, hasTransparency } from './alpha.ts';
import { decodeImage, type DecodedImage } from './decode.ts';
import { CLIPPED_SHARE, clipBrightest, halfLightnessPlane } from './lightness.ts';
import { dihedralVariantsOfPlane, hammingDistance, lumaFromPixels, pdqFromLuma, pdqOfWindows } from './pdq.ts';
import { contentWindow, cropWindows } from './regions.ts';
import type { Fingerprint, ImageLimits, LabelledHash } from './types.ts';

/** Background a transparent image is composited on for its main hash (re-posts mostly land on white). */
const PRIMARY_BACKGROUND = 255;
/** The black flatten and the lightness hashes are stored only when they differ this much from the global hash. */
const DISTINCT_VARIANT_BITS = 16;

/**
 * SHA-256, PDQ with its 8 dihedral variants, region hashes and a WebP thumbnail, all from one decode.
 * Throws AppError for unsupported, corrupt or oversized input.
 */
export async function fingerprintImage(bytes: Buffer, limits: ImageLimits): Promise<Fingerprint> {
  const decoding = decodeImage(bytes, limits);
  // Hashing the bytes on this thread overlaps with sharp decoding on the libuv pool.
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const decoded = await decoding;
  const thumbnailing = makeThumbnail(decoded); // encodes on the pool while the hashes are computed here
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
    thumbnail,
  };
}

export interface PixelHashes {
  global: LabelledHash;
  variants: LabelledHash[];
  regions: LabelledHash[];
}

/** All perceptual hashes of decoded pixels (pure computation; exported for the benchmarks). */
export function hashPixels(decoded: Pick<DecodedImage, 'pixels'>): PixelHashes {
  const { data, width, height, channels } = decoded.pixels;
  const transparent = channels === 4 && hasTransparency(data);
  const rgb = transparent ? flattenOnto(data, PRIMARY_BACKGROUND) : data;
  const luma = lumaFromPixels(rgb, width, height, transparent ? 3 : channels);

  // Each variant is exactly the hash of the rotated or flipped image (see dihedralVariantsOfPlane).
  const variants: LabelledHash[] = dihedralVariantsOfPlane(luma, width, height);
  const global = variants[0]!;
  const trimmed = contentWindow(luma, width, height);
  const windows = [...cropWindows(width, height), ...(trimmed ? [trimmed] : [])];
  const regions: LabelledHash[] = pdqOfWindows(luma, width, height, windows).map((r, i) => ({ label: windows[i]!.label, hash: r.hash, quality: r.quality }));

  const plane = halfLightnessPlane(rgb, width, height, transparent ? 3 : channels);
  // Both lightness hashes are kept only where they add something: a copy within 16 bits of a kept hash
  // is already found through it.
  const kept = [global.hash];
  const keepIfDistinct = (label: string, h: { hash: string; quality: number }) => {
    if (kept.every((k) => hammingDistance(h.hash, k) > DISTINCT_VARIANT_BITS)) {
      regions.push({ label, hash: h.hash, quality: h.quality });
      kept.push(h.hash);
    }
  };
  keepIfDistinct('lightness', pdqFromLuma(plane.data, plane.width, plane.height));
  keepIfDistinct('lightness-clipped', pdqFromLuma(clipBrightest(plane.data, CLIPPED_SHARE), plane.width, plane.height));

  if (transparent) {
    // Re-posts land on white (the main hash) or black. sharp resizes premultiplied, so the colour hidden
    // under transparent pixels is gone here: copies that reveal it by dropping alpha are not covered.
    const onBlack = pdqFromLuma(lumaFromPixels(flattenOnto(data, 0), width, height, 3), width, height);
    if (hammingDistance(onBlack.hash, global.hash) > DISTINCT_VARIANT_BITS) {
      regions.push({ label: 'alpha-black', hash: onBlack.hash, quality: onBlack.quality });
    }
  }
  return { global, variants, regions };
}

function makeThumbnail(decoded: DecodedImage): Promise<Buffer> {
  const { data, width, height, channels } = decoded.pixels;
  return sharp(data, { raw: { width, height, channels } }).webp({ quality: 80, effort: 0 }).toBuffer();
}
