import { sql, type Kysely } from 'kysely';
import { SLOT_COUNT } from './0003_match_index.ts';
import { slotIndexDdl } from './0006_match_label_class.ts';

/**
 * A stored 'lightness' hash (PDQ of CIE L*, api/images/lightness.ts) and the 'crop-72' window (compared
 * window to window, for watermarked copies) get label classes of their own, and the classes are
 * renumbered so that every set a query hash may be compared with stays one contiguous range
 * (api/matching/label-classes.ts):
 *
 *   0 'lightness'  1 'global'  2 'alpha-black'  3 'crop-72'  4 another region ('crop-…', 'trimmed')
 *
 * Dropping the generated column drops the 16 slot btrees keyed on it; they are rebuilt on the new one.
 */
export const CLASS_OF_LABEL = `case label when 'lightness' then 0 when 'global' then 1 when 'alpha-black' then 2 when 'crop-72' then 3 else 4 end`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await relabel(db, CLASS_OF_LABEL);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from work_hashes where label = 'lightness'`.execute(db);
  await relabel(db, `case label when 'global' then 0 when 'alpha-black' then 1 else 2 end`);
}

/**
 * Regenerates label_class from `classOfLabel` (SQL over `label`) and rebuilds the slot btrees on it, in
 * the shape `indexDdl` gives (by default as migration 0006 made them; from 0014 on they are slimmer).
 */
export async function relabel(db: Kysely<unknown>, classOfLabel: string, indexDdl: (slot: number) => string = slotIndexDdl): Promise<void> {
  await sql`alter table work_hashes drop column label_class`.execute(db);
  await sql
    .raw(`alter table work_hashes add column label_class smallint not null generated always as (${classOfLabel}) stored`)
    .execute(db);
  for (let slot = 0; slot < SLOT_COUNT; slot++) await sql.raw(indexDdl(slot)).execute(db);
}
