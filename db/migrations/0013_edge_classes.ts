import type { Kysely } from 'kysely';
import { relabel } from './0008_lightness_class.ts';

/**
 * Each side and corner window ('edge-l85' … 'edge-br85', api/images/regions.ts) gets a label class of
 * its own (5–12, in api/matching/label-classes.ts's anchor order), so that the query's view anchored at
 * the same side or corner probes only that window's rows: 32 views against every region row would have
 * multiplied the candidates a verify reads (bench-index: 12x at 20,000 works).
 */
export const EDGE_CLASS_OF_LABEL =
  `case label when 'lightness' then 0 when 'lightness-clipped' then 0 when 'global' then 1 when 'alpha-black' then 2 when 'crop-72' then 3 ` +
  `when 'edge-l85' then 5 when 'edge-r85' then 6 when 'edge-t85' then 7 when 'edge-b85' then 8 ` +
  `when 'edge-tl85' then 9 when 'edge-tr85' then 10 when 'edge-bl85' then 11 when 'edge-br85' then 12 else 4 end`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await relabel(db, EDGE_CLASS_OF_LABEL);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await relabel(
    db,
    `case label when 'lightness' then 0 when 'lightness-clipped' then 0 when 'global' then 1 when 'alpha-black' then 2 when 'crop-72' then 3 else 4 end`,
  );
}
