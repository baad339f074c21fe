import { sql, type Kysely } from 'kysely';

/**
 * Finding 5 and 6 of issue 18.
 *
 * `accounts.profile_signed`: true when the account's creation proof covers its display name, bio and
 * website. Accounts created before this migration signed only handle, kind and key: they stay readable
 * and are shown as "profile not signed".
 *
 * `log_signing_key`: the public key of the log, stored by the first process that starts on the
 * database; a process with another key refuses to start (api/log/service.ts `claimKey`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('profile_signed', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .createTable('log_signing_key')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('public_key', 'bytea', (c) => c.notNull())
    .addColumn('verifier_key', 'text', (c) => c.notNull())
    .addColumn('stored_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('log_signing_key').execute();
  await db.schema.alterTable('accounts').dropColumn('profile_signed').execute();
}
