import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../log/canonical.ts';
import { recordLogged } from '../log/record-logged.ts';
import type { AppContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { requireFreshIat, requireSignedFields, verifyAccountSignature } from '../identity/account-signatures.ts';
import { JWS_TYPES } from '../identity/signatures.ts';
import { refuseReplay, spendSignature } from '../identity/used-signatures.ts';
import type { Session } from '../identity/sessions.ts';
import { buildAttestationCredential } from './credentials.ts';
import * as repo from './repository.ts';

const DRAFT_TTL_MS = 60 * 60 * 1000;

export const ATTESTATION_TYPES = ['witnessed-creation', 'studio-visit', 'exhibited', 'acquired-from-artist', 'expert-opinion'] as const;
export const DISPUTE_REASONS = ['ai-generated', 'not-the-author', 'copied'] as const;

/** Attestations by organisations, revocations and disputes: every one signed, logged, never deleted. */
export class AttestationService {
  constructor(private readonly ctx: AppContext) {}

  private async requireWork(workId: string) {
    const work = await repo.findWork(this.ctx.db, workId);
    if (!work) throw notFound('work');
    return work;
  }

  async createAttestationDraft(
    session: Session,
    workId: string,
    input: { type: string; note?: string | undefined; date?: string | undefined },
  ) {
    if (session.kind !== 'organization') throw new AppError('wrong_account_kind', 'only organisation accounts issue attestations');
    const work = await this.requireWork(workId);
    if (work.status === 'revoked') throw new AppError('conflict', 'this work has been revoked by its artist');
    const attestationId = randomUUID();
    const now = this.ctx.clock.now();
    const payload = buildAttestationCredential({
      attestationId,
      issuerUrl: `${this.ctx.config.publicUrl}/@${session.handle}`,
      validFrom: now.toISOString(),
      workId,
      workUrl: `${this.ctx.config.publicUrl}/w/${workId}`,
      workJws: work.jws,
      type: input.type,
      note: input.note,
      date: input.date,
    });
    const draftId = randomUUID();
    await repo.insertDraft(this.ctx.db, {
      id: draftId,
      kind: 'attestation',
      accountId: session.accountId,
      workId,
      payload,
      fingerprint: { attestationId, ...input },
      evidencePrivate: {},
      thumbnail: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + DRAFT_TTL_MS),
    });
    return { draftId, attestationId, payload };
  }

  async issueAttestation(session: Session, workId: string, draftId: string, jws: string) {
    if (session.kind !== 'organization') throw new AppError('wrong_account_kind', 'only organisation accounts issue attestations');
    await refuseReplay(this.ctx.db, jws);
    const draft = await repo.findDraft(this.ctx.db, draftId);
    if (draft?.kind !== 'attestation' || draft.account_id !== session.accountId || draft.work_id !== workId) {
      throw notFound('attestation draft');
    }
    if (draft.used_at) throw new AppError('draft_used', 'this attestation has already been issued');
    const verified = await verifyAccountSignature(this.ctx.db, jws, JWS_TYPES.credential, session.accountId);
    if (verified.header.cty !== 'vc') throw new AppError('invalid_signature', 'cty must be vc');
    if (!canonicalJson(verified.payload).equals(canonicalJson(draft.payload))) {
      throw new AppError('invalid_signature', 'the signed payload differs from the one the server issued');
    }
    const input = draft.fingerprint as { attestationId: string; type: string; note?: string; date?: string };
    const now = this.ctx.clock.now();
    const logIndex = await recordLogged(this.ctx.db, this.ctx.log, {
      before: async (trx) => {
        if (!(await repo.consumeDraft(trx, draftId, now))) throw new AppError('draft_used', 'this attestation has already been issued');
        await spendSignature(trx, jws, { purpose: 'attestation.issue', accountId: session.accountId, at: now });
      },
      events: [
        {
          type: 'attestation.issued',
          subjectId: input.attestationId,
          attestationId: input.attestationId,
          workId,
          account: { id: session.accountId, handle: session.handle },
          kid: verified.kid,
          attestationType: input.type,
          jws,
        },
      ],
      after: (trx, [logIndex]) =>
        repo.insertAttestation(trx, {
          id: input.attestationId,
          work_id: workId,
          issuer_account_id: session.accountId,
          kid: verified.kid,
          type: input.type,
          note: input.note ?? null,
          date: input.date ?? null,
          jws,
          status: 'active',
          created_at: now,
          log_index: logIndex,
        }),
    });
    await this.ctx.log.checkpoint();
    return { attestationId: input.attestationId, workId, logIndex };
  }

  /** A signed action: typ aura-action+jwt, payload { action, …fields, iat } by an active key of the account. */
  private async verifyAction(session: Session, jws: string, expected: Record<string, unknown>) {
    await refuseReplay(this.ctx.db, jws);
    const verified = await verifyAccountSignature(this.ctx.db, jws, JWS_TYPES.action, session.accountId);
    requireSignedFields(verified.payload, expected);
    requireFreshIat(verified.payload, this.ctx.clock);
    return verified;
  }

  async revokeWork(session: Session, workId: string, jws: string) {
    const work = await this.requireWork(workId);
    if (work.account_id !== session.accountId) throw new AppError('forbidden', 'only the artist who registered a work can revoke it');
    const verified = await this.verifyAction(session, jws, { action: 'work.revoke', workId });
    const now = this.ctx.clock.now();
    const logIndex = await recordLogged(this.ctx.db, this.ctx.log, {
      before: async (trx) => {
        await spendSignature(trx, jws, { purpose: 'work.revoke', accountId: session.accountId, at: now });
        if (!(await repo.revokeWork(trx, workId, { at: now, jws }))) throw new AppError('already_revoked', 'this work is already revoked');
      },
      events: [
        {
          type: 'work.revoked',
          subjectId: workId,
          workId,
          account: { id: session.accountId, handle: session.handle },
          kid: verified.kid,
          ...(typeof verified.payload.reason === 'string' ? { reason: verified.payload.reason } : {}),
          jws,
        },
      ],
      after: (trx, [logIndex]) => repo.setWorkRevokedLogIndex(trx, workId, logIndex),
    });
    await this.ctx.log.checkpoint();
    return { workId, status: 'revoked' as const, logIndex };
  }

  async revokeAttestation(session: Session, attestationId: string, jws: string) {
    const attestation = await repo.findAttestation(this.ctx.db, attestationId);
    if (!attestation) throw notFound('attestation');
    if (attestation.issuer_account_id !== session.accountId) {
      throw new AppError('forbidden', 'only the organisation that issued an attestation can revoke it');
    }
    const verified = await this.verifyAction(session, jws, { action: 'attestation.revoke', attestationId });
    const now = this.ctx.clock.now();
    const logIndex = await recordLogged(this.ctx.db, this.ctx.log, {
      before: async (trx) => {
        await spendSignature(trx, jws, { purpose: 'attestation.revoke', accountId: session.accountId, at: now });
        if (!(await repo.revokeAttestation(trx, attestationId, { at: now, jws }))) {
          throw new AppError('already_revoked', 'this attestation is already revoked');
        }
      },
      events: [
        {
          type: 'attestation.revoked',
          subjectId: attestationId,
          attestationId,
          workId: attestation.work_id,
          account: { id: session.accountId, handle: session.handle },
          kid: verified.kid,
          jws,
        },
      ],
      after: (trx, [logIndex]) => repo.setAttestationRevokedLogIndex(trx, attestationId, logIndex),
    });
    await this.ctx.log.checkpoint();
    return { attestationId, status: 'revoked' as const, logIndex };
  }

  async fileDispute(session: Session, workId: string, jws: string) {
    await this.requireWork(workId);
    const verified = await this.verifyAction(session, jws, { action: 'work.dispute', workId });
    const reason = verified.payload.reason;
    const text = verified.payload.text;
    if (typeof reason !== 'string' || !(DISPUTE_REASONS as readonly string[]).includes(reason)) {
      throw new AppError('validation_failed', `reason must be one of ${DISPUTE_REASONS.join(', ')}`);
    }
    if (typeof text !== 'string' || text.trim().length < 1 || text.length > 4000) {
      throw new AppError('validation_failed', 'text must be 1-4000 characters explaining the dispute');
    }
    const disputeId = randomUUID();
    const now = this.ctx.clock.now();
    const logIndex = await recordLogged(this.ctx.db, this.ctx.log, {
      before: (trx) => spendSignature(trx, jws, { purpose: 'work.dispute', accountId: session.accountId, at: now }),
      events: [
        {
          type: 'dispute.filed',
          subjectId: disputeId,
          disputeId,
          workId,
          account: { id: session.accountId, handle: session.handle },
          kid: verified.kid,
          reason,
          jws,
        },
      ],
      after: (trx, [logIndex]) =>
        repo.insertDispute(trx, {
          id: disputeId,
          work_id: workId,
          account_id: session.accountId,
          kid: verified.kid,
          reason: reason as 'ai-generated',
          text,
          jws,
          status: 'open',
          created_at: now,
          log_index: logIndex,
        }),
    });
    await this.ctx.log.checkpoint();
    return { disputeId, workId, logIndex };
  }
}
