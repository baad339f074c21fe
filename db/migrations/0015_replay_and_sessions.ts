import type { Kysely } from 'kysely';

/**
 * Finding 2 and 4 of issue 18.
 *
 * `used_signatures`: one row per client JWS the registry accepted (sign-in, account creation, key
 * changes, registrations, attestations, revocations, disputes), keyed by the SHA-256 of its signing
 * input (`header.payload`), so the same signed action is accepted once; api/identity/used-signatures.ts
 * owns it. Kept for good: a row per accepted write, as the log keeps an entry per write.
 *
 * `sessions`: server-side sessions; the token names its row (`jti`) and is honoured only while the row
 * is there and not revoked, so sign-out ends it in every process sharing the database.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('used_signatures')
    .addColumn('signing_input_sha256', 'bytea', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('used_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropTable('used_signatures').execute();
}
