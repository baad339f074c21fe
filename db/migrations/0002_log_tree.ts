import type { Kysely } from 'kysely';

/**
 * Every complete (perfect) subtree hash of the log, written at append time: 2^level leaves starting at
 * leaf idx·2^level. Level 0 holds the leaf hashes. Roots and proofs read O(log n) rows, never rebuild.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('log_nodes')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_nodes_pk', ['level', 'idx'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('log_nodes').execute();
}
