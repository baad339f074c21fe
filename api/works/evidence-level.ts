/** Evidence levels of docs/registry.md, computed from what the log holds, never stored. */
export const EVIDENCE_LEVELS = {
  0: { name: 'unverified', explanation: 'No valid registration stands behind this image (it matches nothing, or only revoked works).' },
  1: { name: 'self-declared', explanation: 'The artist signed a statement that a human made this work.' },
  2: {
    name: 'process evidence',
    explanation: 'Besides the signed statement, at least 3 work-in-progress images were logged before the final, over at least 24 hours.',
  },
  3: {
    name: 'witnessed',
    explanation:
      "Besides the signed statement, an organisation verified by the registry's operator has signed an attestation about this work.",
  },
} as const;

export type EvidenceLevel = keyof typeof EVIDENCE_LEVELS;

export interface LevelInputs {
  revoked: boolean;
  signatureValid: boolean;
  /** Log receipt times of process images logged before the work's own registration. */
  processTimesBeforeRegistration: Date[];
  /**
   * Attestations that are active, validly signed, by an organisation the operator has verified and not withdrawn.
   * Attestations by unverified organisations are shown but never counted here.
   */
  validAttestations: number;
}

const MIN_PROCESS_IMAGES = 3;
const MIN_PROCESS_SPAN_MS = 24 * 60 * 60 * 1000;

export function computeEvidenceLevel(w: LevelInputs): EvidenceLevel {
  if (w.revoked || !w.signatureValid) return 0;
  if (w.validAttestations > 0) return 3;
  const times = w.processTimesBeforeRegistration.map((d) => d.getTime());
  if (times.length >= MIN_PROCESS_IMAGES && Math.max(...times) - Math.min(...times) >= MIN_PROCESS_SPAN_MS) return 2;
  return 1;
}

export function describeLevel(level: EvidenceLevel) {
  return { level, ...EVIDENCE_LEVELS[level] };
}
