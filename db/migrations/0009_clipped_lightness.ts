import { sql, type Kysely } from 'kysely';
import { CLASS_OF_LABEL, relabel } from './0008_lightness_class.ts';

/**
 * 'lightness-clipped' (the lightness hash with the brightest 30 % of the image flattened, for copies
 * whose highlights were clipped by brightening; api/images/lightness.ts) joins 'lightness' in label
 * class 0, so every query lightness hash is compared with both in the same range scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await relabel(
    db,
    `case label when 'lightness' then 0 when 'lightness-clipped' then 0 when 'global' then 1 when 'alpha-black' then 2 when 'crop-72' then 3 else 4 end`,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from work_hashes where label = 'lightness-clipped'`.execute(db);
  await relabel(db, CLASS_OF_LABEL);
}
