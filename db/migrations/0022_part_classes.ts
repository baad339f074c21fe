import { sql, type Kysely } from 'kysely';
import { relabel } from './0008_lightness_class.ts';
import { STRUCTURE_CLASS_OF_LABEL } from './0020_structure_class.ts';
import { slotIndexDdl } from './0014_slim_slot_indexes.ts';

/**
 * The part windows ('part-l62', 'part-r62', 'part-t62', 'part-b62', api/images/regions.ts partWindows)
 * get label classes 14–17, one per part and outside the 'any' range (0–12): only a query's window of the
 * same part probes them, never its whole-image hash (a 62 % window is no copy of a work on its own).
 */
export const PART_CLASS_OF_LABEL = STRUCTURE_CLASS_OF_LABEL.replace(
  "when 'structure-black' then 13",
  "when 'structure-black' then 13 when 'part-l62' then 14 when 'part-r62' then 15 when 'part-t62' then 16 when 'part-b62' then 17",
);

export async function up(db: Kysely<unknown>): Promise<void> {
  if (PART_CLASS_OF_LABEL === STRUCTURE_CLASS_OF_LABEL) throw new Error('migration 0022: the structure classes were not found');
  await relabel(db, PART_CLASS_OF_LABEL, slotIndexDdl);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from work_hashes where label like 'part-%'`.execute(db);
  await relabel(db, STRUCTURE_CLASS_OF_LABEL, slotIndexDdl);
}
