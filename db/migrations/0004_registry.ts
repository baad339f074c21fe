import { sql, type Kysely } from 'kysely';

/** Registry additions: typed drafts, process images before the final work, server-held secrets. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('drafts')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('work'))
    .execute();
  await db.schema.alterTable('drafts').addColumn('work_id', 'text').execute();
  await db.schema
    .alterTable('drafts')
    .alterColumn('thumbnail', (c) => c.dropNotNull())
    .execute();
  await db.schema
    .alterTable('process_images')
    .alterColumn('work_id', (c) => c.dropNotNull())
    .execute();
  await db.schema
    .alterTable('works')
    .addColumn('composite', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .alterTable('works')
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('process_account_idx').on('process_images').column('account_id').execute();
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('server_secrets').execute();
}
