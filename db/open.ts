import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql, type Dialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { Database } from './schema.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; without it the embedded database is used. */
  url?: string | undefined;
  /** Folder for the embedded database; `memory://` for a throw-away one. */
  dataDir?: string;
  poolSize?: number;
  /**
   * How long a pooled connection may sit idle before it is closed (pg's default is 10 s). A new
   * connection's first verify plans the match functions and warms its caches: 18.7 ms against 5.8 ms
   * at 100,000 hashes (scripts/bench-index.ts), so a quiet registry should keep its connections.
   */
  idleTimeoutMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 600_000;
const INT8 = 20;
const BYTEA = 17;

// Both dialects return int8 as number and bytea as Buffer, so one code path behaves the same on both.
pg.types.setTypeParser(INT8, (v: string) => Number(v));
const pgliteParsers = {
  [INT8]: (v: string) => Number(v),
  [BYTEA]: (v: string) => Buffer.from(v.startsWith('\\x') ? v.slice(2) : v, 'hex'),
};

export async function openDatabase(options: DatabaseOptions): Promise<OpenedDatabase> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10, options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  return openEmbedded(options.dataDir ?? 'memory://');
}

async function openPostgres(url: string, poolSize: number, idleTimeoutMs: number): Promise<OpenedDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000, idleTimeoutMillis: idleTimeoutMs });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // A client checked out of the pool has no error listener; losing the server then would be an uncaught
  // exception that kills the process. Its pending query still fails (→ 503), so the event itself is ignored.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

async function openEmbedded(dataDir: string): Promise<OpenedDatabase> {
  let location = dataDir;
  if (!dataDir.startsWith('memory://')) {
    location = path.join(dataDir, 'pglite');
    fs.mkdirSync(location, { recursive: true });
  }
  const client = await PGlite.create(location, { parsers: pgliteParsers });
  const dialect: Dialect = new PGliteDialect(client);
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      if (!client.closed) await client.close();
    },
  };
}

export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
