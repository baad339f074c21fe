import { sql, type Kysely } from 'kysely';

/**
 * Trust that cannot be self-issued (issue 18). The operator's verification of organisations, the domains
 * organisations proved they control, and the registry's own public keys that every process must share.
 *
 * Existing organisations get no row in `organization_verifications`: after this migration every one of them
 * is unverified, so their attestations no longer raise a work to level 3 until the operator verifies them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('registry_keys')
    .addColumn('role', 'text', (c) => c.primaryKey())
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('organization_verifications')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('verified', 'withdrawn')`))
    .addColumn('operator_kid', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('domain', 'text')
    .addColumn('verified_at', 'timestamptz', (c) => c.notNull())
    .addColumn('verified_log_index', 'bigint', (c) => c.notNull())
    .addColumn('verification_jws', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'timestamptz')
    .addColumn('withdrawn_log_index', 'bigint')
    .addColumn('withdrawal_jws', 'text')
    .addColumn('withdrawal_reason', 'text')
    .execute();

  await db.schema
    .createTable('organization_domains')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('kids', 'jsonb', (c) => c.notNull())
    .addColumn('document_sha256', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('log_index', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('organization_domains_pk', ['account_id', 'domain'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('organization_domains').execute();
  await db.schema.dropTable('organization_verifications').execute();
  await db.schema.dropTable('registry_keys').execute();
}
