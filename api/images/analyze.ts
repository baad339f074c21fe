import { readEvidence } from '../evidence/read-evidence.ts';
import { fingerprintImage } from './fingerprint.ts';
import type { AnalyzedImage, ImageLimits } from './types.ts';

/**
 * Fingerprints and metadata evidence of one upload. Throws AppError (4xx) for unsupported, corrupt or
 * oversized images; metadata problems never fail the call.
 */
export async function analyzeImage(bytes: Buffer, limits: ImageLimits): Promise<AnalyzedImage> {
  const fingerprintPromise = fingerprintImage(bytes, limits);
  // Metadata is read only from files small enough to be accepted; started together so both overlap.
  const evidencePromise = bytes.length <= limits.maxBytes ? readEvidence(bytes) : undefined;
  const fingerprint = await fingerprintPromise;
  const evidence = await evidencePromise!;
  return { fingerprint, evidence };
}
