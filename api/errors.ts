/**
 * The registry's error type. `code` is stable and documented; `status` is the HTTP status it maps to.
 * Offline verification failures are VerificationErrors (api/log/verify/errors.ts), mapped in api/http/problem.ts;
 * everything else thrown that is not an AppError is reported as 500 `internal` without details.
 */
export const errorCodes = {
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
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code];
    this.details = details;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
