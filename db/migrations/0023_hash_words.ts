import { sql, type Kysely } from 'kysely';
import { SLOT_COUNT } from './0003_match_index.ts';
import * as slimSlotIndexes from './0014_slim_slot_indexes.ts';
import { FIND_MATCHES_BY_FAMILY, rewrite } from './0021_match_families.ts';
import { PART_CLASS_OF_LABEL } from './0022_part_classes.ts';

/**
 * The match index's hash as four bigint words (h0–h3, most significant first) instead of bit(256), and
 * the slot values as index expressions over them instead of 16 integer columns.
 *
 * Why: a bit(256) value is 37 bytes in an index entry (a length word besides its 32 bytes), which pushes
 * each slot btree entry (key, label class, hash) to 56 bytes once aligned; four bigints make it 48. The
 * heap row loses the 16 slot columns (64 bytes) and the bit header. PostgreSQL has no xor on bytea, but
 * it has one on bigint: the distance is the sum of four `bit_count((a # b)::bit(64))`.
 *
 * The table is rebuilt rather than altered so no row keeps the dropped columns' null bitmap; the row ids
 * and their sequence carry over, so the ranking's ties (broken by row id) are unchanged.
 */

export const HASH_WORD_COLUMNS = ['h0', 'h1', 'h2', 'h3'] as const;

/**
 * A slot's 16-bit value from a hash's four words (by default the stored columns); the slot btrees index
 * exactly this expression over the stored ones.
 */
export function slotValueSql(slot: number, alias = '', words: readonly string[] = HASH_WORD_COLUMNS): string {
  const word = `${alias ? `${alias}.` : ''}${words[slot >> 2]}`;
  return `((${word} >> ${48 - 16 * (slot & 3)}) & 65535)::int`;
}

/** The four words of a bit(256) expression, as bigint expressions. */
function wordsOfBits(bits: string): string[] {
  return HASH_WORD_COLUMNS.map((_, w) => `substring(${bits} from ${w * 64 + 1} for 64)::int8`);
}

/** The Hamming distance between two hashes given as their four words (SQL expressions). */
export function wordsDistanceSql(a: readonly string[], b: readonly string[]): string {
  return `(${a.map((word, i) => `bit_count((${word} # ${b[i]})::bit(64))`).join(' + ')})::int`;
}

export const slotIndexName = (slot: number) => `work_hashes_s${slot}_idx`;

/** A slot btree: the slot value and label class, carrying the four words for index-only probes. */
export function slotIndexDdl(slot: number): string {
  return `create index ${slotIndexName(slot)} on work_hashes ((${slotValueSql(slot)}), label_class) include (${HASH_WORD_COLUMNS.join(', ')})`;
}

const PROBE_MASKS = `'{0,${Array.from({ length: 16 }, (_, bit) => 1 << bit).join(',')}}'::int[]`;
const stored = (alias: string) => HASH_WORD_COLUMNS.map((c) => `${alias}.${c}`);
/** The query hash's words, as the CTE below names them. */
const QUERY_WORD_NAMES = HASH_WORD_COLUMNS.map((_, w) => `q${w}`);
const queryWords = (alias: string) => QUERY_WORD_NAMES.map((name) => `${alias}.${name}`);

/**
 * The query's words are read once per query hash (the CTE below); a candidate whose first two words are
 * already too far is dropped before the other two are counted (most rows a probe reaches are strangers).
 */
function slotBranch(slot: number): string {
  const words = stored('x');
  const query = queryWords('p');
  return `
    select w.h0, w.h1, w.h2, w.h3, w.label_class, p.q::int, w.distance
    from (select q.*, ${slotValueSql(slot, 'q', QUERY_WORD_NAMES)} # m.mask as v
          from query_words q cross join unnest(${PROBE_MASKS}) as m(mask)) as p
    cross join lateral (
      select x.h0, x.h1, x.h2, x.h3, x.label_class, ${wordsDistanceSql(words, query)} as distance
      from work_hashes x
      where ${slotValueSql(slot, 'x')} = p.v and x.label_class between p.lo and p.hi
        and ${wordsDistanceSql(words.slice(0, 2), query.slice(0, 2))} <= max_distance
        and ${wordsDistanceSql(words, query)} <= max_distance
    ) as w`;
}

const QUERY_WORDS = `query_words as materialized (
      select q.q, q.lo, q.hi, ${wordsOfBits('q.h')
        .map((word, w) => `${word} as ${QUERY_WORD_NAMES[w]}`)
        .join(', ')}
      from unnest(hashes, lows, highs) with ordinality as q(h, lo, hi, q)
    )`;

/** Probes derived in the database, one lateral index-only scan each (as migrations 0007 and 0014). */
export const MATCH_CANDIDATES_FUNCTION = `
create or replace function aura_match_candidates(hashes bit(256)[], lows int[], highs int[], max_distance int)
returns table (w0 bigint, w1 bigint, w2 bigint, w3 bigint, stored_class smallint, q_ord int, distance int)
language plpgsql stable
rows 10
set plan_cache_mode = force_generic_plan
set max_parallel_workers_per_gather = 0
set jit = off
as $fn$
#variable_conflict use_column
begin
  return query with ${QUERY_WORDS} ${Array.from({ length: SLOT_COUNT }, (_, slot) => slotBranch(slot)).join('\n    union all')};
end
$fn$`;

/** As migration 0021, with the candidates' rows found again by slot 0's btree, class and words. */
export const FIND_MATCHES_FUNCTION = rewrite(FIND_MATCHES_BY_FAMILY, [
  [
    'on h.s0 = substring(c.stored_hash from 1 for 16)::int and h.label_class = c.stored_class and h.hash = c.stored_hash',
    `on ${slotValueSql(0, 'h')} = ${slotValueSql(0, 'c', ['w0', 'w1', 'w2', 'w3'])} and h.label_class = c.stored_class
       and h.h0 = c.w0 and h.h1 = c.w1 and h.h2 = c.w2 and h.h3 = c.w3`,
  ],
]);

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists aura_match_candidates(bit(256)[], int[], int[], int)`.execute(db);
  // Fixed-width columns first (no alignment padding), the texts last.
  await sql
    .raw(`create table work_hashes_words (
      id bigint not null,
      h0 bigint not null, h1 bigint not null, h2 bigint not null, h3 bigint not null,
      label_class smallint not null generated always as (${PART_CLASS_OF_LABEL}) stored,
      work_id text not null,
      label text not null
    )`)
    .execute(db);
  await sql
    .raw(`insert into work_hashes_words (id, h0, h1, h2, h3, work_id, label)
      select id, ${wordsOfBits('hash').join(', ')}, work_id, label
      from work_hashes`)
    .execute(db);
  await sql`alter sequence work_hashes_id_seq owned by none`.execute(db);
  await sql`drop table work_hashes`.execute(db);
  await sql`alter table work_hashes_words rename to work_hashes`.execute(db);
  await sql`alter table work_hashes alter column id set default nextval('work_hashes_id_seq')`.execute(db);
  await sql`alter sequence work_hashes_id_seq owned by work_hashes.id`.execute(db);
  await sql`alter table work_hashes add constraint work_hashes_pkey primary key (id)`.execute(db);
  await sql`alter table work_hashes add constraint work_hashes_work_id_fkey foreign key (work_id) references works (id)`.execute(db);
  await sql`create index work_hashes_work_idx on work_hashes (work_id)`.execute(db);
  for (let slot = 0; slot < SLOT_COUNT; slot++) await sql.raw(slotIndexDdl(slot)).execute(db);
  await sql.raw(MATCH_CANDIDATES_FUNCTION).execute(db);
  await sql.raw(FIND_MATCHES_FUNCTION).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const slots = Array.from({ length: SLOT_COUNT }, (_, slot) => slot);
  await sql`drop function if exists aura_match_candidates(bit(256)[], int[], int[], int)`.execute(db);
  await sql.raw(`alter table work_hashes add column hash bit(256), ${slots.map((s) => `add column s${s} integer`).join(', ')}`).execute(db);
  await sql.raw(`update work_hashes set hash = ${HASH_WORD_COLUMNS.map((c) => `${c}::bit(64)`).join(' || ')}`).execute(db);
  await sql
    .raw(`update work_hashes set ${slots.map((s) => `s${s} = substring(hash from ${s * 16 + 1} for 16)::int`).join(', ')}`)
    .execute(db);
  await sql
    .raw(
      `alter table work_hashes alter column hash set not null, ${slots
        .map((s) => `alter column s${s} set not null, add check (s${s} between 0 and 65535)`)
        .join(', ')}, drop column ${HASH_WORD_COLUMNS.join(', drop column ')}`,
    )
    .execute(db);
  // Migration 0014 rebuilds the bit(256) slot btrees and its functions; 0021's ranking goes back on top.
  await slimSlotIndexes.up(db);
  await sql.raw(FIND_MATCHES_BY_FAMILY).execute(db);
}
