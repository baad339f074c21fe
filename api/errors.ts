/**
 * The registry's error type. `code` is stable and documented; its HTTP status is chosen in api/http/problem.ts alone.
 * Offline verification failures are VerificationErrors (api/log/verify/errors.ts), mapped in api/http/problem.ts;
 * everything else thrown that is not an AppError is reported as 500 `internal` without details.
 */
export const errorCodes = [
  'bad_request',
  'invalid_json',
  'validation_failed',
  'unsupported_algorithm',
  'invalid_pagination',
  'unsupported_media_type',
  'image_unreadable',
  'image_too_large',
  'payload_too_large',
  'too_many_pixels',
  'ai_markers_found',
  'image_not_of_work',
  'metadata_unreadable',
  'unauthenticated',
  'invalid_signature',
  'challenge_invalid',
  'forbidden',
  'key_revoked',
  'wrong_account_kind',
  'not_found',
  'route_not_found',
  'conflict',
  'handle_taken',
  'priority_conflict',
  'draft_used',
  'already_revoked',
  'idempotency_conflict',
  'jws_replayed',
  'rate_limited',
  'database_unavailable',
  'server_busy',
  'log_key_missing',
  'invalid_log_range',
  'domain_refused',
  'domain_fetch_failed',
  'domain_document_invalid',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
