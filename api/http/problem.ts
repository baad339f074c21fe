import type { ErrorRequestHandler, RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../errors.ts';
import { VerificationError } from '../log/verify/errors.ts';

export const PROBLEM_TYPE_BASE = 'https://aura.example/problems/';

/** The HTTP status of every error code: the one place statuses are chosen. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unsupported_algorithm: 400,
  invalid_pagination: 400,
  unsupported_media_type: 415,
  image_unreadable: 422,
  image_too_large: 413,
  payload_too_large: 413,
  too_many_pixels: 422,
  ai_markers_found: 422,
  image_not_of_work: 422,
  metadata_unreadable: 422,
  unauthenticated: 401,
  invalid_signature: 401,
  challenge_invalid: 401,
  forbidden: 403,
  key_revoked: 403,
  wrong_account_kind: 403,
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  handle_taken: 409,
  priority_conflict: 409,
  draft_used: 409,
  already_revoked: 409,
  idempotency_conflict: 409,
  jws_replayed: 409,
  rate_limited: 429,
  database_unavailable: 503,
  server_busy: 503,
  log_key_missing: 500,
  invalid_log_range: 400,
  domain_refused: 422,
  domain_fetch_failed: 422,
  domain_document_invalid: 422,
  internal: 500,
};

/** Turns any thrown value into an AppError. The one place where foreign errors are mapped. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) {
    const issue = err.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'input';
    return new AppError('validation_failed', `${where}: ${issue?.message ?? 'invalid'}`, {
      errors: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  if (err instanceof multer.MulterError) return fromMulter(err);
  if (err instanceof Error && MALFORMED_MULTIPART.test(err.message)) {
    return new AppError('bad_request', `malformed multipart upload: ${err.message}`);
  }
  const e = err as { type?: string; status?: number; statusCode?: number; code?: string; message?: string };
  if (e?.type === 'entity.parse.failed') return new AppError('invalid_json', 'request body is not valid JSON');
  if (e?.type === 'entity.too.large') return new AppError('payload_too_large', 'request body is too large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new AppError('unsupported_media_type', 'unsupported request encoding');
  }
  if (e?.type === 'request.aborted') return new AppError('bad_request', 'request aborted by the client');
  if (isDatabaseDown(err)) return new AppError('database_unavailable', 'the database is unavailable; retry shortly');
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('bad_request', e?.message ?? 'bad request');
  }
  return new AppError('internal', 'internal server error');
}

/** busboy's own parse errors (truncated body, missing boundary) reach here as plain Errors. */
const MALFORMED_MULTIPART = /^(Multipart: Boundary not found|Malformed part header|Unexpected end of (form|file))$/;

function fromMulter(err: multer.MulterError): AppError {
  switch (err.code) {
    case 'LIMIT_FILE_SIZE':
      return new AppError('image_too_large', 'the uploaded file is larger than the upload limit');
    case 'LIMIT_FILE_COUNT':
    case 'LIMIT_UNEXPECTED_FILE':
      return new AppError('bad_request', `exactly one file is expected, in the field "image" (${err.message})`);
    default:
      return new AppError('bad_request', `malformed multipart upload: ${err.message}`);
  }
}

const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003']);
export function isDatabaseDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && DOWN_CODES.has(e.code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message ?? '');
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new AppError('route_not_found', `no route for ${req.method} ${req.path}`));
};

/** What a problem+json answer says: the status, a stable code, the message and any details. */
export interface Problem {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown> | undefined;
}

/** Something the client sent does not verify (a checkpoint, a proof, a bundle): the request is well formed but wrong. */
export const VERIFICATION_FAILED_STATUS = 422;

export function toProblem(err: unknown): Problem {
  if (err instanceof VerificationError)
    return { status: VERIFICATION_FAILED_STATUS, code: err.code, message: err.message, details: undefined };
  const { code, message, details } = toAppError(err);
  return { status: HTTP_STATUS[code], code, message, details };
}

/** Maps every error to RFC 9457 application/problem+json. Never leaks a stack trace. */
export const problemHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const problem = toProblem(err);
  if (problem.status >= 500) req.log?.error({ err }, 'request failed');
  if (
    (problem.code === 'database_unavailable' || problem.code === 'server_busy' || problem.code === 'rate_limited') &&
    !res.getHeader('Retry-After')
  ) {
    res.setHeader('Retry-After', '5');
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: PROBLEM_TYPE_BASE + problem.code,
        title: problem.code.replace(/_/g, ' '),
        status: problem.status,
        code: problem.code,
        detail: problem.message,
        instance: req.originalUrl,
        requestId: req.id,
        ...problem.details,
      }),
    );
};
