/**
 * Every call the web UI makes to the Aura API lives here, so adapting to the server is one file.
 * Errors always come back as ApiError carrying the problem+json `code` and `detail`.
 */

// The answers' shapes are the server's own zod schemas and types, imported type-only: nothing of the API is bundled.
import type { z } from 'zod';
import type { AiMarker } from '../../api/evidence/types.ts';
import type { publicEvidenceSchema } from '../../api/evidence/schemas.ts';
import type { contentCredentialsReportSchema } from '../../api/verify/schemas.ts';
import type { entriesPageSchema, entrySchema, entryWithProofSchema, inclusionSchema } from '../../api/log/schemas.ts';
import type { problemSchema } from '../../api/http/routes.ts';
import type { accountSchema, createAccountBody, sessionSchema } from '../../api/identity/schemas.ts';
import type {
  attestationViewSchema,
  disputeViewSchema,
  evidenceLevelSchema,
  matchSchema,
  receiptSchema,
  signatureStatusSchema,
  workListSchema,
  workViewSchema,
} from '../../api/works/schemas.ts';
import type { verificationReportSchema } from '../../api/verify/schemas.ts';
import type { WorkReader } from '../../api/works/read-service.ts';
import type { RegistrationService } from '../../api/works/registration-service.ts';
import type { AttestationService } from '../../api/works/attestation-service.ts';
import type { Screening } from '../../api/works/screening.ts';
import type { fingerprintSummary } from '../../api/images/summary.ts';
import type { IdentityService } from '../../api/identity/service.ts';

/** The server's problem+json, any field of which may be missing (a network failure has only a detail), and its extensions. */
export type ProblemBody = Partial<z.output<typeof problemSchema>> & {
  errors?: { path: string; message: string }[];
  aiMarkers?: AiMarker[];
  [key: string]: unknown;
};

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly body: ProblemBody;
  constructor(status: number, body: ProblemBody) {
    super(body.detail ?? body.title ?? `request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code ?? (status === 0 ? 'network_error' : `http_${status}`);
    this.body = body;
  }
}

/** Fired when the server no longer accepts the session cookie, so the page stops claiming to be signed in. */
export const UNAUTHENTICATED_EVENT = 'aura:unauthenticated';

function failed(status: number, body: ProblemBody): ApiError {
  const err = new ApiError(status, body);
  if (err.code === 'unauthenticated' && typeof window !== 'undefined') window.dispatchEvent(new Event(UNAUTHENTICATED_EVENT));
  return err;
}

export type { AiMarker };
export type PublicEvidence = z.output<typeof publicEvidenceSchema>;
export type ContentCredentialsReport = z.output<typeof contentCredentialsReportSchema>;

export type EvidenceLevel = z.output<typeof evidenceLevelSchema>;
export type SignatureStatus = z.output<typeof signatureStatusSchema>;
export type Attestation = z.output<typeof attestationViewSchema>;
export type Dispute = z.output<typeof disputeViewSchema>;
export type Work = z.output<typeof workViewSchema>;
export type WorkList = z.output<typeof workListSchema>;
export type WorkSummary = WorkList['items'][number];
export type VerifyReport = z.output<typeof verificationReportSchema>;
export type VerifyMatch = z.output<typeof matchSchema>;
export type NewAccount = z.input<typeof createAccountBody>;
/** The sign-in answer as JSON: `expiresAt` is an ISO string. */
export type SessionResponse = z.output<typeof sessionSchema>;
/** A work's receipt always names the work. */
export type Receipt = z.output<typeof receiptSchema> & { workId: string };
export type LogEntry = z.output<typeof entrySchema>;
export type LogEntryWithProof = z.output<typeof entryWithProofSchema>;
export type LogEntriesPage = z.output<typeof entriesPageSchema>;
export type InclusionProof = z.output<typeof inclusionSchema>;
/** Whether the registry's operator vouches for an organisation; only verified ones raise a work to level 3. */
export type OrganizationStanding = Pick<Attestation['issuer'], 'verified' | 'label' | 'verification'>;

// Answers without a schema in a feature's schemas.ts: typed by the server code that produces them.
type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
export type ProcessDraft = Answer<RegistrationService['createProcessDraft']>;
export type ProcessReceipt = Answer<RegistrationService['registerProcess']>;
export type AttestationDraft = Answer<AttestationService['createAttestationDraft']>;
export type IssuedAttestation = Answer<AttestationService['issueAttestation']>;
export type TimelineEntry = Answer<WorkReader['timeline']>[number];
export type IssuedAttestations = Answer<WorkReader['attestationsIssuedBy']>;
export type Challenge = Answer<IdentityService['createChallenge']>;

/** The profile page adds the attestations an organisation issued (a second request). */
export type Account = z.output<typeof accountSchema> & { attestationsIssued?: IssuedAttestations['items'] };

// Kept by hand: the server code's type is a union the pages cannot narrow.
export interface WorkDraft {
  draftId: string;
  workId?: string;
  payload: unknown;
  fingerprint: ReturnType<typeof fingerprintSummary>;
  /** Low detail (PDQ quality): copies of this image are matched with the stricter distance. */
  strictMatching: boolean;
  evidence: PublicEvidence;
  screening: Screening;
  expiresAt?: string;
}

/** Answer to a draft of a file this artist registered already. */
export interface ExistingWork {
  existingWork: { id: string; url?: string; logIndex?: number };
}

export type Progress = (fraction: number) => void;

async function parseError(res: Response): Promise<ApiError> {
  let body: ProblemBody = {};
  try {
    const text = await res.text();
    body = text ? (JSON.parse(text) as ProblemBody) : {};
  } catch {
    body = {};
  }
  if (typeof body !== 'object' || body === null) body = {};
  return failed(res.status, body);
}

async function request<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
  let res: Response;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { detail: 'Could not reach the Aura server. Check your connection and try again.' });
  }
  if (!res.ok) throw await parseError(res);
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

/** Multipart upload through XMLHttpRequest, because fetch cannot report upload progress. */
function upload<T>(path: string, form: FormData, onProgress?: Progress): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress?.(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      let body: unknown = {};
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : {};
      } catch {
        body = {};
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1);
        resolve(body as T);
      } else reject(failed(xhr.status, typeof body === 'object' && body ? (body as ProblemBody) : {}));
    });
    xhr.addEventListener('error', () =>
      reject(new ApiError(0, { detail: 'The upload failed: the server could not be reached. Check your connection and try again.' })),
    );
    xhr.addEventListener('abort', () => reject(new ApiError(0, { code: 'aborted', detail: 'The upload was cancelled.' })));
    xhr.send(form);
  });
}

function imageForm(file: Blob, fields: Record<string, string | undefined> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') form.append(k, v);
  form.append('image', file, file instanceof File ? file.name : 'image');
  return form;
}

const enc = encodeURIComponent;

/** The artist's file back with an embedded C2PA manifest; the file name comes from the server. */
async function contentCredentials(workId: string, file: Blob): Promise<{ blob: Blob; filename: string; manifestId: string }> {
  let res: Response;
  try {
    res = await fetch(`/v1/works/${enc(workId)}/content-credentials`, {
      method: 'POST',
      credentials: 'same-origin',
      body: imageForm(file),
    });
  } catch {
    throw new ApiError(0, { detail: 'Could not reach the Aura server. Check your connection and try again.' });
  }
  if (!res.ok) throw await parseError(res);
  const disposition = res.headers.get('content-disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'content-credentials';
  return { blob: await res.blob(), filename, manifestId: res.headers.get('c2pa-manifest-id') ?? '' };
}

export const api = {
  contentCredentials,
  verify: (file: Blob, onProgress?: Progress) => upload<VerifyReport>('/v1/verify', imageForm(file), onProgress),

  challenge: (kid: string) => request<Challenge>('POST', '/v1/auth/challenge', { kid }),
  createSession: (jws: string) => request<SessionResponse>('POST', '/v1/auth/session', { jws }),
  /** Clears the HttpOnly session cookie on the server. */
  endSession: () => request<unknown>('DELETE', '/v1/auth/session'),

  createAccount: (body: NewAccount) => request<Account>('POST', '/v1/accounts', body),
  getAccount: (handle: string) => request<Account>('GET', `/v1/accounts/${enc(handle)}`),
  listAttestationsIssued: (handle: string) => request<IssuedAttestations>('GET', `/v1/accounts/${enc(handle)}/attestations?limit=100`),

  createWorkDraft: (file: Blob, fields: Record<string, string | undefined>, onProgress?: Progress) =>
    upload<WorkDraft | ExistingWork>('/v1/works/drafts', imageForm(file, fields), onProgress),
  registerWork: (draftId: string, jws: string, idempotencyKey?: string) =>
    request<Receipt>('POST', '/v1/works', { draftId, jws }, idempotencyKey),
  getWork: (id: string) => request<Work>('GET', `/v1/works/${enc(id)}`),
  getTimeline: (id: string) => request<{ entries: TimelineEntry[] }>('GET', `/v1/works/${enc(id)}/timeline`),
  listWorks: (params: { q?: string; artist?: string; limit?: number; offset?: number }) => {
    const search = new URLSearchParams();
    if (params.q) search.set('q', params.q);
    if (params.artist) search.set('artist', params.artist);
    if (params.limit) search.set('limit', String(params.limit));
    if (params.offset) search.set('offset', String(params.offset));
    const qs = search.toString();
    return request<WorkList>('GET', `/v1/works${qs ? `?${qs}` : ''}`);
  },

  createAttestationDraft: (workId: string, body: { type: string; note?: string; date?: string }) =>
    request<AttestationDraft>('POST', `/v1/works/${enc(workId)}/attestations/drafts`, body),
  submitAttestation: (workId: string, draftId: string, jws: string, idempotencyKey?: string) =>
    request<IssuedAttestation>('POST', `/v1/works/${enc(workId)}/attestations`, { draftId, jws }, idempotencyKey),
  /** A work-in-progress image: of a registered work, or (workId undefined) before the final is registered. */
  createProcessDraft: (workId: string | undefined, file: Blob, onProgress?: Progress) =>
    upload<ProcessDraft>(workId ? `/v1/works/${enc(workId)}/process/drafts` : '/v1/process/drafts', imageForm(file), onProgress),
  submitProcess: (workId: string | undefined, draftId: string, jws: string, idempotencyKey?: string) =>
    request<ProcessReceipt>('POST', workId ? `/v1/works/${enc(workId)}/process` : '/v1/process', { draftId, jws }, idempotencyKey),
  revokeWork: (workId: string, jws: string) =>
    request<Answer<AttestationService['revokeWork']>>('POST', `/v1/works/${enc(workId)}/revoke`, { jws }),
  disputeWork: (workId: string, jws: string) =>
    request<Answer<AttestationService['fileDispute']>>('POST', `/v1/works/${enc(workId)}/disputes`, { jws }),

  getCheckpoint: () => request<string>('GET', '/v1/log/checkpoint'),
  getVkey: () => request<string>('GET', '/v1/log/vkey'),
  getLogEntries: (start: number, end: number) => request<LogEntriesPage>('GET', `/v1/log/entries?start=${start}&end=${end}`),
  getLogEntry: (index: number) => request<LogEntryWithProof>('GET', `/v1/log/entries/${index}`),
  getInclusionProof: (index: number, size: number) => request<InclusionProof>('GET', `/v1/log/proof/inclusion?index=${index}&size=${size}`),
};

export const urls = {
  thumbnail: (workId: string) => `/v1/works/${enc(workId)}/thumbnail`,
  badge: (workId: string) => `/v1/works/${enc(workId)}/badge.svg`,
  bundle: (workId: string) => `/v1/works/${enc(workId)}/bundle`,
  work: (workId: string) => `/w/${enc(workId)}`,
  profile: (handle: string) => `/@${enc(handle)}`,
  logEntry: (index: number) => `/log?entry=${index}`,
};

/**
 * An Idempotency-Key kept across retries only while the outcome is unknown (network failure or 5xx):
 * if the server did commit, the retry gets the first answer back instead of "draft already used".
 * Any definite answer (2xx or 4xx) ends it, so a retry after fixing the cause is a fresh request.
 */
export function retrySafely(): <T>(call: (idempotencyKey: string) => Promise<T>) => Promise<T> {
  let key: string | undefined;
  return async (call) => {
    key ??= crypto.randomUUID();
    try {
      const result = await call(key);
      key = undefined;
      return result;
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 0 || err.status >= 500))) key = undefined;
      throw err;
    }
  };
}
