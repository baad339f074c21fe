import { Migrator, type Kysely } from 'kysely';
import { migrations } from './migrations/index.ts';

/**
 * Brings the schema up to date. Kysely's Postgres adapter takes an advisory lock around the run,
 * so several processes starting at once against one server apply each migration exactly once.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and define) the schema the typed database has
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
