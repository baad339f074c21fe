/**
 * Every way an offline verification can fail, one name per failure. The checkpoint, proof and entry codes
 * come from the log steps in this folder; the others from the proof-bundle verifier built on them.
 */
export type VerificationCode =
  | 'vkey_malformed'
  | 'vkey_mismatch'
  | 'checkpoint_malformed'
  | 'checkpoint_signature_invalid'
  | 'log_entry_mismatch'
  | 'inclusion_proof_invalid'
  | 'consistency_proof_invalid'
  | 'log_fork_detected'
  | 'bundle_malformed'
  | 'key_history_invalid'
  | 'key_unknown'
  | 'key_not_active'
  | 'entry_type_mismatch'
  | 'signature_invalid'
  | 'credential_mismatch'
  | 'credential_invalid'
  | 'attestation_unbound'
  | 'operator_key_invalid'
  | 'image_mismatch'
  | 'unexpected';

/** A failed verification step. Carries no HTTP status: api/http/problem.ts maps it when a route lets one through. */
export class VerificationError extends Error {
  constructor(
    readonly code: VerificationCode,
    message: string,
  ) {
    super(message);
    this.name = 'VerificationError';
  }
}

export const fail = (code: VerificationCode, message: string): never => {
  throw new VerificationError(code, message);
};
