import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { lightnessHashes, opaquePixels } from '../images/fingerprint.ts';
import type { ImageLimits } from '../images/types.ts';
import { LIGHTNESS_LABELS } from './label-classes.ts';
import { indexWorkHashes } from './service.ts';
import { findWorksMissingHashLabels } from '../works/repository.ts';
import { backfillFromThumbnails, type BackfillOptions, type BackfillProgress } from './backfill-thumbnails.ts';

export type { BackfillProgress };

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
  options: BackfillOptions = {},
): Promise<BackfillProgress> {
  return backfillFromThumbnails(
    {
      findBatch: (after, size) => findWorksMissingHashLabels(db, LIGHTNESS_LABELS, after, size),
      apply: async (work, decoded) => {
        const { rgb, channels } = opaquePixels(decoded.pixels);
        const plane = { data: rgb, width: decoded.pixels.width, height: decoded.pixels.height, channels };
        const hashes = lightnessHashes(plane, work.pdq).filter((h) => !work.labels.has(h.label));
        if (hashes.length > 0) await indexWorkHashes(db, work.id, hashes);
        return hashes.length;
      },
    },
    limits,
    options,
  );
}
