import { randomBytes, randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { recordLogged } from '../log/record-logged.ts';
import { JWS_TYPES, verifyWithKey } from './signatures.ts';
import { thumbprint, type PublicJwk } from './jwk.ts';
import { requireAudience, requireFreshIat, requireSignedFields, verifyAccountSignature } from './account-signatures.ts';
import { refuseReplay, spendSignature } from './used-signatures.ts';
import * as repo from './repository.ts';
import type { SessionIssuer } from './sessions.ts';
import { readSignedHeader } from './signatures.ts';

const CHALLENGE_TTL_MS = 5 * 60 * 1000;

export interface NewAccountInput {
  handle: string;
  displayName: string;
  kind: 'artist' | 'organization';
  bio?: string | undefined;
  website?: string | undefined;
  jwk: PublicJwk;
  proof: string;
}

export class IdentityService {
  constructor(
    private readonly ctx: AppContext,
    private readonly sessions: SessionIssuer,
  ) {}

  async createChallenge(): Promise<{ nonce: string; expiresAt: string }> {
    const now = this.ctx.clock.now();
    const nonce = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
    await repo.insertChallenge(this.ctx.db, nonce, expiresAt);
    await repo.deleteExpiredChallenges(this.ctx.db, now);
    return { nonce, expiresAt: expiresAt.toISOString() };
  }

  /** Sign-in: a JWS over the server's nonce, for this registry (`aud`), by an active key; the nonce is consumed once. */
  async signIn(jws: string) {
    const { kid } = readSignedHeader(jws, JWS_TYPES.auth);
    await refuseReplay(this.ctx.db, jws);
    const key = await repo.findKey(this.ctx.db, kid);
    if (!key) throw new AppError('invalid_signature', 'no account has this key');
    if (key.status !== 'active') throw new AppError('key_revoked', `key ${kid} has been revoked`);
    const { payload } = await verifyWithKey(jws, key.jwk as PublicJwk, JWS_TYPES.auth);
    if (typeof payload.nonce !== 'string') throw new AppError('challenge_invalid', 'the signed payload has no nonce');
    requireAudience(payload, this.ctx.config);
    const nonce = payload.nonce;
    const now = this.ctx.clock.now();
    await this.ctx.db.transaction().execute(async (trx) => {
      const fresh = await repo.consumeChallenge(trx, nonce, now);
      if (!fresh) throw new AppError('challenge_invalid', 'the challenge is unknown, expired or already used; request a new one');
      await spendSignature(trx, jws, { purpose: 'sign-in', accountId: key.account_id, at: now });
    });
    const account = (await repo.findAccountById(this.ctx.db, key.account_id))!;
    const session = { accountId: account.id, handle: account.handle, kind: account.kind, kid };
    const { token, expiresAt } = await this.sessions.issue(session);
    return { token, expiresAt, account: await this.getAccount(account.handle) };
  }

  async createAccount(input: NewAccountInput) {
    const kid = await thumbprint(input.jwk);
    const { payload, header } = await verifyWithKey(input.proof, input.jwk, JWS_TYPES.account);
    if (header.kid !== kid) throw new AppError('invalid_signature', 'the proof must name the new key as kid');
    requireSignedFields(payload, { handle: input.handle, kind: input.kind });
    requireSignedFields(signedProfile(payload), signedProfile(input));
    if ((await thumbprint(payload.jwk as PublicJwk).catch(() => '')) !== kid) {
      throw new AppError('invalid_signature', "the signed payload's jwk does not match the request");
    }
    requireFreshIat(payload, this.ctx.clock);
    await refuseReplay(this.ctx.db, input.proof);
    if (await repo.findAccountByHandle(this.ctx.db, input.handle)) {
      throw new AppError('handle_taken', `the handle @${input.handle} is taken`);
    }
    if (await repo.findKey(this.ctx.db, kid)) throw new AppError('conflict', 'this key already belongs to an account');

    const id = randomUUID();
    const now = this.ctx.clock.now();
    await recordLogged(this.ctx.db, this.ctx.log, {
      before: async (trx) => {
        await repo.insertAccount(trx, {
          id,
          handle: input.handle,
          kind: input.kind,
          displayName: input.displayName,
          bio: input.bio ?? '',
          website: input.website ?? null,
          profileSigned: true,
          createdAt: now,
        });
        await spendSignature(trx, input.proof, { purpose: 'account.create', accountId: id, at: now });
        await repo.insertKey(trx, { kid, accountId: id, jwk: input.jwk, addedAt: now });
      },
      events: [
        {
          type: 'account.created',
          subjectId: id,
          account: { id, handle: input.handle, kind: input.kind, displayName: input.displayName },
          jws: input.proof,
        },
        { type: 'key.added', subjectId: kid, account: { id, handle: input.handle }, kid, jwk: input.jwk, jws: input.proof },
      ],
      after: async (trx, [created, added]) => {
        await repo.setAccountLogIndex(trx, id, created);
        await repo.setKeyAddedLogIndex(trx, kid, added);
      },
    }).catch(rethrowUniqueAs('handle_taken', `the handle @${input.handle} is taken`));
    await this.ctx.log.checkpoint();
    return this.getAccount(input.handle);
  }

  /** Adds a key; the request is signed by a key already active on the account. */
  async addKey(handle: string, jwk: PublicJwk, jws: string) {
    const account = await repo.findAccountByHandle(this.ctx.db, handle);
    if (!account) throw notFound(`account @${handle}`);
    const kid = await thumbprint(jwk);
    const { payload, kid: signer } = await verifyAccountSignature(this.ctx.db, jws, JWS_TYPES.action, account.id);
    requireSignedFields(payload, { action: 'key.add', handle, kid });
    requireFreshIat(payload, this.ctx.clock);
    await refuseReplay(this.ctx.db, jws);
    if (await repo.findKey(this.ctx.db, kid)) throw new AppError('conflict', 'this key is already registered');
    const now = this.ctx.clock.now();
    await recordLogged(this.ctx.db, this.ctx.log, {
      before: async (trx) => {
        await spendSignature(trx, jws, { purpose: 'key.add', accountId: account.id, at: now });
        await repo.insertKey(trx, { kid, accountId: account.id, jwk, addedAt: now });
      },
      events: [{ type: 'key.added', subjectId: kid, account: { id: account.id, handle }, kid, jwk, signedBy: signer, jws }],
      after: (trx, [added]) => repo.setKeyAddedLogIndex(trx, kid, added),
    });
    await this.ctx.log.checkpoint();
    return { kid, status: 'active' as const };
  }

  /** Revokes a key; signed by an active key of the same account (it may be the key itself). */
  async revokeKey(kid: string, jws: string) {
    const key = await repo.findKey(this.ctx.db, kid);
    if (!key) throw notFound(`key ${kid}`);
    const { payload, kid: signer } = await verifyAccountSignature(this.ctx.db, jws, JWS_TYPES.action, key.account_id);
    requireSignedFields(payload, { action: 'key.revoke', kid });
    requireFreshIat(payload, this.ctx.clock);
    await refuseReplay(this.ctx.db, jws);
    if (key.status === 'revoked') throw new AppError('already_revoked', `key ${kid} is already revoked`);
    if ((await repo.countActiveKeys(this.ctx.db, key.account_id)) <= 1) {
      throw new AppError('conflict', 'this is the last active key of the account; add a new key before revoking it');
    }
    const account = (await repo.findAccountById(this.ctx.db, key.account_id))!;
    const now = this.ctx.clock.now();
    await recordLogged(this.ctx.db, this.ctx.log, {
      before: async (trx) => {
        await spendSignature(trx, jws, { purpose: 'key.revoke', accountId: account.id, at: now });
        if (!(await repo.revokeKey(trx, kid, now))) throw new AppError('already_revoked', `key ${kid} is already revoked`);
      },
      events: [{ type: 'key.revoked', subjectId: kid, account: { id: account.id, handle: account.handle }, kid, signedBy: signer, jws }],
      after: (trx, [revoked]) => repo.setKeyRevokedLogIndex(trx, kid, revoked),
    });
    await this.ctx.log.checkpoint();
    return { kid, status: 'revoked' as const };
  }

  async getAccount(handle: string) {
    const account = await repo.findAccountByHandle(this.ctx.db, handle);
    if (!account) throw notFound(`account @${handle}`);
    const keys = await repo.listKeys(this.ctx.db, account.id);
    return {
      id: account.id,
      handle: account.handle,
      kind: account.kind,
      displayName: account.display_name,
      bio: account.bio,
      website: account.website,
      profileSigned: account.profile_signed,
      createdAt: account.created_at.toISOString(),
      logIndex: account.log_index,
      keys: keys.map((k) => ({
        kid: k.kid,
        jwk: k.jwk as PublicJwk,
        status: k.status,
        addedAt: k.added_at.toISOString(),
        addedLogIndex: k.added_log_index,
        revokedAt: k.revoked_at?.toISOString() ?? null,
        revokedLogIndex: k.revoked_log_index,
      })),
    };
  }
}

/**
 * The profile fields an account signs at creation, absent ones spelled as stored ('' bio, null website),
 * so a client may leave them out of both the request and the signed payload.
 */
function signedProfile(source: { displayName?: unknown; bio?: unknown; website?: unknown }) {
  return { displayName: source.displayName, bio: source.bio ?? '', website: source.website ?? null };
}

/** A unique violation racing a pre-check becomes the same clear 409 the pre-check gives. */
export function rethrowUniqueAs(code: 'handle_taken' | 'conflict', message: string) {
  return (err: unknown): never => {
    if ((err as { code?: string }).code === '23505') throw new AppError(code, message);
    throw err;
  };
}
