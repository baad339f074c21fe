import { sql, type Kysely } from 'kysely';

/**
 * Degenerate hashes never match on their own (api/matching/policy.ts isDegenerate): registration no
 * longer indexes them, and this removes the ones indexed before. A hash far from half its bits set
 * (all zeros for a uniform or alpha-only picture) is recognisable from the row alone; the global hash of
 * a work below the quality floor goes too. The works stay registered: exact SHA-256 matching is untouched.
 */
const MIN_SET_BITS = 64;
const QUALITY_FLOOR = 3;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from work_hashes h
    where bit_count(h.hash) < ${sql.lit(MIN_SET_BITS)} or bit_count(h.hash) > ${sql.lit(256 - MIN_SET_BITS)}
       or (h.label = 'global' and exists (select 1 from works w where w.id = h.work_id and w.pdq_quality < ${sql.lit(QUALITY_FLOOR)}))`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  // The deleted rows matched nothing they should have; nothing to restore.
}
