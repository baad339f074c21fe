import { sql, type Kysely } from 'kysely';
import { SLOT_COUNT } from './0003_match_index.ts';
import { EDGE_CLASS_OF_LABEL } from './0013_edge_classes.ts';
import { slotIndexDdl } from '../work-hash-indexes.ts';

/**
 * The structure hashes of works whose PDQ hash is degenerate ('structure' and 'structure-black',
 * api/images/structure.ts) get label class 13, which only a query's structure hashes probe: a PDQ hash
 * is never compared with one, nor a structure hash with a PDQ row.
 */
export const STRUCTURE_CLASS_OF_LABEL = EDGE_CLASS_OF_LABEL.replace(
  "when 'edge-br85' then 12",
  "when 'edge-br85' then 12 when 'structure' then 13 when 'structure-black' then 13",
);

export async function up(db: Kysely<unknown>): Promise<void> {
  await relabelSlim(db, STRUCTURE_CLASS_OF_LABEL);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from work_hashes where label in ('structure', 'structure-black')`.execute(db);
  await relabelSlim(db, EDGE_CLASS_OF_LABEL);
}

/** Regenerates label_class and rebuilds the slot btrees as migration 0014 left them (without the row id). */
async function relabelSlim(db: Kysely<unknown>, classOfLabel: string): Promise<void> {
  await sql`alter table work_hashes drop column label_class`.execute(db);
  await sql
    .raw(`alter table work_hashes add column label_class smallint not null generated always as (${classOfLabel}) stored`)
    .execute(db);
  for (let slot = 0; slot < SLOT_COUNT; slot++) await sql.raw(slotIndexDdl(slot)).execute(db);
}
