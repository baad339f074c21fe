import { sql, type Kysely } from 'kysely';

/**
 * The whole match query — candidates, best pair per work, the exact SHA-256 match, ranking — as one
 * PL/pgSQL function, so its plan is made once per connection instead of on every verify (planning the
 * ranking around the candidate lookup took ~1.1 ms of a ~14 ms verify at a million hashes).
 *
 * The ranking is the one api/matching/repository.ts applies to the full scan that tests and the
 * benchmark compare the index with (that scan stays a plain statement: inside PL/pgSQL it loses its
 * parallel workers, and a slower reference would flatter the index).
 *
 * aura_match_candidates is declared to return ~10 rows (PostgreSQL assumes 1,000 for a function): on
 * that guess the cached plan joined the candidates back to work_hashes and works by hashing both
 * tables whole, which at 20,000 hashes cost 6 ms of an 11 ms verify; with 10 it looks each candidate
 * up by primary key at every size (a verify keeps the few rows within 31 bits of its hashes).
 *
 * JIT compilation is off for both functions. The probes as written stay under jit_above_cost even at
 * ten million hashes, but a variant with range probes was estimated past it and then spent ~1.1 s
 * compiling on every call; a cached plan must not depend on an estimate for that.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter function aura_match_candidates(bit(256)[], int[], int[], int) rows 10 set jit = off`.execute(db);
  await sql.raw(FIND_MATCHES_FUNCTION).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists aura_find_matches(bit(256)[], int[], int[], int[], int, text, int)`.execute(db);
  await sql`alter function aura_match_candidates(bit(256)[], int[], int[], int) rows 1000 reset jit`.execute(db);
}

const FIND_MATCHES_FUNCTION = `
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
      select h.work_id, c.row_id, h.label as stored_label, ordinals[c.q_ord] as q_ord, c.distance
      from aura_match_candidates(hashes, lows, highs, max_distance) as c
      join work_hashes h on h.id = c.row_id
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
