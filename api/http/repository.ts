import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

type Db = Kysely<Database>;

/** The request an Idempotency-Key names: its key within a scope (account id or 'anonymous'). */
export interface IdempotencyKey {
  scope: string;
  key: string;
}

/** Claims the key for a request; false when a row for it exists already. */
export async function claimIdempotencyKey(
  db: Db,
  { scope, key }: IdempotencyKey,
  claim: { fingerprint: string; at: Date; lockedUntil: Date; expiresAt: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      scope,
      key,
      fingerprint: claim.fingerprint,
      status: null,
      content_type: null,
      response: null,
      created_at: claim.at,
      locked_until: claim.lockedUntil,
      expires_at: claim.expiresAt,
    })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export const findIdempotentAnswer = (db: Db, { scope, key }: IdempotencyKey) =>
  db
    .selectFrom('idempotency_keys')
    .select(['fingerprint', 'status', 'content_type', 'response', 'locked_until', 'expires_at'])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();

/** Only one of several retries racing for a dead claim wins it. */
export async function takeOverIdempotencyClaim(
  db: Db,
  { scope, key }: IdempotencyKey,
  fingerprint: string,
  now: Date,
  lockedUntil: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({ locked_until: lockedUntil })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('fingerprint', '=', fingerprint)
    .where('status', 'is', null)
    .where('locked_until', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function saveIdempotentAnswer(
  db: Db,
  { scope, key }: IdempotencyKey,
  answer: { status: number; contentType: string | null; body: Buffer },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status: answer.status, content_type: answer.contentType, response: answer.body })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .execute();
}

/** Gives up a claim whose request kept no answer, so a retry runs it again. */
export async function releaseIdempotencyClaim(db: Db, { scope, key }: IdempotencyKey): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).where('status', 'is', null).execute();
}

export async function removeExpiredIdempotencyKey(db: Db, { scope, key }: IdempotencyKey, now: Date): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).where('expires_at', '<=', now).execute();
}
