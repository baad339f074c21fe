import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { nodeKey, type NodeId } from './merkle.ts';

type Db = Kysely<Database>;

/** Arbitrary constant naming the log's transaction-level advisory lock (shared by every process). */
export const LOG_LOCK_KEY = 4_702_111_234_474_983;

/** Serialises appends and checkpoint signing across processes until the transaction ends. */
export async function lockLog(db: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(${LOG_LOCK_KEY}::bigint)`.execute(db);
}

/** Number of entries; indices are dense so this is max(idx) + 1 (an index-only lookup). */
export async function logSize(db: Db): Promise<number> {
  const row = await db
    .selectFrom('log_entries')
    .select((eb) => eb.fn.max('idx').as('last'))
    .executeTakeFirst();
  const last = row?.last;
  return last === null || last === undefined ? 0 : Number(last) + 1;
}

export interface StoredNode extends NodeId {
  hash: Buffer;
}

/** Fetches perfect-subtree hashes in one query, keyed by `nodeKey`. */
export async function fetchNodes(db: Db, ids: NodeId[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (!ids.length) return found;
  const tuples = sql.join(ids.map((n) => sql`(${n.level}::integer, ${n.index}::bigint)`));
  const result = await sql<{ level: number; idx: number; hash: Buffer }>`
    select level, idx, hash from log_nodes where (level, idx) in (${tuples})`.execute(db);
  for (const row of result.rows) found.set(nodeKey({ level: Number(row.level), index: Number(row.idx) }), row.hash);
  return found;
}

export interface NewEntryRow {
  index: number;
  body: Buffer;
  leafHash: Buffer;
  type: string;
  subjectId: string | null;
  createdAt: Date;
}

/** Rows per INSERT, well under PostgreSQL's 65535 bind parameters. */
const INSERT_CHUNK = 1000;

export async function insertEntries(db: Db, entries: NewEntryRow[], nodes: StoredNode[]): Promise<void> {
  for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
    await db
      .insertInto('log_entries')
      .values(
        entries.slice(i, i + INSERT_CHUNK).map((e) => ({
          idx: e.index,
          body: e.body,
          leaf_hash: e.leafHash,
          type: e.type,
          subject_id: e.subjectId,
          created_at: e.createdAt,
        })),
      )
      .execute();
  }
  for (let i = 0; i < nodes.length; i += INSERT_CHUNK * 2) {
    await db
      .insertInto('log_nodes')
      .values(nodes.slice(i, i + INSERT_CHUNK * 2).map((n) => ({ level: n.level, idx: n.index, hash: n.hash })))
      .execute();
  }
}

export interface EntryRow {
  idx: number;
  body: Buffer;
  leaf_hash: Buffer;
}

export async function findEntry(db: Db, index: number): Promise<EntryRow | undefined> {
  return db.selectFrom('log_entries').select(['idx', 'body', 'leaf_hash']).where('idx', '=', index).executeTakeFirst();
}

export async function findEntries(db: Db, start: number, end: number): Promise<EntryRow[]> {
  return db
    .selectFrom('log_entries')
    .select(['idx', 'body', 'leaf_hash'])
    .where('idx', '>=', start)
    .where('idx', '<', end)
    .orderBy('idx')
    .execute();
}

export interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
}

export async function latestCheckpoint(db: Db): Promise<CheckpointRow | undefined> {
  return db.selectFrom('checkpoints').select(['size', 'root', 'note']).orderBy('size', 'desc').limit(1).executeTakeFirst();
}

export async function insertCheckpoint(db: Db, row: CheckpointRow & { createdAt: Date }): Promise<void> {
  await db.insertInto('checkpoints').values({ size: row.size, root: row.root, note: row.note, created_at: row.createdAt }).execute();
}

/** The log's public key as the first process on this database stored it; the first caller's key wins. */
export async function storeLogKeyIfAbsent(
  db: Db,
  key: { publicKey: Buffer; verifierKey: string; at: Date },
): Promise<{ publicKey: Buffer; verifierKey: string }> {
  await db
    .insertInto('log_signing_key')
    .values({ id: 1, public_key: key.publicKey, verifier_key: key.verifierKey, stored_at: key.at })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await db.selectFrom('log_signing_key').select(['public_key', 'verifier_key']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { publicKey: row.public_key, verifierKey: row.verifier_key };
}

/** Entries about some subjects, optionally only entries of some types. */
export interface SubjectFilter {
  subjectIds: string[];
  types?: string[];
}

/** Entries about the subjects of any filter, in log order. */
export async function findEntriesAbout(db: Db, filters: SubjectFilter[]): Promise<Array<{ idx: number; type: string; created_at: Date }>> {
  const used = filters.filter((f) => f.subjectIds.length > 0 && f.types?.length !== 0);
  if (!used.length) return [];
  return db
    .selectFrom('log_entries')
    .select(['idx', 'type', 'created_at'])
    .where((eb) =>
      eb.or(
        used.map((f) =>
          f.types ? eb.and([eb('type', 'in', f.types), eb('subject_id', 'in', f.subjectIds)]) : eb('subject_id', 'in', f.subjectIds),
        ),
      ),
    )
    .orderBy('idx')
    .execute();
}
