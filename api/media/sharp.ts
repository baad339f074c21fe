import sharp from 'sharp';

/** Interleaved 8-bit pixels as libvips hands them over. */
export interface RawPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export interface ShrinkOptions {
  /** Longest side of the result; smaller images are not enlarged. */
  size: number;
  /** libvips refuses inputs with more pixels than this (limitInputPixels). */
  maxPixels: number;
}

/**
 * Decodes once: EXIF-oriented, shrunk on load inside `size` px, first frame only, 8-bit sRGB. libvips
 * reads sequentially and refuses structural errors (failOn 'error') while tolerating benign warnings
 * such as trailing bytes. Rejects with the decoder's own error.
 */
export async function decodeOrientedShrunk(bytes: Buffer, options: ShrinkOptions): Promise<RawPixels> {
  const input = { limitInputPixels: options.maxPixels, sequentialRead: true, failOn: 'error', pages: 1 } as const;
  const { data, info } = await sharp(bytes, input)
    .rotate()
    .resize({ width: options.size, height: options.size, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** Raw pixels as a WebP; `effort: 0` because a thumbnail is encoded on every registration. */
export function encodeWebp(pixels: RawPixels, quality: number): Promise<Buffer> {
  const { data, width, height, channels } = pixels;
  return sharp(data, { raw: { width, height, channels } }).webp({ quality, effort: 0 }).toBuffer();
}

/** The EXIF block libvips finds in a file (with its "Exif\0\0" prefix, if any), or undefined. Rejects on unreadable input. */
export async function embeddedExif(bytes: Buffer): Promise<Buffer | undefined> {
  return (await sharp(bytes).metadata()).exif;
}
