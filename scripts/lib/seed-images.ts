import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { renderArtwork } from './artwork.ts';
import type { UploadFile } from './aura-client.ts';
import type { SeedWork } from './seed-plan.ts';

const extension = (format: 'png' | 'jpeg') => (format === 'png' ? 'png' : 'jpg');
const mime = (format: 'png' | 'jpeg') => `image/${format}`;

/** The final image of a work: deterministic, so a rerun uploads the very same bytes. */
export async function renderWork(work: SeedWork): Promise<UploadFile> {
  const bytes = await renderArtwork(work.imageSeed, { width: work.width, height: work.height, format: work.format });
  return { bytes, filename: `${work.key}.${extension(work.format)}`, type: mime(work.format) };
}

export async function renderStage(work: SeedWork, stage: number): Promise<UploadFile> {
  const bytes = await renderArtwork(work.imageSeed, { width: work.width, height: work.height, format: work.format, stage });
  return { bytes, filename: `${work.key}-wip-${Math.round(stage * 100)}.${extension(work.format)}`, type: mime(work.format) };
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The ways a copy of an image changes when it is re-posted; each written as `<work>-<name>.jpg`. */
export const COPY_TRANSFORMS: Record<string, (image: Buffer) => Promise<Buffer>> = {
  resized: (image) => sharp(image).resize({ width: 400 }).jpeg({ quality: 80 }).toBuffer(),
  recompressed: (image) => sharp(image).jpeg({ quality: 30 }).toBuffer(),
  cropped: async (image) => {
    const { width = 0, height = 0 } = await sharp(image).metadata();
    const [w, h] = [Math.round(width * 0.8), Math.round(height * 0.8)];
    return sharp(image)
      .extract({ left: Math.round((width - w) / 2), top: Math.round((height - h) / 2), width: w, height: h })
      .jpeg({ quality: 85 })
      .toBuffer();
  },
  rotated: (image) => sharp(image).rotate(90).jpeg({ quality: 85 }).toBuffer(),
};

export interface WrittenCopy {
  file: string;
  workKey: string;
  transform: string;
}

/**
 * Writes every final image to `<out>/works/`, transformed copies of `copiesOf` to `<out>/copies/`, and an image
 * registered nowhere to `<out>/unregistered.png`, for people to drop into the verify page.
 */
export async function writeSampleImages(
  out: string,
  works: SeedWork[],
  copiesOf: SeedWork[],
): Promise<{ copies: WrittenCopy[]; unregistered: string }> {
  const worksDir = path.join(out, 'works');
  const copiesDir = path.join(out, 'copies');
  fs.mkdirSync(worksDir, { recursive: true });
  fs.mkdirSync(copiesDir, { recursive: true });
  for (const work of works) {
    const file = await renderWork(work);
    fs.writeFileSync(path.join(worksDir, `${work.key}-${slug(work.title)}.${extension(work.format)}`), file.bytes);
  }
  const copies: WrittenCopy[] = [];
  for (const work of copiesOf) {
    const original = Buffer.from((await renderWork(work)).bytes);
    for (const [transform, apply] of Object.entries(COPY_TRANSFORMS)) {
      const file = path.join(copiesDir, `${work.key}-${slug(work.title)}-${transform}.jpg`);
      fs.writeFileSync(file, await apply(original));
      copies.push({ file, workKey: work.key, transform });
    }
  }
  const unregistered = path.join(out, 'unregistered.png');
  fs.writeFileSync(unregistered, await renderArtwork(987_654, { width: 800, height: 600 }));
  return { copies, unregistered };
}

const slug = (title: string) =>
  title
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
