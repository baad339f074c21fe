import { deflateSync } from 'node:zlib';
import { PNG_SIGNATURE, crc32, ihdrChunk, pngChunk, tEXt, withPngChunks } from '../helpers/png.ts';
import sharp from 'sharp';
import { renderArtwork } from '../../scripts/lib/artwork.ts';

/** Hostile image files, generated (never stored): broken, lying or oversized versions of real images. */

export { tEXt, withPngChunks };

export type Format = 'jpeg' | 'png' | 'webp' | 'avif' | 'tiff' | 'gif';
export const FORMATS: Format[] = ['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif'];

const samples = new Map<number, Promise<Record<Format, Buffer>>>();
export function sampleImages(seed = 5): Promise<Record<Format, Buffer>> {
  if (!samples.has(seed)) samples.set(seed, encodeSamples(seed));
  return samples.get(seed)!;
}

async function encodeSamples(seed: number): Promise<Record<Format, Buffer>> {
  const base = sharp(await renderArtwork(seed, { width: 256, height: 192 }));
  return {
    jpeg: await base.clone().jpeg().toBuffer(),
    png: await base.clone().png().toBuffer(),
    webp: await base.clone().webp().toBuffer(),
    avif: await base.clone().avif().toBuffer(),
    tiff: await base.clone().tiff().toBuffer(),
    gif: await base.clone().gif().toBuffer(),
  };
}

/** Rewrites the IHDR dimensions of a real PNG and fixes the CRC, so only the pixel count lies. */
export function pngClaimingSize(png: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(png);
  copy.writeUInt32BE(width, 16);
  copy.writeUInt32BE(height, 20);
  copy.writeUInt32BE(crc32(copy.subarray(12, 29)), 29);
  return copy;
}

/** A real 1×1 PNG. */
export const onePixelPng = () =>
  sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();

/**
 * A single-colour 1-bit greyscale PNG written by hand: width×height pixels in a few hundred kilobytes,
 * a decompression bomb for a decoder that does not check the header first.
 */
export function hugeFlatPng(width: number, height: number): Buffer {
  const row = Buffer.alloc(1 + Math.ceil(width / 8));
  const rows = Buffer.alloc(row.length * height);
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdrChunk(width, height, 1, 0),
    pngChunk('IDAT', deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** zTXt whose text inflates to `inflatedBytes`: a zip bomb in the metadata. */
export function zTxtBomb(keyword: string, inflatedBytes: number): Buffer {
  return pngChunk(
    'zTXt',
    Buffer.concat([Buffer.from(`${keyword}\0\0`, 'latin1'), deflateSync(Buffer.alloc(inflatedBytes, 0x41), { level: 9 })]),
  );
}

/** A JPEG with `count` APP1 segments of 64 KB each (EXIF/XMP-shaped garbage): gigantic metadata. */
export function jpegWithGiantApp1(jpeg: Buffer, count: number): Buffer {
  const segments: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const payload = Buffer.concat([
      Buffer.from(i % 2 ? 'http://ns.adobe.com/xap/1.0/\0' : 'Exif\0\0', 'latin1'),
      Buffer.alloc(65_000, 0x20 + (i % 90)),
    ]);
    const header = Buffer.from([0xff, 0xe1, 0, 0]);
    header.writeUInt16BE(payload.length + 2, 2);
    segments.push(header, payload);
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}

/** Overwrites bytes from `from` to `to` (fractions of the length) with a deterministic pattern. */
export function scramble(bytes: Buffer, from: number, to: number): Buffer {
  const copy = Buffer.from(bytes);
  for (let i = Math.floor(copy.length * from); i < Math.floor(copy.length * to); i++) copy[i] = (i * 131) & 255;
  return copy;
}

export const truncate = (bytes: Buffer, fraction: number) => bytes.subarray(0, Math.max(1, Math.floor(bytes.length * fraction)));
