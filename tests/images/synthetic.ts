import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { PNG_SIGNATURE, ihdrChunk, pngChunk } from '../helpers/png.ts';
import { decodeImage } from '../../api/images/decode.ts';
import { opaquePixels } from '../../api/images/fingerprint.ts';
import { lumaFromPixels } from '../../api/images/pdq.ts';
import { renderArtwork, rng } from '../../scripts/lib/artwork.ts';

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

/** The picture scaled into a browser-like window: a grey title bar with an address field, light margins. */
export async function screenshotOf(
  picture: Buffer,
  pictureWidth: number,
): Promise<{ bytes: Buffer; box: { x: number; y: number; width: number } }> {
  const inner = await sharp(picture).resize({ width: pictureWidth }).png().toBuffer();
  const { height: h = 0 } = await sharp(inner).metadata();
  const W = Math.round(pictureWidth / 0.8);
  const bar = Math.round(h * 0.12);
  const H = h + bar + Math.round(h * 0.1);
  const chrome = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${bar}" fill="#dfe1e5"/><rect x="${W * 0.15}" y="${bar * 0.25}" width="${W * 0.6}" height="${bar * 0.5}" rx="${bar * 0.25}" fill="white"/><circle cx="${bar * 0.5}" cy="${bar * 0.5}" r="${bar * 0.15}" fill="#ff5f57"/></svg>`,
  );
  const x = Math.round((W - pictureWidth) / 2);
  const y = bar + Math.round(h * 0.04);
  const bytes = await sharp({ create: { width: W, height: H, channels: 3, background: '#f7f7f7' } })
    .composite([{ input: chrome }, { input: inner, left: x, top: y }])
    .jpeg({ quality: 85 })
    .toBuffer();
  return { bytes, box: { x, y, width: pictureWidth } };
}

/** The luma plane of an image's 512-px working copy, as the fingerprint sees it (transparency flattened on white). */
export async function workingLuma(bytes: Buffer): Promise<{ values: Float32Array; width: number; height: number }> {
  const decoded = await decodeImage(bytes, { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 });
  const { rgb, channels } = opaquePixels(decoded.pixels);
  const { width, height } = decoded.pixels;
  return { values: lumaFromPixels(rgb, width, height, channels), width, height };
}

/**
 * A copy rotated by `degrees` (clockwise) and cut to an upright rectangle inside the rotated picture
 * (the middle `keep` share of each side of the grown canvas), so that no filled corner is left.
 */
export async function rotatedAndCropped(bytes: Buffer, degrees: number, keep: { width: number; height: number }): Promise<Sharp> {
  const turned = sharp(await sharp(bytes).rotate(degrees, { background: '#000' }).png().toBuffer());
  const { width, height } = await turned.metadata();
  const w = Math.round(width! * keep.width);
  const h = Math.round(height! * keep.height);
  return turned.extract({ left: Math.round((width! - w) / 2), top: Math.round((height! - h) / 2), width: w, height: h });
}

/** One design in gold and in silver (greys of its own, darker), with a transparent window in the middle like a picture frame. */
export async function goldAndSilverFrames(seed: number): Promise<{ gold: Buffer; silver: Buffer }> {
  const grey = await sharp(await renderArtwork(seed, { width: 900, height: 700 }))
    .greyscale()
    .png()
    .toBuffer();
  const framed = async (image: Sharp) => {
    const rgb = await image.toColourspace('srgb').removeAlpha().raw().toBuffer();
    const rgba = Buffer.alloc(900 * 700 * 4);
    for (let p = 0; p < 900 * 700; p++) {
      const [x, y] = [p % 900, Math.floor(p / 900)];
      rgba.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = x >= 250 && x < 650 && y >= 200 && y < 500 ? 0 : 255;
    }
    return sharp(rgba, { raw: { width: 900, height: 700, channels: 4 } })
      .png()
      .toBuffer();
  };
  return { gold: await framed(sharp(grey).tint('#d4af37')), silver: await framed(sharp(grey).linear(1, -20)) };
}

/**
 * A near-flat wallpaper: one soft radial glow, nothing else (like a desktop background). Its PDQ hash is
 * degenerate (quality 0): only its structure hash (api/images/structure.ts) sees it.
 */
export function softGlow(cx: number, cy: number, inner: string, outer: string, width = 1200, height = 800): Sharp {
  return sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><radialGradient id="g" cx="${cx}" cy="${cy}" r="0.9"><stop offset="0" stop-color="${inner}"/><stop offset="1" stop-color="${outer}"/></radialGradient></defs><rect width="${width}" height="${height}" fill="url(#g)"/></svg>`,
    ),
  );
}

/**
 * A yellow square in a thin red ring on a transparent 600-px canvas: the ring's cells are mostly
 * see-through, so a background it is flattened on shows there.
 */
export function ringedEmblem(): Promise<Buffer> {
  return sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><circle cx="300" cy="300" r="265" fill="none" stroke="#d22a2a" stroke-width="24"/><rect x="150" y="150" width="300" height="300" fill="#f0b429"/></svg>',
    ),
  )
    .png()
    .toBuffer();
}

/** A round red "LOGO" sticker over the bottom-right corner, 8 % of a `width` × `height` picture's area (an SVG overlay). */
export function cornerSticker(width: number, height: number): Buffer {
  const r = Math.round(Math.sqrt((0.08 * width * height) / Math.PI));
  const [cx, cy] = [width - Math.round(r * 1.1), height - Math.round(r * 1.1)];
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><circle cx="${cx}" cy="${cy}" r="${r}" fill="#e8452c"/><text x="${cx}" y="${cy + Math.round(r * 0.15)}" text-anchor="middle" font-family="sans-serif" font-size="${Math.round(r * 0.45)}" fill="white">LOGO</text></svg>`,
  );
}

/** A painting cut out to an ellipse and a box on a transparent 600 × 450 canvas: detail up to its see-through surround. */
export async function cutOutPainting(seed: number): Promise<Buffer> {
  const mask = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="450"><ellipse cx="300" cy="225" rx="230" ry="170"/><rect x="40" y="330" width="160" height="90"/></svg>',
  );
  return sharp(await renderArtwork(seed, { width: 600, height: 450 }))
    .ensureAlpha()
    .composite([{ input: mask, blend: 'dest-in' }])
    .png()
    .toBuffer();
}

/** A many-pointed star drawn as a thin black outline on a white 800-px square: every point's corner looks alike to ORB. */
export function starOutline(points: number, inner: number): Promise<Buffer> {
  const corners = Array.from({ length: points * 2 }, (_, i) => {
    const [r, a] = [i % 2 ? inner : 380, (Math.PI * i) / points];
    return `${400 + r * Math.sin(a)},${400 - r * Math.cos(a)}`;
  });
  return sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800"><rect width="800" height="800" fill="white"/><polygon points="${corners.join(' ')}" fill="none" stroke="black" stroke-width="3"/></svg>`,
    ),
  )
    .png()
    .toBuffer();
}

/** A social network's re-post: 4 % off the left and the right, 2 % off the top, 6 % off the bottom, 600 px wide, JPEG quality 60. */
export async function socialRepost(bytes: Buffer): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  const crop = {
    left: Math.round(width * 0.04),
    top: Math.round(height * 0.02),
    width: Math.round(width * 0.92),
    height: Math.round(height * 0.92),
  };
  return sharp(await sharp(bytes).extract(crop).png().toBuffer())
    .resize(600)
    .jpeg({ quality: 60 })
    .toBuffer();
}

/**
 * A fine regular grid of dots inside a white margin. Its centred windows have no low-frequency content,
 * so PDQ hashes them to the flat checkerboard, yet at quality 100 (the 64 × 64 plane has gradients).
 */
export async function dotGrid(size: number, step: number, radius: number, colour: string): Promise<Buffer> {
  const margin = Math.round(size * 0.06);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><defs><pattern id="p" width="${step}" height="${step}" patternUnits="userSpaceOnUse"><circle cx="${step / 2}" cy="${step / 2}" r="${radius}" fill="${colour}"/></pattern></defs><rect width="100%" height="100%" fill="#fff"/><rect x="${margin}" y="${margin}" width="${size - 2 * margin}" height="${size - 2 * margin}" fill="url(#p)"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/**
 * A small sprite in the manner of pixel art: rectangles of colour on a light ground, every pixel dithered
 * (its own random shade), so the picture's detail is one pixel wide. Deterministic for a seed.
 */
export function ditheredSprite(width: number, height: number, seed: number): Sharp {
  const random = rng(seed);
  const data = Buffer.alloc(width * height * 3, 0xf0);
  for (let n = 0; n < 40; n++) {
    const [x0, y0] = [Math.floor(random() * width), Math.floor(random() * height)];
    const [w, h] = [4 + Math.floor(random() * width * 0.25), 4 + Math.floor(random() * height * 0.25)];
    const colour = [random(), random(), random()].map((c) => 40 + c * 200);
    for (let y = y0; y < Math.min(height, y0 + h); y++)
      for (let x = x0; x < Math.min(width, x0 + w); x++) {
        const shade = random() < 0.5 ? 0.55 : 1;
        for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = clamp(colour[c]! * shade);
      }
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
}
