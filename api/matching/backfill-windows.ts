import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { anchoredHashes, flattenHashes, workingStructure } from '../images/fingerprint.ts';
import { anchoredWindows, PART_PREFIX, PART_SCALE, partWindows } from '../images/regions.ts';
import type { ImageLimits } from '../images/types.ts';
import { findWorksMissingHashLabels, findWorksByHashLabels, findWorksWithoutColourLayout, setColourLayout } from '../works/repository.ts';
import { colourLayout } from '../images/colour-layout.ts';
import { opaquePixels } from '../images/fingerprint.ts';
import { backfillFromThumbnails, type BackfillOptions, type BackfillProgress } from './backfill-thumbnails.ts';
import { ALPHA_BLACK_LABEL, ALPHA_GREY_LABEL } from './label-classes.ts';
import { isDegenerate, NOISY_QUALITY, storedStructure } from './policy.ts';
import { STRUCTURE_BLACK_LABEL, STRUCTURE_LABEL } from '../images/structure.ts';
import { indexWorkHashes } from './service.ts';

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
  options: BackfillOptions = {},
): Promise<BackfillProgress> {
  return backfillFromThumbnails(
    {
      findBatch: (after, size) => findWorksMissingHashLabels(db, ANCHORED_LABELS, after, size),
      apply: async (work, decoded) => {
        const hashes = anchoredHashes(decoded).filter((h) => !work.labels.has(h.label) && !isDegenerate(h));
        if (hashes.length > 0) await indexWorkHashes(db, work.id, hashes);
        return hashes.length;
      },
    },
    limits,
    options,
  );
}

/** The labels of the part windows, along either axis (a work stores the two along its longer one). */
export const PART_LABELS: readonly string[] = ['l', 'r', 't', 'b'].map((a) => `${PART_PREFIX}${a}${Math.round(PART_SCALE * 100)}`);

/**
 * Adds the part windows ('part-l62' … 'part-b62', regions.ts partWindows) to works registered before
 * Aura stored them, hashed from the stored thumbnail like the side and corner windows above. The works
 * looked at are those with none; a work whose part windows are degenerate (a flat picture) gains nothing
 * and is looked at again on the next run.
 */
export async function backfillPartWindows(
  db: Kysely<Database>,
  limits: ImageLimits,
  options: BackfillOptions = {},
): Promise<BackfillProgress> {
  return backfillFromThumbnails(
    {
      findBatch: (after, size) => findWorksByHashLabels(db, { absent: PART_LABELS }, after, size),
      apply: async (work, decoded) => {
        const hashes = anchoredHashes(decoded, partWindows).filter((h) => !isDegenerate(h));
        if (hashes.length > 0) await indexWorkHashes(db, work.id, hashes);
        return hashes.length;
      },
    },
    limits,
    options,
  );
}

/**
 * Computes the colour layout (api/images/colour-layout.ts) of works registered before migration 0012,
 * from their thumbnails. A greyscale thumbnail has no layout and is looked at again on the next run.
 */
export async function backfillColourLayouts(
  db: Kysely<Database>,
  limits: ImageLimits,
  options: { batchSize?: number } = {},
): Promise<BackfillProgress> {
  return backfillFromThumbnails(
    {
      findBatch: (after, size) => findWorksWithoutColourLayout(db, after, size),
      apply: async (work, decoded) => {
        const { rgb, channels } = opaquePixels(decoded.pixels);
        const layout = colourLayout(rgb, decoded.pixels.width, decoded.pixels.height, channels);
        if (layout) await setColourLayout(db, work.id, layout);
        return layout !== undefined;
      },
    },
    limits,
    options,
  );
}

/**
 * Adds the mid-grey flatten ('alpha-grey', fingerprint.ts flattenHashes) to transparent works registered
 * before Aura stored it, from their thumbnails (WebP keeps the alpha channel). The works looked at are
 * those with a black flatten and no grey one; a work whose grey flatten is within 16 bits of its other
 * hashes gains nothing and is looked at again on the next run.
 */
export async function backfillGreyFlattens(
  db: Kysely<Database>,
  limits: ImageLimits,
  options: BackfillOptions = {},
): Promise<BackfillProgress> {
  return backfillFromThumbnails(
    {
      findBatch: (after, size) => findWorksByHashLabels(db, { present: ALPHA_BLACK_LABEL, absent: [ALPHA_GREY_LABEL] }, after, size),
      apply: async (work, decoded) => {
        const { data, width, height, channels } = decoded.pixels;
        if (channels !== 4) return 0;
        const grey = flattenHashes(data, width, height, work.pdq).filter((h) => h.label === ALPHA_GREY_LABEL && !isDegenerate(h));
        if (grey.length > 0) await indexWorkHashes(db, work.id, grey);
        return grey.length;
      },
    },
    limits,
    options,
  );
}

/**
 * Adds the structure hashes (api/images/structure.ts) to works registered before Aura stored them:
 * works whose PDQ hash is degenerate (so that it has no 'global' row either) or noisy (policy.ts
 * NOISY_QUALITY), hashed from the stored thumbnail. Before this runs, a degenerate work is found only by
 * its exact file. A uniform picture has no structure and is looked at again on the next run (one
 * thumbnail decode).
 */
export async function backfillStructure(
  db: Kysely<Database>,
  limits: ImageLimits,
  options: BackfillOptions = {},
): Promise<BackfillProgress> {
  return backfillFromThumbnails(
    {
      findBatch: (after, size) =>
        findWorksByHashLabels(
          db,
          { absent: [STRUCTURE_LABEL, STRUCTURE_BLACK_LABEL], lowQuality: { label: 'global', below: NOISY_QUALITY } },
          after,
          size,
        ),
      apply: async (work, decoded) => {
        const hashes = storedStructure({ pdq: work.pdq, pdqQuality: work.pdq_quality, structure: workingStructure(decoded) });
        if (hashes.length > 0) await indexWorkHashes(db, work.id, hashes);
        return hashes.length;
      },
    },
    limits,
    options,
  );
}
