import { sql, type Kysely } from 'kysely';

/**
 * Manifest stores of the credentialed downloads (api/content-credentials): served at /manifests/{id} by the
 * manifest label (urn:c2pa:…) or, for the newest one, by the work id, so a stripped copy that the soft
 * binding finds again can get its manifest back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('content_credentials')
    .addColumn('manifest_id', 'text', (c) => c.primaryKey())
    .addColumn('work_id', 'text', (c) => c.notNull().references('works.id'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('manifest_store', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('content_credentials_work_idx').on('content_credentials').columns(['work_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('content_credentials').execute();
}
