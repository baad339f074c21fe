import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { PublicJwk } from './jwk.ts';

type Db = Kysely<Database>;

export const findAccountByHandle = (db: Db, handle: string) =>
  db.selectFrom('accounts').selectAll().where('handle', '=', handle).executeTakeFirst();

export const findAccountById = (db: Db, id: string) => db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();

/** An account a stored row refers to: its foreign key guarantees the account exists. */
export const getAccountById = (db: Db, id: string) => db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** The key ids of some accounts, revoked ones included. */
export async function listKidsOfAccounts(db: Db, accountIds: string[]): Promise<string[]> {
  if (!accountIds.length) return [];
  const rows = await db.selectFrom('keys').select('kid').where('account_id', 'in', accountIds).execute();
  return rows.map((k) => k.kid);
}

export const findKey = (db: Db, kid: string) => db.selectFrom('keys').selectAll().where('kid', '=', kid).executeTakeFirst();

export const listKeys = (db: Db, accountId: string) =>
  db.selectFrom('keys').selectAll().where('account_id', '=', accountId).orderBy('added_at').orderBy('kid').execute();

export async function countActiveKeys(db: Db, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertAccount(
  db: Db,
  account: {
    id: string;
    handle: string;
    kind: 'artist' | 'organization';
    displayName: string;
    bio: string;
    website: string | null;
    profileSigned: boolean;
    createdAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('accounts')
    .values({
      id: account.id,
      handle: account.handle,
      kind: account.kind,
      display_name: account.displayName,
      bio: account.bio,
      website: account.website,
      profile_signed: account.profileSigned,
      created_at: account.createdAt,
    })
    .execute();
}

export const setAccountLogIndex = (db: Db, id: string, logIndex: number) =>
  db.updateTable('accounts').set({ log_index: logIndex }).where('id', '=', id).execute();

export async function insertKey(db: Db, key: { kid: string; accountId: string; jwk: PublicJwk; addedAt: Date }): Promise<void> {
  await db
    .insertInto('keys')
    .values({ kid: key.kid, account_id: key.accountId, jwk: JSON.stringify(key.jwk), status: 'active', added_at: key.addedAt })
    .execute();
}

export const setKeyAddedLogIndex = (db: Db, kid: string, logIndex: number) =>
  db.updateTable('keys').set({ added_log_index: logIndex }).where('kid', '=', kid).execute();

export async function revokeKey(db: Db, kid: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('keys')
    .set({ status: 'revoked', revoked_at: at })
    .where('kid', '=', kid)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export const setKeyRevokedLogIndex = (db: Db, kid: string, logIndex: number) =>
  db.updateTable('keys').set({ revoked_log_index: logIndex }).where('kid', '=', kid).execute();

export async function insertChallenge(db: Db, nonce: string, expiresAt: Date): Promise<void> {
  await db.insertInto('auth_challenges').values({ nonce, expires_at: expiresAt, used_at: null }).execute();
}

/** Marks a challenge used; true only for the first use of an unexpired nonce (atomic, so a replay loses). */
export async function consumeChallenge(db: Db, nonce: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('auth_challenges')
    .set({ used_at: now })
    .where('nonce', '=', nonce)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export const deleteExpiredChallenges = (db: Db, now: Date) =>
  db
    .deleteFrom('auth_challenges')
    .where('expires_at', '<', new Date(now.getTime() - 3600_000))
    .execute();

export async function insertSession(
  db: Db,
  session: { id: string; accountId: string; kid: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      account_id: session.accountId,
      kid: session.kid,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      revoked_at: null,
    })
    .execute();
}

export const findSession = (db: Db, id: string) => db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();

export const revokeSession = (db: Db, id: string, at: Date) =>
  db.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();

/** Sessions an hour past their end are of no use even to explain a refusal. */
export const deleteExpiredSessions = (db: Db, now: Date) =>
  db
    .deleteFrom('sessions')
    .where('expires_at', '<', new Date(now.getTime() - 3600_000))
    .execute();

/** A server-wide secret shared by every API process (first writer wins). */
export async function getOrCreateSecret(db: Db, name: string, fresh: () => string): Promise<string> {
  await db
    .insertInto('server_secrets')
    .values({ name, value: fresh() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

export async function isSignatureUsed(db: Db, signingInputSha256: Buffer): Promise<boolean> {
  const row = await db
    .selectFrom('used_signatures')
    .select('used_at')
    .where('signing_input_sha256', '=', signingInputSha256)
    .executeTakeFirst();
  return row !== undefined;
}

/** Records a signature as used; false when it was used already (the first insert wins, a racing one waits for it). */
export async function insertUsedSignature(
  db: Db,
  use: { signingInputSha256: Buffer; purpose: string; accountId: string | null; at: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto('used_signatures')
    .values({ signing_input_sha256: use.signingInputSha256, purpose: use.purpose, account_id: use.accountId, used_at: use.at })
    .onConflict((oc) => oc.column('signing_input_sha256').doNothing())
    .returning('used_at')
    .executeTakeFirst();
  return inserted !== undefined;
}
