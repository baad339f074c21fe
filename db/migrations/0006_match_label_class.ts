import { sql, type Kysely } from 'kysely';
import { SLOT_COUNT } from './0003_match_index.ts';

/**
 * A verify compares its 19 query hashes only with the stored rows its match rules need (see
 * api/matching/label-classes.ts), so each stored row carries its label class, and the slot btrees are
 * keyed on (slot value, label class): a restricted probe is one contiguous index range, still
 * index-only (the row id and full hash stay INCLUDEd). The class is a generated column, so no insert
 * path can get it wrong.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `alter table work_hashes add column label_class smallint not null generated always as ` +
        `(case label when 'global' then 0 when 'alpha-black' then 1 else 2 end) stored`,
    )
    .execute(db);
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    await sql.raw(`drop index if exists work_hashes_s${slot}_idx`).execute(db);
    await sql.raw(slotIndexDdl(slot)).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    await sql.raw(`drop index if exists work_hashes_s${slot}_idx`).execute(db);
    await sql.raw(`create index work_hashes_s${slot}_idx on work_hashes (s${slot}) include (id, hash)`).execute(db);
  }
  await sql`alter table work_hashes drop column label_class`.execute(db);
}

/** Shared with the bulk loader, which drops and rebuilds these indexes around a large import. */
export function slotIndexDdl(slot: number): string {
  return `create index work_hashes_s${slot}_idx on work_hashes (s${slot}, label_class) include (id, hash)`;
}
