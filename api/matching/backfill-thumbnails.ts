import { decodeImage, type DecodedImage } from '../images/decode.ts';
import type { ImageLimits } from '../images/types.ts';

export interface BackfillProgress {
  /** Works looked at: those the backfill's query returned. */
  works: number;
  /** Works that gained something (rows or a descriptor). */
  updated: number;
  /** Hash rows added. */
  rows: number;
  /** Works whose thumbnail could not be decoded (left as they were), and the first few of their ids. */
  unreadable: number;
  unreadableIds: string[];
}

const LISTED_UNREADABLE = 20;

export interface ThumbnailBackfill<W extends { id: string; thumbnail: Buffer }> {
  /** The next works (ordered by id, after `after`) that still lack what this backfill adds. */
  findBatch(after: string, size: number): Promise<W[]>;
  /** Adds what `work` lacks from its decoded thumbnail; the rows added (0 when nothing), or `true` when it gained a non-row descriptor. */
  apply(work: W, decoded: DecodedImage): Promise<number | boolean>;
}

/** How a backfill walks the works: batch size (default 100) and a callback after each batch. */
export interface BackfillOptions {
  batchSize?: number;
  onBatch?: (progress: BackfillProgress) => void;
}

/**
 * Walks every work a backfill's query returns, in id order and in batches, decodes each stored 512-px
 * thumbnail (the registry keeps no original file) and hands it to `apply`. Safe while the server runs and
 * safe to repeat: each backfill's query only returns works that still lack what it adds.
 */
export async function backfillFromThumbnails<W extends { id: string; thumbnail: Buffer }>(
  backfill: ThumbnailBackfill<W>,
  limits: ImageLimits,
  options: BackfillOptions = {},
): Promise<BackfillProgress> {
  const progress: BackfillProgress = { works: 0, updated: 0, rows: 0, unreadable: 0, unreadableIds: [] };
  let after = '';
  for (;;) {
    const batch = await backfill.findBatch(after, options.batchSize ?? 100);
    if (batch.length === 0) return progress;
    for (const work of batch) {
      progress.works++;
      const decoded = await decodeImage(work.thumbnail, limits).catch(() => undefined);
      if (!decoded) {
        if (progress.unreadable++ < LISTED_UNREADABLE) progress.unreadableIds.push(work.id);
        continue;
      }
      const added = await backfill.apply(work, decoded);
      if (added === false || added === 0) continue;
      progress.updated++;
      if (typeof added === 'number') progress.rows += added;
    }
    after = batch.at(-1)!.id;
    options.onBatch?.(progress);
  }
}
