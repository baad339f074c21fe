import { sql, type Kysely } from 'kysely';
import { relabel } from './0008_lightness_class.ts';
import { EDGE_CLASS_OF_LABEL } from './0013_edge_classes.ts';
import { slotIndexDdl } from './0014_slim_slot_indexes.ts';

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
  await relabel(db, STRUCTURE_CLASS_OF_LABEL, slotIndexDdl);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from work_hashes where label in ('structure', 'structure-black')`.execute(db);
  await relabel(db, EDGE_CLASS_OF_LABEL, slotIndexDdl);
}
