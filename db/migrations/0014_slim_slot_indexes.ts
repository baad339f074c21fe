import { sql, type Kysely } from 'kysely';
import { SLOT_COUNT } from './0003_match_index.ts';
import { slotIndexDdl as slotIndexWithIdDdl } from './0006_match_label_class.ts';

/**
 * The 16 slot btrees no longer carry the row id: each entry keeps its slot value, label class and the
 * full hash, which is all a probe reads (index-only) to keep the rows within the distance. The few rows
 * kept are found again by slot 0's btree on (slot value, class) and the hash itself. Without the id an
 * entry is 8 bytes shorter (64 → 56 bytes plus its line pointer): each slot btree is 12 % smaller
 * (docs/matching.md, Budgets), and the slot btrees are most of an index row's bytes.
 *
 * Every row with the kept hash and class is within the distance of the query hash that found it, so
 * the candidates are the same set of rows as before, and the ranking (best pair per work, ties broken
 * by query order then row id) is unchanged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    await sql.raw(`drop index if exists work_hashes_s${slot}_idx`).execute(db);
    await sql.raw(slotIndexDdl(slot)).execute(db);
  }
  await sql`drop function if exists aura_match_candidates(bit(256)[], int[], int[], int)`.execute(db);
  await sql.raw(matchCandidatesFunction()).execute(db);
  await sql.raw(FIND_MATCHES_FUNCTION).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    await sql.raw(`drop index if exists work_hashes_s${slot}_idx`).execute(db);
    await sql.raw(slotIndexWithIdDdl(slot)).execute(db);
  }
  await sql`drop function if exists aura_match_candidates(bit(256)[], int[], int[], int)`.execute(db);
  const m0007 = await import('./0007_match_function.ts');
  const m0010 = await import('./0010_match_query_function.ts');
  await m0007.up(db);
  await sql`drop function if exists aura_find_matches(bit(256)[], int[], int[], int[], int, text, int)`.execute(db);
  await m0010.up(db);
}

/** A slot btree as this migration made it: the slot column and label class, carrying the full bit(256) hash. */
export function slotIndexDdl(slot: number): string {
  return `create index work_hashes_s${slot}_idx on work_hashes (s${slot}, label_class) include (hash)`;
}

const PROBE_MASKS = `'{0,${Array.from({ length: 16 }, (_, bit) => 1 << bit).join(',')}}'::int[]`;

function slotBranch(slot: number): string {
  return `
    select w.hash, w.label_class, p.q::int, w.distance
    from (select q.h, q.q, q.lo, q.hi, substring(q.h from ${slot * 16 + 1} for 16)::int # m.mask as v
          from unnest(hashes, lows, highs) with ordinality as q(h, lo, hi, q)
          cross join unnest(${PROBE_MASKS}) as m(mask)) as p
    cross join lateral (
      select x.hash, x.label_class, bit_count(x.hash # p.h)::int as distance from work_hashes x
      where x.s${slot} = p.v and x.label_class between p.lo and p.hi and bit_count(x.hash # p.h) <= max_distance
    ) as w`;
}

/** As migration 0007 (probes derived in the database, one lateral index-only scan each), returning the hash and class kept. */
function matchCandidatesFunction(): string {
  const branches = Array.from({ length: SLOT_COUNT }, (_, slot) => slotBranch(slot)).join('\n    union all');
  return `
create or replace function aura_match_candidates(hashes bit(256)[], lows int[], highs int[], max_distance int)
returns table (stored_hash bit(256), stored_class smallint, q_ord int, distance int)
language plpgsql stable
rows 10
set plan_cache_mode = force_generic_plan
set max_parallel_workers_per_gather = 0
set jit = off
as $fn$
#variable_conflict use_column
begin
  return query ${branches};
end
$fn$`;
}

/** As migration 0010, with the candidates' rows found again by slot 0 value, class and hash. */
export const FIND_MATCHES_FUNCTION = `
create or replace function aura_find_matches(
  hashes bit(256)[], lows int[], highs int[], ordinals int[], max_distance int,
  exact_sha256 text, max_results int
)
returns table (work_id text, distance int, q_ord int, stored_label text, exact boolean, status text)
language plpgsql stable
set plan_cache_mode = force_generic_plan
set max_parallel_workers_per_gather = 0
set jit = off
as $fn$
#variable_conflict use_column
begin
  return query
    with candidates as (
      select h.work_id, h.id as row_id, h.label as stored_label, ordinals[c.q_ord] as q_ord, c.distance
      from aura_match_candidates(hashes, lows, highs, max_distance) as c
      join work_hashes h
        on h.s0 = substring(c.stored_hash from 1 for 16)::int and h.label_class = c.stored_class and h.hash = c.stored_hash
    ),
    best as (
      select distinct on (work_id) work_id, distance, q_ord, stored_label
      from candidates
      order by work_id, distance, q_ord, row_id
    ),
    exact as (select id as work_id from works where sha256 = exact_sha256)
    select w.id, b.distance, b.q_ord, b.stored_label, (e.work_id is not null), w.status
    from best b
    full join exact e on e.work_id = b.work_id
    join works w on w.id = coalesce(b.work_id, e.work_id)
    order by (e.work_id is not null) desc, coalesce(b.distance, 0), w.id
    limit max_results;
end
$fn$`;
