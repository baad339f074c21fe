import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('artist', 'organization')`))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('bio', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('website', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('log_index', 'bigint')
    .execute();

  await db.schema
    .createTable('keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('jwk', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'revoked')`))
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('added_log_index', 'bigint')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_log_index', 'bigint')
    .execute();
  await db.schema.createIndex('keys_account_idx').on('keys').column('account_id').execute();

  await db.schema
    .createTable('auth_challenges')
    .addColumn('nonce', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('drafts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('fingerprint', 'jsonb', (c) => c.notNull())
    .addColumn('evidence_private', 'jsonb', (c) => c.notNull())
    .addColumn('thumbnail', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('works')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kid', 'text', (c) => c.notNull().references('keys.kid'))
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('pdq', 'text', (c) => c.notNull())
    .addColumn('pdq_quality', 'integer', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('digital_source_type', 'text', (c) => c.notNull())
    .addColumn('evidence_private', 'jsonb', (c) => c.notNull())
    .addColumn('thumbnail', 'bytea', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'revoked')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('log_index', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_log_index', 'bigint')
    .addColumn('revocation_jws', 'text')
    .execute();
  await db.schema.createIndex('works_sha256_idx').on('works').column('sha256').execute();
  await db.schema.createIndex('works_account_idx').on('works').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('works_created_idx').on('works').column('created_at').execute();

  await db.schema
    .createTable('process_images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_id', 'text', (c) => c.notNull().references('works.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kid', 'text', (c) => c.notNull().references('keys.kid'))
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('pdq', 'text', (c) => c.notNull())
    .addColumn('thumbnail', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('log_index', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('process_work_idx').on('process_images').column('work_id').execute();

  await db.schema
    .createTable('attestations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_id', 'text', (c) => c.notNull().references('works.id'))
    .addColumn('issuer_account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kid', 'text', (c) => c.notNull().references('keys.kid'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('date', 'text')
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'revoked')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('log_index', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_log_index', 'bigint')
    .addColumn('revocation_jws', 'text')
    .execute();
  await db.schema.createIndex('attestations_work_idx').on('attestations').column('work_id').execute();
  await db.schema.createIndex('attestations_issuer_idx').on('attestations').column('issuer_account_id').execute();

  await db.schema
    .createTable('disputes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_id', 'text', (c) => c.notNull().references('works.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kid', 'text', (c) => c.notNull().references('keys.kid'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('log_index', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('disputes_work_idx').on('disputes').column('work_id').execute();

  await db.schema
    .createTable('log_entries')
    .addColumn('idx', 'bigint', (c) => c.primaryKey())
    .addColumn('body', 'bytea', (c) => c.notNull())
    .addColumn('leaf_hash', 'bytea', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('log_entries_subject_idx').on('log_entries').column('subject_id').execute();

  await db.schema
    .createTable('checkpoints')
    .addColumn('size', 'bigint', (c) => c.primaryKey())
    .addColumn('root', 'bytea', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'checkpoints',
    'log_entries',
    'disputes',
    'attestations',
    'process_images',
    'works',
    'drafts',
    'auth_challenges',
    'keys',
    'accounts',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
