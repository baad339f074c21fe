import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';

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
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
