import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { decodeImage } from '../images/decode.ts';
import { anchoredHashes } from '../images/fingerprint.ts';
import { anchoredWindows } from '../images/regions.ts';
import type { ImageLimits } from '../images/types.ts';
import { findWorksMissingHashLabels, findWorksWithoutColourLayout, setColourLayout } from '../works/repository.ts';
import { colourLayout } from '../images/colour-layout.ts';
import { opaquePixels } from '../images/fingerprint.ts';
import type { BackfillProgress } from './backfill-lightness.ts';
import { isDegenerate } from './policy.ts';
import { indexWorkHashes } from './service.ts';

const LISTED_UNREADABLE = 20;
/** The labels of the side and corner windows (the same for every image large enough to have them). */
export const ANCHORED_LABELS: readonly string[] = anchoredWindows(512, 512).map((w) => w.label);

/**
 * Adds the side and corner windows ('edge-l85' … 'edge-br85', regions.ts) to works registered before
 * Aura stored them, hashed from the work's stored thumbnail: the same oriented working copy inside
 * 512 px that registration hashed, WebP-compressed (a few bits from what registration stores:
 * tests/matching/backfill.test.ts). Idempotent and safe while the server runs: each row is inserted
 * once, a work keeps the windows it has, and a one-sided crop of an older work matches once it ran.
 */
export async function backfillAnchoredWindows(
  db: Kysely<Database>,
  limits: ImageLimits,
  options: { batchSize?: number; onBatch?: (progress: BackfillProgress) => void } = {},
): Promise<BackfillProgress> {
  const progress: BackfillProgress = { works: 0, updated: 0, rows: 0, unreadable: 0, unreadableIds: [] };
  let after = '';
  for (;;) {
    const batch = await findWorksMissingHashLabels(db, ANCHORED_LABELS, after, options.batchSize ?? 100);
    if (batch.length === 0) return progress;
    for (const work of batch) {
      progress.works++;
      const decoded = await decodeImage(work.thumbnail, limits).catch(() => undefined);
      if (!decoded) {
        if (progress.unreadable++ < LISTED_UNREADABLE) progress.unreadableIds.push(work.id);
        continue;
      }
      const hashes = anchoredHashes(decoded).filter((h) => !work.labels.has(h.label) && !isDegenerate(h));
      if (hashes.length === 0) continue;
      await indexWorkHashes(db, work.id, hashes);
      progress.updated++;
      progress.rows += hashes.length;
    }
    after = batch.at(-1)!.id;
    options.onBatch?.(progress);
  }
}

/**
 * Computes the colour layout (api/images/colour-layout.ts) of works registered before migration 0012,
 * from their thumbnails. A greyscale thumbnail has no layout and is looked at again on the next run.
 */
export async function backfillColourLayouts(db: Kysely<Database>, limits: ImageLimits, options: { batchSize?: number } = {}): Promise<BackfillProgress> {
  const progress: BackfillProgress = { works: 0, updated: 0, rows: 0, unreadable: 0, unreadableIds: [] };
  let after = '';
  for (;;) {
    const batch = await findWorksWithoutColourLayout(db, after, options.batchSize ?? 100);
    if (batch.length === 0) return progress;
    for (const work of batch) {
      progress.works++;
      const decoded = await decodeImage(work.thumbnail, limits).catch(() => undefined);
      if (!decoded) {
        if (progress.unreadable++ < LISTED_UNREADABLE) progress.unreadableIds.push(work.id);
        continue;
      }
      const { rgb, channels } = opaquePixels(decoded.pixels);
      const layout = colourLayout(rgb, decoded.pixels.width, decoded.pixels.height, channels);
      if (!layout) continue;
      await setColourLayout(db, work.id, layout);
      progress.updated++;
    }
    after = batch.at(-1)!.id;
  }
}
