import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { LabelledHash } from '../images/types.ts';
import { SLOT_COUNT, hashFromWords, hashWords, toBitLiteral } from './hashes.ts';
import { dedupeHashes, labelledHashesSchema, parseOrThrow } from './schemas.ts';
import {
  HASH_WORD_COLUMNS,
  WORK_FOREIGN_KEY,
  WORK_ID_INDEX,
  slotIndexDdl,
  slotIndexName,
  wordsDistanceSql,
} from '../../db/work-hash-indexes.ts';
import { LABEL_CLASS, type ClassRange } from './label-classes.ts';

/** A stored hash to index: `hash` is 64 lower-case hex characters. */
export interface HashRow {
  workId: string;
  label: string;
  hash: string;
}

/**
 * One query hash with its position in the query (the position breaks distance ties deterministically)
 * and the label classes of the stored rows it is compared with (label-classes.ts).
 */
export interface QueryHash {
  ordinal: number;
  hash: string;
  classes: ClassRange;
}

export interface MatchRow {
  work_id: string;
  distance: number | null;
  q_ord: number | null;
  stored_label: string | null;
  exact: boolean;
  status: string;
}

export interface MatchQuery {
  sha256: string | undefined;
  hashes: QueryHash[];
  maxDistance: number;
  limit: number;
}

function wordValues(hash: string): Pick<Database['work_hashes'], 'h0' | 'h1' | 'h2' | 'h3'> {
  const [h0, h1, h2, h3] = hashWords(hash) as [string, string, string, string];
  return { h0, h1, h2, h3 };
}

/**
 * Stores a work's hashes in the match index (the global hash and its region hashes). Pass the
 * registration's transaction so the work and its index rows commit together.
 */
export async function indexWorkHashes(db: Kysely<Database>, workId: string, hashes: Pick<LabelledHash, 'label' | 'hash'>[]): Promise<void> {
  const parsed = dedupeHashes(parseOrThrow(labelledHashesSchema, hashes, 'hashes'));
  await insertHashRows(
    db,
    parsed.map((h) => ({ workId, label: h.label, hash: h.hash })),
  );
}

export async function insertHashRows(db: Kysely<Database>, rows: HashRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('work_hashes')
    .values(rows.map((r) => ({ work_id: r.workId, label: r.label, ...wordValues(r.hash) })))
    .execute();
}

/**
 * The bulk path: one statement per chunk, every column passed as one array and expanded with unnest,
 * so 20,000 rows cost one round trip and a handful of parameters.
 */
export async function bulkInsertHashRows(db: Kysely<Database>, rows: HashRow[], chunkSize = 20_000): Promise<void> {
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    const words: string[][] = HASH_WORD_COLUMNS.map(() => []);
    for (const r of chunk) for (const [i, w] of hashWords(r.hash).entries()) words[i]!.push(w);
    await sql`
      insert into work_hashes (work_id, label, ${sql.raw(HASH_WORD_COLUMNS.join(', '))})
      select * from unnest(
        ${pgTextArray(chunk.map((r) => r.workId))}::text[],
        ${pgTextArray(chunk.map((r) => r.label))}::text[],
        ${sql.join(words.map((values) => sql`${pgIntArray(values)}::int8[]`))}
      )`.execute(db);
  }
}

// Arrays are sent as PostgreSQL array literals (text), which both pg and PGlite pass through unchanged.
function pgIntArray(values: (number | string)[]): string {
  return `{${values.join(',')}}`;
}
function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * Multi-index hashing in one statement: aura_find_matches (migration 0023) takes the candidates from
 * aura_match_candidates (migration 0023), which probes, for each of the 16 slots, the 17 values within
 * one bit of each query hash's slot value by an index-only scan of that slot's btree (which carries
 * the hash's four words) and keeps the rows within the distance of the query hash that probed them; then it
 * keeps the best PDQ pair and the best structure pair per work, joins the exact SHA-256 match and ranks them as rankWithExact does.
 */
export async function findIndexedMatches(db: Kysely<Database>, query: MatchQuery): Promise<MatchRow[]> {
  return (await indexedMatchSql(query).execute(db)).rows;
}

/** The reference: a full scan comparing every stored hash with every query hash. */
export async function findMatchesByScan(db: Kysely<Database>, query: MatchQuery): Promise<MatchRow[]> {
  return (await scanMatchSql(query).execute(db)).rows;
}

export function indexedMatchSql(query: MatchQuery): RawBuilder<MatchRow> {
  const { hashes } = query;
  return sql<MatchRow>`
    select work_id, distance, q_ord, stored_label, exact, status
    from aura_find_matches(
      ${pgTextArray(hashes.map((h) => toBitLiteral(h.hash)))}::bit(256)[],
      ${pgIntArray(hashes.map((h) => h.classes.lo))}::int[],
      ${pgIntArray(hashes.map((h) => h.classes.hi))}::int[],
      ${pgIntArray(hashes.map((h) => h.ordinal))}::int[],
      ${query.maxDistance}::int,
      ${query.sha256 ?? null}::text,
      ${query.limit}::int
    )`;
}

const SCAN_DISTANCE = wordsDistanceSql(
  HASH_WORD_COLUMNS.map((c) => `w.${c}`),
  HASH_WORD_COLUMNS.map((_, i) => `q.q${i}`),
);

export function scanMatchSql(query: MatchQuery): RawBuilder<MatchRow> {
  const candidates = query.hashes.length
    ? sql`
      select w.work_id, w.id as row_id, w.label as stored_label, (w.label_class = ${sql.lit(LABEL_CLASS.structure)}) as structure,
        q.q_ord, ${sql.raw(SCAN_DISTANCE)} as distance
      from work_hashes w
      join (values ${sql.join(
        query.hashes.map(
          ({ ordinal, hash, classes }) =>
            sql`(${sql.lit(ordinal)}::int, ${sql.join(hashWords(hash).map((w) => sql`${w}::int8`))}, ${sql.lit(classes.lo)}::int, ${sql.lit(classes.hi)}::int)`,
        ),
      )}) as q(q_ord, q0, q1, q2, q3, lo, hi) on w.label_class between q.lo and q.hi
      where ${sql.raw(SCAN_DISTANCE)} <= ${query.maxDistance}`
    : emptyCandidates();
  return rankWithExact(candidates, query);
}

function emptyCandidates(): RawBuilder<unknown> {
  return sql`select null::text as work_id, null::bigint as row_id, null::text as stored_label, null::boolean as structure, null::int as q_ord, null::int as distance where false`;
}

/**
 * The ranking of the full scan; aura_find_matches (migrations 0010, 0021) ranks the index's candidates
 * alike: a work's best PDQ pair and its best structure pair, each kept.
 */
function rankWithExact(candidates: RawBuilder<unknown>, query: MatchQuery): RawBuilder<MatchRow> {
  const exact = query.sha256
    ? sql`select id as work_id from works where sha256 = ${query.sha256}`
    : sql`select null::text as work_id where false`;
  return sql<MatchRow>`
    with candidates as (${candidates}),
    best as (
      select distinct on (work_id, structure) work_id, distance, q_ord, stored_label, structure
      from candidates
      order by work_id, structure, distance, q_ord, row_id
    ),
    exact as (${exact})
    select w.id as work_id, b.distance, b.q_ord, b.stored_label, (e.work_id is not null) as exact, w.status
    from best b
    full join exact e on e.work_id = b.work_id
    join works w on w.id = coalesce(b.work_id, e.work_id)
    order by (e.work_id is not null) desc, coalesce(b.distance, 0), w.id, b.structure
    limit ${query.limit}`;
}

/**
 * Bulk loading fast path for an initial import: the 16 slot btrees, the work_id index and the foreign
 * key are dropped, the rows loaded, then the btrees rebuilt in one sorted pass each and the key
 * validated in one join (measured 5x faster than maintaining them row by row). Only for a table
 * nobody queries meanwhile: matches are missed while the indexes are gone.
 */
export async function withIndexesDeferred<T>(db: Kysely<Database>, load: () => Promise<T>): Promise<T> {
  await sql`alter table work_hashes drop constraint if exists ${sql.id(WORK_FOREIGN_KEY)}`.execute(db);
  await sql`drop index if exists ${sql.id(WORK_ID_INDEX)}`.execute(db);
  for (let slot = 0; slot < SLOT_COUNT; slot++) await sql`drop index if exists ${sql.id(slotIndexName(slot))}`.execute(db);
  try {
    return await load();
  } finally {
    await db.connection().execute(async (conn) => {
      await sql`set maintenance_work_mem = '256MB'`.execute(conn);
      for (let slot = 0; slot < SLOT_COUNT; slot++) await sql.raw(slotIndexDdl(slot)).execute(conn);
      await sql`create index ${sql.id(WORK_ID_INDEX)} on work_hashes (work_id)`.execute(conn);
      await sql`alter table work_hashes add constraint ${sql.id(WORK_FOREIGN_KEY)} foreign key (work_id) references works (id)`.execute(
        conn,
      );
      await sql`reset maintenance_work_mem`.execute(conn);
    });
  }
}

/** The hashes a work has in the match index, as 64 hex characters, by label. */
export async function findStoredHashes(db: Kysely<Database>, workId: string): Promise<{ label: string; hash: string }[]> {
  const rows = await sql<{ label: string; h0: string; h1: string; h2: string; h3: string }>`
    select label, h0::text as h0, h1::text as h1, h2::text as h2, h3::text as h3
    from work_hashes where work_id = ${workId} order by label, id`.execute(db);
  return rows.rows.map((r) => ({ label: r.label, hash: hashFromWords([r.h0, r.h1, r.h2, r.h3]) }));
}

/** PDQ quality of the registered image of each work (the match rule is stricter for low-detail images). */
export async function findWorkQualities(db: Kysely<Database>, workIds: string[]): Promise<Map<string, number>> {
  if (workIds.length === 0) return new Map();
  const rows = await db.selectFrom('works').select(['id', 'pdq_quality']).where('id', 'in', workIds).execute();
  return new Map(rows.map((r) => [r.id, r.pdq_quality]));
}
