import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../log/canonical.ts';
import { recordLogged } from '../log/record-logged.ts';
import type { AppContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import type { AnalyzedImage } from '../uploads/ingest.ts';
import { indexWorkHashes } from '../matching/repository.ts';
import { verifyAccountSignature } from '../identity/account-signatures.ts';
import { JWS_TYPES } from '../identity/signatures.ts';
import { refuseReplay, spendSignature } from '../identity/used-signatures.ts';
import type { Session } from '../identity/sessions.ts';
import { getAccountById } from '../identity/repository.ts';
import { buildProcessCredential, buildWorkCredential } from './credentials.ts';
import { screenForAiMarkers } from './screening.ts';
import { isComposite, parseSourceType, DECLARABLE_TERMS } from './source-types.ts';
import { blocksRegistration, matchedStrictly, storedHashes } from '../matching/policy.ts';
import { findAcceptedMatches } from '../matching/accepted.ts';
import { fingerprintSummary } from '../images/summary.ts';
import * as repo from './repository.ts';
import type { Draft } from './types.ts';
import { buildReceipt } from './receipts.ts';

const DRAFT_TTL_MS = 60 * 60 * 1000;

export interface WorkForm {
  title: string;
  year?: number | undefined;
  medium?: string | undefined;
  statement?: string | undefined;
  digitalSourceType: string;
  processIds?: string[] | undefined;
}

export class RegistrationService {
  constructor(private readonly ctx: AppContext) {}

  accountUrl = (handle: string) => `${this.ctx.config.publicUrl}/@${handle}`;
  workUrl = (id: string) => `${this.ctx.config.publicUrl}/w/${id}`;

  /** Step 1: fingerprint, screen, check priority, and hand back the exact payload to sign. */
  async createWorkDraft(session: Session, image: Buffer, form: WorkForm) {
    const term = parseSourceType(form.digitalSourceType);
    if (!term || !DECLARABLE_TERMS.includes(term)) {
      throw new AppError(
        'validation_failed',
        `digitalSourceType must be one of ${DECLARABLE_TERMS.join(', ')} (IPTC terms; AI-generated media cannot be registered as human-made)`,
      );
    }
    if (session.kind !== 'artist') throw new AppError('wrong_account_kind', 'only artist accounts register works');
    // The AI-marker screening needs the metadata: a file whose metadata cannot be read is refused (422).
    const analyzed = await this.ctx.ingest.analyze(image, { thumbnail: true, metadata: 'required' });
    const screening = screenForAiMarkers(analyzed.evidence.public.aiMarkers, term);
    const fp = analyzed.fingerprint;

    const existing = await repo.findOwnWorkBySha(this.ctx.db, session.accountId, fp.sha256);
    if (existing) return { existingWork: { id: existing.id, url: this.workUrl(existing.id), logIndex: existing.log_index } };
    await this.refuseIfClaimedByAnother(session, analyzed);

    const processIds = form.processIds ?? [];
    const processImages = await repo.findProcessImages(this.ctx.db, session.accountId, processIds);
    if (processImages.length !== processIds.length || processImages.some((p) => p.work_id !== null)) {
      throw new AppError('validation_failed', 'processIds must name your own process images not yet linked to a work');
    }

    const workId = randomUUID();
    const now = this.ctx.clock.now();
    const payload = buildWorkCredential({
      workId,
      issuerUrl: this.accountUrl(session.handle),
      workUrl: this.workUrl(workId),
      validFrom: now.toISOString(),
      sha256: fp.sha256,
      pdq: fp.pdq,
      pdqQuality: fp.pdqQuality,
      width: fp.width,
      height: fp.height,
      title: form.title,
      year: form.year,
      medium: form.medium,
      statement: form.statement,
      digitalSourceType: term,
      screening,
      processImages: processIds,
    });
    const draftId = randomUUID();
    await repo.insertDraft(this.ctx.db, {
      id: draftId,
      kind: 'work',
      accountId: session.accountId,
      workId,
      payload,
      fingerprint: {
        ...fingerprintSummary(fp),
        regions: fp.regions,
        variants: fp.variants,
        colourLayout: fp.colourLayout ?? null,
        structure: fp.structure ?? [],
        title: form.title,
        digitalSourceType: term,
        processIds,
      },
      evidencePrivate: { ...analyzed.evidence.private, public: analyzed.evidence.public },
      thumbnail: fp.thumbnail,
      createdAt: now,
      expiresAt: new Date(now.getTime() + DRAFT_TTL_MS),
    });
    return {
      draftId,
      workId,
      payload,
      fingerprint: fingerprintSummary(fp),
      strictMatching: matchedStrictly(fp.pdqQuality),
      evidence: analyzed.evidence.public,
      screening,
      expiresAt: new Date(now.getTime() + DRAFT_TTL_MS).toISOString(),
    };
  }

  /** Priority: an image matching another account's work is refused (409) and the attempt is logged. */
  private async refuseIfClaimedByAnother(session: Session, analyzed: AnalyzedImage): Promise<void> {
    const fp = analyzed.fingerprint;
    for (const { candidate: c, work, judgement } of await findAcceptedMatches(this.ctx.db, fp)) {
      // A colourway of someone else's design is a similar work, reported by verify, not a conflict; so is a
      // picture only the local-feature check ties to it (the same picture shipped cropped, re-laid out or
      // with a logo: refusing on it would refuse artists' own variants across accounts; docs/matching.md), or
      // a low-detail picture matched by its layout of light and dark (policy.ts blocksRegistration).
      if (work.account_id === session.accountId || !blocksRegistration(judgement)) continue;
      const artist = await getAccountById(this.ctx.db, work.account_id);
      const earlier = {
        id: work.id,
        title: work.title,
        artist: { handle: artist.handle, displayName: artist.display_name },
        registeredAt: work.created_at.toISOString(),
        logIndex: work.log_index,
        distance: c.distance,
        exact: c.exact,
      };
      await recordLogged(this.ctx.db, this.ctx.log, {
        events: [
          {
            type: 'registration.refused',
            subjectId: work.id,
            reason: 'priority',
            attemptedBy: { id: session.accountId, handle: session.handle },
            sha256: fp.sha256,
            pdq: fp.pdq,
            earlierWork: { id: work.id, logIndex: work.log_index },
            distance: c.distance,
          },
        ],
      });
      await this.ctx.log.checkpoint();
      throw new AppError(
        'priority_conflict',
        `this image matches "${work.title}" by @${artist.handle}, registered ${earlier.registeredAt}`,
        { earlierWork: earlier },
      );
    }
  }

  private async loadDraft(session: Session, draftId: string, kind: Draft['kind']): Promise<Draft> {
    const draft = await repo.findDraft(this.ctx.db, draftId);
    if (!draft || draft.kind !== kind || draft.account_id !== session.accountId) throw notFound('draft');
    if (draft.used_at) throw new AppError('draft_used', 'this draft has already been signed and registered');
    if (draft.expires_at.getTime() < this.ctx.clock.now().getTime()) {
      throw new AppError('conflict', 'this draft has expired; upload the image again');
    }
    return draft as Draft;
  }

  /** The JWS must be by an active key of the signed-in account, over exactly the payload the server issued. */
  private async verifyDraftSignature(session: Session, draft: Draft, jws: string) {
    const verified = await verifyAccountSignature(this.ctx.db, jws, JWS_TYPES.credential, session.accountId);
    if (verified.header.cty !== 'vc') throw new AppError('invalid_signature', 'cty must be vc');
    if (!canonicalJson(verified.payload).equals(canonicalJson(draft.payload))) {
      throw new AppError('invalid_signature', 'the signed payload differs from the one the server issued for this draft');
    }
    return verified;
  }

  /** Step 2: verify the artist's signature, log, store, and return the receipt. */
  async registerWork(session: Session, draftId: string, jws: string) {
    const registered = await this.alreadyRegisteredFrom(session, draftId, jws);
    if (registered) return buildReceipt(this.ctx, registered.id, registered.log_index, 200);
    await refuseReplay(this.ctx.db, jws);
    const draft = await this.loadDraft(session, draftId, 'work');
    const { kid } = await this.verifyDraftSignature(session, draft, jws);
    const fp = draft.fingerprint as unknown as DraftFingerprint;
    const workId = draft.work_id!;
    const now = this.ctx.clock.now();
    const existing = await repo.findOwnWorkBySha(this.ctx.db, session.accountId, fp.sha256);
    if (existing) return buildReceipt(this.ctx, existing.id, existing.log_index, 200);

    const logIndex = await recordLogged(this.ctx.db, this.ctx.log, {
      before: async (trx) => {
        if (!(await repo.consumeDraft(trx, draftId, now))) throw new AppError('draft_used', 'this draft has already been registered');
        await spendSignature(trx, jws, { purpose: 'work.register', accountId: session.accountId, at: now });
      },
      events: [
        {
          type: 'work.registered',
          subjectId: workId,
          workId,
          account: { id: session.accountId, handle: session.handle },
          kid,
          sha256: fp.sha256,
          jws,
        },
      ],
      after: async (trx, [logIndex]) => {
        await repo.insertWork(trx, {
          id: workId,
          account_id: session.accountId,
          kid,
          jws,
          payload: JSON.stringify(draft.payload),
          sha256: fp.sha256,
          pdq: fp.pdq,
          pdq_quality: fp.pdqQuality,
          width: fp.width,
          height: fp.height,
          title: fp.title,
          digital_source_type: fp.digitalSourceType,
          composite: isComposite(fp.digitalSourceType),
          evidence_private: JSON.stringify(draft.evidence_private),
          thumbnail: draft.thumbnail!,
          colour_layout: fp.colourLayout ?? null,
          status: 'active',
          created_at: now,
          log_index: logIndex,
        });
        await repo.linkProcessImages(trx, workId, fp.processIds);
        await indexWorkHashes(trx, workId, storedHashes(fp));
      },
    });
    return buildReceipt(this.ctx, workId, logIndex, 201);
  }

  /** A retry of a commit whose answer was lost gets the receipt again, not a 409. */
  private async alreadyRegisteredFrom(session: Session, draftId: string, jws: string) {
    const draft = await repo.findDraft(this.ctx.db, draftId);
    if (!draft?.used_at || draft.kind !== 'work' || draft.account_id !== session.accountId || !draft.work_id) return undefined;
    const work = await repo.findWork(this.ctx.db, draft.work_id);
    return work && work.jws === jws ? work : undefined;
  }

  /** Work-in-progress image: before the final (no workId; linked at registration) or after it. */
  async createProcessDraft(session: Session, image: Buffer, workId: string | undefined, note: string | undefined) {
    if (workId) await this.requireOwnWork(session, workId);
    const fp = await this.ctx.ingest.fingerprint(image, { thumbnail: true });
    const processId = randomUUID();
    const now = this.ctx.clock.now();
    const payload = buildProcessCredential({
      processId,
      issuerUrl: this.accountUrl(session.handle),
      validFrom: now.toISOString(),
      workId,
      sha256: fp.sha256,
      pdq: fp.pdq,
      note,
    });
    const draftId = randomUUID();
    await repo.insertDraft(this.ctx.db, {
      id: draftId,
      kind: 'process',
      accountId: session.accountId,
      workId: workId ?? null,
      payload,
      fingerprint: { processId, sha256: fp.sha256, pdq: fp.pdq },
      evidencePrivate: {},
      thumbnail: fp.thumbnail,
      createdAt: now,
      expiresAt: new Date(now.getTime() + DRAFT_TTL_MS),
    });
    return { draftId, processId, payload, fingerprint: { sha256: fp.sha256, pdq: fp.pdq, pdqQuality: fp.pdqQuality } };
  }

  async registerProcess(session: Session, draftId: string, jws: string, expectedWorkId: string | undefined) {
    await refuseReplay(this.ctx.db, jws);
    const draft = await this.loadDraft(session, draftId, 'process');
    if ((draft.work_id ?? undefined) !== expectedWorkId) throw notFound('draft');
    const { kid } = await this.verifyDraftSignature(session, draft, jws);
    const fp = draft.fingerprint as { processId: string; sha256: string; pdq: string };
    const now = this.ctx.clock.now();
    const logIndex = await recordLogged(this.ctx.db, this.ctx.log, {
      before: async (trx) => {
        if (!(await repo.consumeDraft(trx, draftId, now))) throw new AppError('draft_used', 'this draft has already been registered');
        await spendSignature(trx, jws, { purpose: 'process.register', accountId: session.accountId, at: now });
      },
      events: [
        {
          type: 'draft.registered',
          subjectId: fp.processId,
          processId: fp.processId,
          ...(draft.work_id ? { workId: draft.work_id } : {}),
          account: { id: session.accountId, handle: session.handle },
          kid,
          sha256: fp.sha256,
          jws,
        },
      ],
      after: (trx, [logIndex]) =>
        repo.insertProcessImage(trx, {
          id: fp.processId,
          work_id: draft.work_id,
          account_id: session.accountId,
          kid,
          jws,
          sha256: fp.sha256,
          pdq: fp.pdq,
          thumbnail: draft.thumbnail!,
          created_at: now,
          log_index: logIndex,
        }),
    });
    const receipt = await buildReceipt(this.ctx, draft.work_id ?? undefined, logIndex, 201);
    return { ...receipt.body, processId: fp.processId };
  }

  async requireOwnWork(session: Session, workId: string) {
    const work = await repo.findWork(this.ctx.db, workId);
    if (!work) throw notFound('work');
    if (work.account_id !== session.accountId) throw new AppError('forbidden', 'this work belongs to another account');
    return work;
  }
}

interface DraftFingerprint {
  sha256: string;
  pdq: string;
  pdqQuality: number;
  width: number;
  height: number;
  format: string;
  regions: { label: string; hash: string; quality: number }[];
  colourLayout?: string | null;
  /** Absent from drafts made before the structure hash existed. */
  structure?: { label: string; hash: string }[];
  title: string;
  digitalSourceType: string;
  processIds: string[];
}
