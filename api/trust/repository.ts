import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { PublicJwk } from '../identity/jwk.ts';

type Db = Kysely<Database>;

/** Stores the registry's key for `role` if none is stored yet (first writer wins); returns the stored kid. */
export async function pinRegistryKey(db: Db, role: string, kid: string, jwk: PublicJwk): Promise<string> {
  await db
    .insertInto('registry_keys')
    .values({ role, kid, public_jwk: JSON.stringify(jwk) })
    .onConflict((oc) => oc.column('role').doNothing())
    .execute();
  const row = await db.selectFrom('registry_keys').select('kid').where('role', '=', role).executeTakeFirstOrThrow();
  return row.kid;
}

export const findVerification = (db: Db, accountId: string) =>
  db.selectFrom('organization_verifications').selectAll().where('account_id', '=', accountId).executeTakeFirst();

export const listVerifications = (db: Db, accountIds: string[]) =>
  accountIds.length
    ? db.selectFrom('organization_verifications').selectAll().where('account_id', 'in', accountIds).execute()
    : Promise.resolve([]);

export async function saveVerified(
  db: Db,
  v: { accountId: string; operatorKid: string; note: string | null; domain: string | null; at: Date; logIndex: number; jws: string },
): Promise<void> {
  const values = {
    status: 'verified' as const,
    operator_kid: v.operatorKid,
    note: v.note,
    domain: v.domain,
    verified_at: v.at,
    verified_log_index: v.logIndex,
    verification_jws: v.jws,
    withdrawn_at: null,
    withdrawn_log_index: null,
    withdrawal_jws: null,
    withdrawal_reason: null,
  };
  await db
    .insertInto('organization_verifications')
    .values({ account_id: v.accountId, ...values })
    .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
    .execute();
}

export async function saveWithdrawn(
  db: Db,
  w: { accountId: string; at: Date; logIndex: number; jws: string; reason: string },
): Promise<boolean> {
  const result = await db
    .updateTable('organization_verifications')
    .set({ status: 'withdrawn', withdrawn_at: w.at, withdrawn_log_index: w.logIndex, withdrawal_jws: w.jws, withdrawal_reason: w.reason })
    .where('account_id', '=', w.accountId)
    .where('status', '=', 'verified')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function saveDomainLink(
  db: Db,
  link: { accountId: string; domain: string; kids: string[]; documentSha256: string; at: Date; logIndex: number },
): Promise<void> {
  const values = { kids: JSON.stringify(link.kids), document_sha256: link.documentSha256, linked_at: link.at, log_index: link.logIndex };
  await db
    .insertInto('organization_domains')
    .values({ account_id: link.accountId, domain: link.domain, ...values })
    .onConflict((oc) => oc.columns(['account_id', 'domain']).doUpdateSet(values))
    .execute();
}

export const listDomainLinks = (db: Db, accountId: string) =>
  db.selectFrom('organization_domains').selectAll().where('account_id', '=', accountId).orderBy('log_index').execute();
