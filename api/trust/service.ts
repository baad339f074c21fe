import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../clock.ts';
import { AppError, notFound } from '../errors.ts';
import type { PublicJwk } from '../identity/jwk.ts';
import { findAccountByHandle } from '../identity/repository.ts';
import { recordLogged } from '../log/record-logged.ts';
import type { TransparencyLog } from '../log/types.ts';
import { signOperatorStatement, verifyOperatorStatement, type OperatorKey } from './operator-key.ts';
import * as repo from './repository.ts';
import { parseDomain } from './domain-fetch.ts';

/** The registry operator's public key, as every process of one registry shares it (pinned in the database). */
export interface RegistryOperator {
  kid: string;
  publicJwk: PublicJwk;
}

export const UNVERIFIED_LABEL = 'unverified organisation';
export const VERIFIED_LABEL = 'verified organisation';

/** What the public sees about an organisation's standing with the operator. */
export interface OrganizationStanding {
  verified: boolean;
  label: typeof VERIFIED_LABEL | typeof UNVERIFIED_LABEL;
  /** The operator's latest word: null when the operator never verified this organisation. */
  verification: {
    status: 'verified' | 'withdrawn';
    since: string;
    by: { role: 'registry operator'; kid: string };
    note: string | null;
    domain: string | null;
    logIndex: number;
    withdrawnAt: string | null;
    withdrawnLogIndex: number | null;
    withdrawalReason: string | null;
  } | null;
}

const UNVERIFIED: OrganizationStanding = { verified: false, label: UNVERIFIED_LABEL, verification: null };

export interface TrustDeps {
  db: Kysely<Database>;
  clock: Clock;
  log: TransparencyLog;
  operator: RegistryOperator;
}

/**
 * The operator vouches for organisations in the log (`organization.verified` / `organization.withdrawn`, each a
 * JWS by the operator key). An organisation counts as verified only while its latest statement is a verification
 * that re-verifies under the registry's operator key: a row written any other way proves nothing.
 */
export class OrganizationTrust {
  constructor(private readonly deps: TrustDeps) {}

  async standingOf(accountIds: string[]): Promise<Map<string, OrganizationStanding>> {
    const rows = await repo.listVerifications(this.deps.db, [...new Set(accountIds)]);
    const result = new Map<string, OrganizationStanding>();
    for (const row of rows) result.set(row.account_id, await this.describe(row));
    for (const id of accountIds) if (!result.has(id)) result.set(id, UNVERIFIED);
    return result;
  }

  async standing(accountId: string): Promise<OrganizationStanding> {
    return (await this.standingOf([accountId])).get(accountId)!;
  }

  private async describe(row: Awaited<ReturnType<typeof repo.listVerifications>>[number]): Promise<OrganizationStanding> {
    const { operator } = this.deps;
    const signed =
      row.operator_kid === operator.kid && (await this.statementHolds(row.verification_jws, 'organization.verify', row.account_id));
    const verified = signed && row.status === 'verified';
    return {
      verified,
      label: verified ? VERIFIED_LABEL : UNVERIFIED_LABEL,
      verification: {
        status: row.status,
        since: row.verified_at.toISOString(),
        by: { role: 'registry operator', kid: row.operator_kid },
        note: row.note,
        domain: row.domain,
        logIndex: row.verified_log_index,
        withdrawnAt: row.withdrawn_at?.toISOString() ?? null,
        withdrawnLogIndex: row.withdrawn_log_index,
        withdrawalReason: row.withdrawal_reason,
      },
    };
  }

  private async statementHolds(jws: string, action: string, accountId: string): Promise<boolean> {
    try {
      const { payload } = await verifyOperatorStatement(jws, this.deps.operator.publicJwk);
      return payload.action === action && (payload.account as { id?: unknown } | undefined)?.id === accountId;
    } catch {
      return false;
    }
  }

  /** The profile's evidence about an organisation: the operator's word, and the domains it proved it controls. */
  async profile(accountId: string) {
    const [standing, domains] = await Promise.all([this.standing(accountId), repo.listDomainLinks(this.deps.db, accountId)]);
    return {
      ...standing,
      domains: domains.map((d) => ({
        domain: d.domain,
        kids: d.kids as string[],
        linkedAt: d.linked_at.toISOString(),
        logIndex: d.log_index,
      })),
    };
  }

  /**
   * `aura operator verify-organization`: signs and logs `organization.verified`. Signs no checkpoint: the command
   * runs outside the server, and the server signs the grown tree on its next checkpoint (within about a second).
   */
  async verifyOrganization(key: OperatorKey, handle: string, options: { note?: string | undefined; domain?: string | undefined }) {
    this.requireRegistryKey(key);
    if (options.note && options.note.length > 1000) throw new AppError('validation_failed', 'a note is at most 1000 characters');
    if (options.domain) options = { ...options, domain: parseDomain(options.domain, { allowLoopbackHttp: false }).domain };
    const account = await this.requireOrganization(handle);
    const current = await repo.findVerification(this.deps.db, account.id);
    if (current?.status === 'verified')
      throw new AppError('conflict', `@${handle} is already verified (since ${current.verified_at.toISOString()})`);
    const now = this.deps.clock.now();
    const statement = {
      action: 'organization.verify',
      account: { id: account.id, handle },
      ...(options.note ? { note: options.note } : {}),
      ...(options.domain ? { domain: options.domain } : {}),
      iat: Math.floor(now.getTime() / 1000),
    };
    const jws = await signOperatorStatement(key, statement);
    const logIndex = await recordLogged(this.deps.db, this.deps.log, {
      events: [
        {
          type: 'organization.verified',
          subjectId: account.id,
          account: { id: account.id, handle },
          operatorKid: key.kid,
          ...(options.note ? { note: options.note } : {}),
          ...(options.domain ? { domain: options.domain } : {}),
          jws,
        },
      ],
      after: (trx, [logIndex]) =>
        repo.saveVerified(trx, {
          accountId: account.id,
          operatorKid: key.kid,
          note: options.note ?? null,
          domain: options.domain ?? null,
          at: now,
          logIndex,
          jws,
        }),
    });
    return { handle, accountId: account.id, logIndex, verifiedAt: now.toISOString() };
  }

  /** `aura operator withdraw-organization`: signs and logs `organization.withdrawn`. */
  async withdrawOrganization(key: OperatorKey, handle: string, reason: string) {
    this.requireRegistryKey(key);
    if (!reason.trim() || reason.length > 1000)
      throw new AppError('validation_failed', 'a withdrawal needs a reason of at most 1000 characters');
    const account = await this.requireOrganization(handle);
    const current = await repo.findVerification(this.deps.db, account.id);
    if (current?.status !== 'verified') throw new AppError('conflict', `@${handle} is not verified`);
    const now = this.deps.clock.now();
    const jws = await signOperatorStatement(key, {
      action: 'organization.withdraw',
      account: { id: account.id, handle },
      reason,
      iat: Math.floor(now.getTime() / 1000),
    });
    const logIndex = await recordLogged(this.deps.db, this.deps.log, {
      events: [
        { type: 'organization.withdrawn', subjectId: account.id, account: { id: account.id, handle }, operatorKid: key.kid, reason, jws },
      ],
      after: async (trx, [logIndex]) => {
        if (!(await repo.saveWithdrawn(trx, { accountId: account.id, at: now, logIndex, jws, reason }))) {
          throw new AppError('conflict', `@${handle} is not verified`);
        }
      },
    });
    return { handle, accountId: account.id, logIndex, withdrawnAt: now.toISOString() };
  }

  private requireRegistryKey(key: OperatorKey): void {
    if (key.kid !== this.deps.operator.kid) {
      throw new AppError('forbidden', `this operator key (${key.kid}) is not the registry's operator key (${this.deps.operator.kid})`);
    }
  }

  private async requireOrganization(handle: string) {
    const account = await findAccountByHandle(this.deps.db, handle);
    if (!account) throw notFound(`account @${handle}`);
    if (account.kind !== 'organization')
      throw new AppError('wrong_account_kind', `@${handle} is an artist account; only organisations are verified`);
    return account;
  }
}
