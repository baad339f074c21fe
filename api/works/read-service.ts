import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Database, Key, Work } from '../../db/schema.ts';
import { notFound } from '../errors.ts';
import { findAccountByHandle, findKey, getAccountById } from '../identity/repository.ts';
import { findEntriesAbout } from '../log/repository.ts';
import { verifyWithKey } from '../identity/signatures.ts';
import { JWS_TYPES } from '../identity/signatures.ts';
import type { PublicJwk } from '../identity/jwk.ts';
import { computeEvidenceLevel, describeLevel } from './evidence-level.ts';
import * as repo from './repository.ts';
import { IPTC_SOURCE_TYPE } from './source-types.ts';

export interface SignatureStatus {
  valid: boolean;
  kid: string;
  /** The key was on the account and not revoked when the log recorded the signed item. */
  keyActiveAtLogTime: boolean;
  /** When the key was revoked, if it was (a signature made before stays valid). */
  keyRevokedAt: string | null;
}

/** Re-checks a stored signature: it verifies under the named key, and that key was active at log time. */
export async function checkSignature(
  db: Kysely<Database>,
  jws: string,
  kid: string,
  logIndex: number,
  typ = JWS_TYPES.credential,
): Promise<SignatureStatus> {
  const key = await findKey(db, kid);
  if (!key) return { valid: false, kid, keyActiveAtLogTime: false, keyRevokedAt: null };
  const keyActiveAtLogTime = wasActiveAt(key, logIndex);
  const valid = await verifyWithKey(jws, key.jwk as PublicJwk, typ).then(
    () => true,
    () => false,
  );
  return { valid: valid && keyActiveAtLogTime, kid, keyActiveAtLogTime, keyRevokedAt: key.revoked_at?.toISOString() ?? null };
}

const ORGANIZATION_EVENTS = ['organization.verified', 'organization.withdrawn'];

const wasActiveAt = (key: Key, logIndex: number) =>
  (key.added_log_index ?? Infinity) < logIndex && (key.revoked_log_index === null || key.revoked_log_index > logIndex);

export class WorkReader {
  constructor(private readonly ctx: AppContext) {}

  async getWork(id: string) {
    const work = await repo.findWork(this.ctx.db, id);
    if (!work) throw notFound('work');
    return this.describe(work);
  }

  /** Everything the public may see about a work; private evidence (GPS …) never leaves here. */
  async describe(work: Work) {
    const db = this.ctx.db;
    const [artist, signature, attestationRows, disputeRows, processRows] = await Promise.all([
      getAccountById(db, work.account_id),
      checkSignature(db, work.jws, work.kid, work.log_index),
      repo.listAttestations(db, work.id),
      repo.listDisputes(db, work.id),
      repo.listProcessImages(db, work.id),
    ]);
    const standings = await this.ctx.trust.standingOf(attestationRows.map((a) => a.issuer_account_id));
    const attestations = await Promise.all(
      attestationRows.map(async (a) => {
        const sig = await checkSignature(db, a.jws, a.kid, a.log_index);
        const valid = sig.valid && a.issuer_kind === 'organization' && a.status === 'active';
        const standing = standings.get(a.issuer_account_id)!;
        return {
          id: a.id,
          type: a.type,
          note: a.note,
          date: a.date,
          issuer: {
            handle: a.handle,
            displayName: a.display_name,
            verified: standing.verified,
            label: standing.label,
            verification: standing.verification,
          },
          issuedAt: a.created_at.toISOString(),
          logIndex: a.log_index,
          status: a.status,
          revokedAt: a.revoked_at?.toISOString() ?? null,
          signature: sig,
          valid,
          // Signed before or after the verification alike: the operator vouches for whoever holds the organisation's keys.
          countsTowardLevel: valid && standing.verified,
        };
      }),
    );
    const disputes = disputeRows.map((d) => ({
      id: d.id,
      reason: d.reason,
      text: d.text,
      status: d.status,
      filedBy: { handle: d.handle, displayName: d.display_name },
      filedAt: d.created_at.toISOString(),
      logIndex: d.log_index,
    }));
    const processImages = processRows.map((p) => ({
      id: p.id,
      sha256: p.sha256,
      loggedAt: p.created_at.toISOString(),
      logIndex: p.log_index,
      beforeRegistration: p.log_index < work.log_index,
    }));
    const level = computeEvidenceLevel({
      revoked: work.status === 'revoked',
      signatureValid: signature.valid,
      processTimesBeforeRegistration: processRows.filter((p) => p.log_index < work.log_index).map((p) => p.created_at),
      validAttestations: attestations.filter((a) => a.countsTowardLevel).length,
    });
    const payload = work.payload as { credentialSubject?: Record<string, unknown> };
    const subject = payload.credentialSubject ?? {};
    return {
      id: work.id,
      url: `${this.ctx.config.publicUrl}/w/${work.id}`,
      title: work.title,
      year: (subject.year as number | undefined) ?? null,
      medium: (subject.medium as string | undefined) ?? null,
      statement: (subject.statement as string | undefined) ?? null,
      digitalSourceType: IPTC_SOURCE_TYPE + work.digital_source_type,
      composite: work.composite,
      sha256: work.sha256,
      pdq: work.pdq,
      pdqQuality: work.pdq_quality,
      width: work.width,
      height: work.height,
      artist: { handle: artist.handle, displayName: artist.display_name },
      registeredAt: work.created_at.toISOString(),
      logIndex: work.log_index,
      status: work.status,
      revoked: work.status === 'revoked',
      revokedAt: work.revoked_at?.toISOString() ?? null,
      evidenceLevel: describeLevel(level),
      signature,
      credential: { jws: work.jws, payload: work.payload },
      screening: subject.screening ?? null,
      attestations,
      disputes,
      openDisputes: disputes.filter((d) => d.status === 'open').length,
      processImages,
      thumbnailUrl: `/v1/works/${work.id}/thumbnail`,
      bundleUrl: `/v1/works/${work.id}/bundle`,
    };
  }

  async timeline(workId: string) {
    const work = await repo.findWork(this.ctx.db, workId);
    if (!work) throw notFound('work');
    const subjects = await repo.findSubjectsOfWork(this.ctx.db, workId);
    const related = await findEntriesAbout(this.ctx.db, [
      { subjectIds: subjects.rows },
      // The operator verifying or withdrawing an attesting organisation changes this work's level: show when.
      { types: ORGANIZATION_EVENTS, subjectIds: subjects.attesters },
    ]);
    return related.map((e) => ({ index: e.idx, type: e.type, at: e.created_at.toISOString() }));
  }

  async list(query: repo.WorkListQuery) {
    const { rows, total } = await repo.listWorks(this.ctx.db, query);
    return {
      items: rows.map((r) => ({
        id: r.id,
        title: r.title,
        artist: { handle: r.handle, displayName: r.display_name },
        status: r.status,
        composite: r.composite,
        registeredAt: r.created_at.toISOString(),
        logIndex: r.log_index,
        thumbnailUrl: `/v1/works/${r.id}/thumbnail`,
      })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async attestationsIssuedBy(handle: string, limit: number, offset: number) {
    const account = await findAccountByHandle(this.ctx.db, handle);
    if (!account) throw notFound(`account @${handle}`);
    const rows = await repo.listAttestationsIssuedBy(this.ctx.db, account.id, { limit, offset });
    return {
      items: rows.map((r) => ({
        id: r.id,
        type: r.type,
        note: r.note,
        date: r.date,
        status: r.status,
        issuedAt: r.created_at.toISOString(),
        logIndex: r.log_index,
        work: { id: r.work_id, title: r.title, artist: { handle: r.artist_handle, displayName: r.artist_name } },
      })),
      limit,
      offset,
    };
  }

  async thumbnail(id: string): Promise<Buffer> {
    const thumbnail = await repo.findThumbnail(this.ctx.db, id);
    if (!thumbnail) throw notFound('work');
    return thumbnail;
  }
}
