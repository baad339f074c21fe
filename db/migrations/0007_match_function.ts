import { sql, type Kysely } from 'kysely';
import { SLOT_COUNT } from './0003_match_index.ts';

/**
 * The multi-index lookup as a PL/pgSQL function, so each connection plans its 16-branch query once
 * and reuses the plan (a generic plan: planning it took 3-5 ms of a ~25 ms verify at a million hashes).
 * The probes are derived in the database from the query hashes: slot i of a hash is bits 16i..16i+15,
 * and its 17 probes are that value xor 0 and xor each single bit.
 *
 * Each probe is a LATERAL index-only scan of its slot btree (keyed on slot value and label class, with
 * the full hash INCLUDEd) that keeps only rows within `max_distance` of the query hash that probed it.
 * Parallel plans are off: starting a worker costs more than the whole lookup.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(matchCandidatesFunction()).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists aura_match_candidates(bit(256)[], int[], int[], int)`.execute(db);
}

const PROBE_MASKS = `'{0,${Array.from({ length: 16 }, (_, bit) => 1 << bit).join(',')}}'::int[]`;

function slotBranch(slot: number): string {
  return `
    select w.id, p.q::int, w.distance
    from (select q.h, q.q, q.lo, q.hi, substring(q.h from ${slot * 16 + 1} for 16)::int # m.mask as v
          from unnest(hashes, lows, highs) with ordinality as q(h, lo, hi, q)
          cross join unnest(${PROBE_MASKS}) as m(mask)) as p
    cross join lateral (
      select x.id, bit_count(x.hash # p.h)::int as distance from work_hashes x
      where x.s${slot} = p.v and x.label_class between p.lo and p.hi and bit_count(x.hash # p.h) <= max_distance
    ) as w`;
}

function matchCandidatesFunction(): string {
  const branches = Array.from({ length: SLOT_COUNT }, (_, slot) => slotBranch(slot)).join('\n    union all');
  return `
create or replace function aura_match_candidates(hashes bit(256)[], lows int[], highs int[], max_distance int)
returns table (row_id bigint, q_ord int, distance int)
language plpgsql stable
set plan_cache_mode = force_generic_plan
set max_parallel_workers_per_gather = 0
as $fn$
#variable_conflict use_column
begin
  return query ${branches};
end
$fn$`;
}
