import { Migrator, sql, type Kysely } from 'kysely';
import { migrations } from './migrations/index.ts';

/**
 * Migrations that rewrite the match index's table (a stored generated column re-added, or the table
 * rebuilt). A rewritten table starts with an empty visibility map, so every index-only probe would
 * also visit the heap until a vacuum; the slot btrees are read index-only on every verify.
 */
const REWRITE_WORK_HASHES = new Set([
  '0008_lightness_class',
  '0009_clipped_lightness',
  '0013_edge_classes',
  '0020_structure_class',
  '0022_part_classes',
  '0023_hash_words',
]);

/**
 * Brings the schema up to date. Kysely's Postgres adapter takes an advisory lock around the run,
 * so several processes starting at once against one server apply each migration exactly once.
 * After a run that rewrote work_hashes, vacuums it (outside the migrations' transactions, where
 * VACUUM cannot run) so the match index is index-only again at once.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and define) the schema the typed database has
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (applied.some((name) => REWRITE_WORK_HASHES.has(name))) await sql`vacuum analyze work_hashes`.execute(db);
  return applied;
}
