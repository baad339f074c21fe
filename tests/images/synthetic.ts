import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { PNG_SIGNATURE, ihdrChunk, pngChunk } from '../helpers/png.ts';

/** A deterministic, structured RGB picture (smooth shapes and edges, like a painting, not noise). */
export function paintingPixels(width: number, height: number, seed = 1): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      const wave = Math.sin(u * (6 + seed) + seed) * Math.cos(v * (5 + 2 * seed) - seed);
      const disc = (u - 0.3 - 0.1 * seed) ** 2 + (v - 0.6) ** 2 < 0.04 ? 80 : 0;
      const bar = Math.floor((u + v * seed) * 7) % 2 === 0 ? 40 : 0;
      const o = (y * width + x) * 3;
      data[o] = clamp(120 + 90 * wave + disc);
      data[o + 1] = clamp(100 + 60 * Math.sin(v * 9 + seed) + bar);
      data[o + 2] = clamp(140 - 70 * wave + disc / 2 - bar);
    }
  }
  return data;
}

const clamp = (n: number) => Math.max(0, Math.min(255, Math.round(n)));

export function painting(width: number, height: number, seed = 1): Sharp {
  return sharp(paintingPixels(width, height, seed), { raw: { width, height, channels: 3 } });
}

/** A minimal valid PNG whose header claims the given size (a decompression bomb's header). */
export function pngWithHeader(width: number, height: number): Buffer {
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdrChunk(width, height, 8, 0),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
