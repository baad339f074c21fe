import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import {
  claimIdempotencyKey,
  findIdempotentAnswer,
  releaseIdempotencyClaim,
  removeExpiredIdempotencyKey,
  saveIdempotentAnswer,
  takeOverIdempotencyClaim,
} from './repository.ts';

/**
 * `Idempotency-Key` on state-changing requests: the first answer (status and body) is kept for 24 h per
 * (key, account or anonymous); a retry of the same request gets it back with `Idempotent-Replayed: true`
 * instead of doing the work again; the same key on a different request is a 409.
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const RETENTION_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long a duplicate waits for the first request to finish before it is told to retry. */
const WAIT_FOR_FIRST_MS = 5_000;
const POLL_MS = 50;

export interface StoredAnswer {
  fingerprint: string;
  status: number | null;
  content_type: string | null;
  response: Buffer | null;
  locked_until: Date;
  expires_at: Date;
}

export type Decision =
  | { kind: 'claim-expired' }
  | { kind: 'conflict' }
  | { kind: 'replay'; status: number; contentType: string | null; body: Buffer }
  | { kind: 'in-flight' }
  | { kind: 'take-over' };

/** What to do with a request whose key already has a record. Pure: unit-tested. */
export function decide(stored: StoredAnswer, fingerprint: string, now: Date): Decision {
  if (stored.expires_at.getTime() <= now.getTime()) return { kind: 'claim-expired' };
  if (stored.fingerprint !== fingerprint) return { kind: 'conflict' };
  if (stored.status !== null) {
    return { kind: 'replay', status: stored.status, contentType: stored.content_type, body: stored.response ?? Buffer.alloc(0) };
  }
  // The first request is still running, unless its process died holding the claim.
  return stored.locked_until.getTime() <= now.getTime() ? { kind: 'take-over' } : { kind: 'in-flight' };
}

export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !KEY_PATTERN.test(value) || Array.isArray(header)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be one header of 1-255 visible ASCII characters');
  }
  return value;
}

/**
 * What makes two requests "the same": method, path with query, and the body — the parsed JSON, or the
 * form fields plus the SHA-256 of the uploaded file. Undefined when the body cannot be serialised
 * (absurdly nested JSON): the request then runs without idempotency and validation refuses it.
 */
export function requestFingerprint(req: Pick<Request, 'method' | 'originalUrl' | 'body' | 'file'>): string | undefined {
  let body: string;
  try {
    body = JSON.stringify(req.body ?? null) ?? 'null';
  } catch {
    return undefined;
  }
  const hash = createHash('sha256').update(`${req.method} ${req.originalUrl}\n`).update(body);
  if (req.file) hash.update(`\n${req.file.fieldname}\n`).update(createHash('sha256').update(req.file.buffer).digest());
  return hash.digest('hex');
}

export function idempotencyMiddleware(ctx: AppContext): RequestHandler {
  // The claim outlives the longest a request may run, so only a dead process's claim is taken over.
  const leaseMs = ctx.config.requestTimeoutMs + 5_000;

  return async (req, res, next) => {
    try {
      const key = parseIdempotencyKey(req.headers[IDEMPOTENCY_HEADER]);
      if (key === undefined) return next();
      const fingerprint = requestFingerprint(req);
      if (fingerprint === undefined) return next();
      const session = await ctx.sessions.fromRequest(req);
      const id = { scope: session?.accountId ?? 'anonymous', key };

      const deadline = Date.now() + WAIT_FOR_FIRST_MS;
      for (;;) {
        const now = ctx.clock.now();
        const lockedUntil = new Date(now.getTime() + leaseMs);
        if (await claimIdempotencyKey(ctx.db, id, { fingerprint, at: now, lockedUntil, expiresAt: new Date(now.getTime() + RETENTION_MS) }))
          break;
        const stored = await findIdempotentAnswer(ctx.db, id);
        if (!stored) continue;
        const decision = decide(stored, fingerprint, now);
        if (decision.kind === 'claim-expired') {
          await removeExpiredIdempotencyKey(ctx.db, id, now);
          continue;
        }
        if (decision.kind === 'take-over') {
          if (await takeOverIdempotencyClaim(ctx.db, id, fingerprint, now, lockedUntil)) break;
          continue;
        }
        if (decision.kind === 'conflict') {
          throw new AppError('idempotency_conflict', 'this Idempotency-Key was already used for a different request; use a new key');
        }
        if (decision.kind === 'replay') {
          res.setHeader(REPLAYED_HEADER, 'true');
          if (decision.contentType) res.setHeader('Content-Type', decision.contentType);
          res.status(decision.status).end(decision.body);
          return;
        }
        if (Date.now() > deadline) {
          res.setHeader('Retry-After', '1');
          throw new AppError('idempotency_conflict', 'a request with this Idempotency-Key is still being processed; retry shortly');
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      recordAnswer(
        res,
        (status, contentType, body) => saveIdempotentAnswer(ctx.db, id, { status, contentType, body }),
        () => releaseIdempotencyClaim(ctx.db, id),
      );
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * Stores the answer before it is sent, so a client that got it can count on the replay. A 5xx, or an
 * answer that never went through `send`, releases the claim: the request may be retried for real.
 */
function recordAnswer(
  res: Response,
  complete: (status: number, contentType: string | null, body: Buffer) => Promise<void>,
  release: () => Promise<void>,
): void {
  const originalSend = res.send.bind(res);
  let settled = false;
  res.send = ((body?: unknown) => {
    if (settled || (typeof body !== 'string' && !Buffer.isBuffer(body))) return originalSend(body);
    settled = true;
    const status = res.statusCode;
    const contentType = res.getHeader('Content-Type');
    const saving = status >= 500 ? release() : complete(status, contentType === undefined ? null : String(contentType), Buffer.from(body));
    saving.catch((err) => res.req.log?.warn({ err }, 'could not store the idempotent answer')).finally(() => originalSend(body));
    return res;
  }) as Response['send'];
  res.on('finish', () => {
    if (!settled) {
      settled = true;
      release().catch(() => {});
    }
  });
}
