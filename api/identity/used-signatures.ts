import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { AppError } from '../errors.ts';
import { insertUsedSignature, isSignatureUsed } from './repository.ts';

type Db = Kysely<Database>;

/** What the accepted JWS was for, kept next to its hash to explain the row. */
export type SignaturePurpose =
  | 'sign-in'
  | 'account.create'
  | 'key.add'
  | 'key.revoke'
  | 'work.register'
  | 'process.register'
  | 'attestation.issue'
  | 'attestation.revoke'
  | 'work.revoke'
  | 'work.dispute';

/**
 * The SHA-256 of a compact JWS's signing input (`header.payload`). The signature part is left out on
 * purpose: its last base64url character has spare bits, so one signature has several spellings, while
 * the signing input cannot change without the signature failing.
 */
export function signingInputHash(jws: string): Buffer {
  return createHash('sha256')
    .update(jws.slice(0, jws.lastIndexOf('.')))
    .digest();
}

export const replayed = () => new AppError('jws_replayed', 'this signed request was already accepted once; sign a new one');

/** Early answer for a replay, before any other work. The insert in `spendSignature` is what guarantees it. */
export async function refuseReplay(db: Db, jws: string): Promise<void> {
  if (await isSignatureUsed(db, signingInputHash(jws))) throw replayed();
}

/**
 * Records the JWS as used, inside the transaction that does what it asks: a concurrent or later replay
 * finds the row (PostgreSQL makes a racing insert wait for the first transaction) and the whole
 * transaction, log entry included, rolls back with 409 `jws_replayed`.
 */
export async function spendSignature(
  db: Db,
  jws: string,
  use: { purpose: SignaturePurpose; accountId: string | null; at: Date },
): Promise<void> {
  const inserted = await insertUsedSignature(db, { signingInputSha256: signingInputHash(jws), ...use });
  if (!inserted) throw replayed();
}
