import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { decodeImage } from '../images/decode.ts';
import { lightnessHashes, opaquePixels } from '../images/fingerprint.ts';
import type { ImageLimits } from '../images/types.ts';
import { LIGHTNESS_LABELS } from './label-classes.ts';
import { indexWorkHashes } from './service.ts';
import { findWorksMissingHashLabels } from '../works/repository.ts';

export interface BackfillProgress {
  /** Works looked at: those missing a lightness row. */
  works: number;
  /** Works that gained at least one row. */
  updated: number;
  rows: number;
  /** Works whose thumbnail could not be decoded (left as they were), and the first few of their ids. */
  unreadable: number;
  unreadableIds: string[];
}

const LISTED_UNREADABLE = 20;

/**
 * Adds the lightness hashes ('lightness', 'lightness-clipped') to works registered before Aura computed
 * them (migrations 0008 and 0009 cannot: SQL has no pixels). The registry keeps no original file, so
 * they are taken from the work's stored thumbnail — the same oriented working copy inside 512 px the
 * registration hashed, but WebP-compressed with subsampled chroma, so the hashes land a few bits from
 * what registration stores (8 and 10 bits on a saturated painting, tests/matching/backfill.test.ts).
 * A work keeps the lightness rows it has (one registered between migrations 0008 and 0009 has
 * 'lightness' and gains only 'lightness-clipped'). A hash within 16 bits of the global hash gets no row,
 * as at registration, and its work is looked at again on the next run, which adds nothing: the
 * backfill is idempotent.
 */
export async function backfillLightnessHashes(
  db: Kysely<Database>,
  limits: ImageLimits,
  options: { batchSize?: number; onBatch?: (progress: BackfillProgress) => void } = {},
): Promise<BackfillProgress> {
  const progress: BackfillProgress = { works: 0, updated: 0, rows: 0, unreadable: 0, unreadableIds: [] };
  let after = '';
  for (;;) {
    const batch = await findWorksMissingHashLabels(db, LIGHTNESS_LABELS, after, options.batchSize ?? 100);
    if (batch.length === 0) return progress;
    for (const work of batch) {
      progress.works++;
      const decoded = await decodeImage(work.thumbnail, limits).catch(() => undefined);
      if (!decoded) {
        if (progress.unreadable++ < LISTED_UNREADABLE) progress.unreadableIds.push(work.id);
        continue;
      }
      const { rgb, channels } = opaquePixels(decoded.pixels);
      const hashes = lightnessHashes({ data: rgb, width: decoded.pixels.width, height: decoded.pixels.height, channels }, work.pdq).filter(
        (h) => !work.labels.has(h.label),
      );
      if (hashes.length === 0) continue;
      await indexWorkHashes(db, work.id, hashes);
      progress.updated++;
      progress.rows += hashes.length;
    }
    after = batch.at(-1)!.id;
    options.onBatch?.(progress);
  }
}
