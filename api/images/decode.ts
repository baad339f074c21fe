import { AppError } from '../errors.ts';
import { type ImageHeader, readImageHeader } from '../media/image-size.ts';
import { decodeOrientedShrunk } from '../media/sharp.ts';
import { ACCEPTED_FORMATS_TEXT, sniffFormat } from './formats.ts';
import type { ImageFormat, ImageLimits } from './types.ts';

/** Longest side of the working copy every fingerprint and the thumbnail are computed from. */
export const WORKING_SIZE = 512;

export interface DecodedImage {
  format: ImageFormat;
  /** Dimensions of the full image after EXIF orientation. */
  width: number;
  height: number;
  /** The oriented image shrunk inside WORKING_SIZE px: 8-bit sRGB, 3 channels, or 4 with alpha. */
  pixels: { data: Buffer; width: number; height: number; channels: 3 | 4 };
}

/** The type image-size reports for each format. */
const HEADER_TYPES: Record<ImageFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
  tiff: 'tiff',
  gif: 'gif',
};

/**
 * Reads an image header. It parses attacker bytes, so the server runs it in the parser pool
 * (api/uploads); `readHeaderHere` is for bytes Aura made itself (stored thumbnails).
 * Resolves to undefined when the header cannot be read.
 */
export type HeaderReader = (bytes: Buffer) => Promise<ImageHeader | undefined>;

/** The header read in JavaScript on this thread (a libvips pass just for this costs ~1 ms of CPU). */
export const readHeaderHere: HeaderReader = async (bytes) => readImageHeader(bytes);

/** Size and magic bytes: the checks made before any parser sees the file. Throws AppError (413/415/422). */
export function acceptedFormat(bytes: Buffer, limits: ImageLimits): ImageFormat {
  if (bytes.length === 0) throw new AppError('image_unreadable', 'the uploaded file is empty');
  if (bytes.length > limits.maxBytes) {
    throw new AppError('image_too_large', `the image is ${formatMb(bytes.length)}; the limit is ${formatMb(limits.maxBytes)}`, {
      size: bytes.length,
      maxBytes: limits.maxBytes,
    });
  }
  const sniffed = sniffFormat(bytes);
  if (sniffed.kind === 'unsupported') {
    throw new AppError('unsupported_media_type', `${sniffed.name} images are not supported; send ${ACCEPTED_FORMATS_TEXT}`, {
      detected: sniffed.name,
    });
  }
  if (sniffed.kind === 'unknown') {
    throw new AppError('unsupported_media_type', `the file is not a recognised image; send ${ACCEPTED_FORMATS_TEXT}`);
  }
  return sniffed.format;
}

/** The full image's size after EXIF orientation, from its header. */
export interface HeaderSize {
  width: number;
  height: number;
}

/**
 * Checks size, container and pixel count from the header (a decompression bomb is refused before any
 * pixel is decoded), then decodes once: EXIF-oriented, shrunk on load, first frame only.
 */
export async function decodeImage(bytes: Buffer, limits: ImageLimits, readHeader: HeaderReader = readHeaderHere): Promise<DecodedImage> {
  const format = acceptedFormat(bytes, limits);
  const size = checkHeader(format, await readHeader(bytes), limits);
  return decodeWorkingCopy(bytes, format, size, limits);
}

/** The header limits: the container must be what the magic bytes said and the stored pixel count within the limit. Throws AppError. */
export function checkHeader(format: ImageFormat, header: ImageHeader | undefined, limits: ImageLimits): HeaderSize {
  if (!header) throw new AppError('image_unreadable', `the ${format.toUpperCase()} header could not be read`);
  if (header.type !== HEADER_TYPES[format]) {
    throw new AppError(
      'unsupported_media_type',
      `the file looks like ${format.toUpperCase()} but could not be read as one; send ${ACCEPTED_FORMATS_TEXT}`,
    );
  }
  const storedWidth = header.width;
  const storedHeight = header.height;
  if (!storedWidth || !storedHeight) throw new AppError('image_unreadable', `the ${format.toUpperCase()} header has no dimensions`);
  if (storedWidth * storedHeight > limits.maxPixels) {
    throw new AppError(
      'too_many_pixels',
      `the image is ${storedWidth}×${storedHeight} = ${storedWidth * storedHeight} pixels; the limit is ${limits.maxPixels}`,
      { width: storedWidth, height: storedHeight, maxPixels: limits.maxPixels },
    );
  }
  const swapsAxes = (header.orientation ?? 1) >= 5;
  return swapsAxes ? { width: storedHeight, height: storedWidth } : { width: storedWidth, height: storedHeight };
}

/** The working copy (sharp, on the libuv pool) of an image whose header passed checkHeader; libvips checks the pixel count again. */
export async function decodeWorkingCopy(bytes: Buffer, format: ImageFormat, size: HeaderSize, limits: ImageLimits): Promise<DecodedImage> {
  try {
    const pixels = await decodeOrientedShrunk(bytes, { size: WORKING_SIZE, maxPixels: limits.maxPixels });
    const { channels } = pixels;
    if (channels !== 3 && channels !== 4) throw new Error(`unexpected channel count ${channels}`);
    return { format, width: size.width, height: size.height, pixels: { ...pixels, channels } };
  } catch (error) {
    throw unreadable(format, error);
  }
}

function unreadable(format: ImageFormat, error: unknown): AppError {
  const reason = error instanceof Error ? firstLine(error.message) : 'unknown decoder error';
  if (/pixel limit/i.test(reason)) {
    return new AppError('too_many_pixels', 'the image has more pixels than the limit allows');
  }
  return new AppError('image_unreadable', `the ${format.toUpperCase()} image is corrupt or truncated and could not be decoded (${reason})`);
}

const firstLine = (message: string) => message.split('\n')[0]!.slice(0, 200);
const formatMb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
