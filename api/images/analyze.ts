import { readEvidence } from '../evidence/read-evidence.ts';
import { fingerprintImage } from './fingerprint.ts';
import type { AnalyzedImage, Evidence, FingerprintOptions, ImageLimits, ThumbnailedFingerprint } from './types.ts';

/**
 * Fingerprints and metadata evidence of one upload. Throws AppError (4xx) for unsupported, corrupt or
 * oversized images; metadata problems never fail the call.
 */
export async function analyzeImage(bytes: Buffer, limits: ImageLimits, options: { thumbnail: true }): Promise<AnalyzedImage<ThumbnailedFingerprint>>;
export async function analyzeImage(bytes: Buffer, limits: ImageLimits, options?: FingerprintOptions): Promise<AnalyzedImage>;
export async function analyzeImage(bytes: Buffer, limits: ImageLimits, options: FingerprintOptions = { thumbnail: false }): Promise<AnalyzedImage> {
  // Both start together so metadata parsing overlaps with decoding; an oversized file is refused by
  // fingerprintImage and its metadata is never parsed.
  const [fingerprint, evidence] = await Promise.all([
    fingerprintImage(bytes, limits, options),
    bytes.length <= limits.maxBytes ? readEvidence(bytes) : Promise.resolve<Evidence>({ public: { aiMarkers: [] }, private: {} }),
  ]);
  return { fingerprint, evidence };
}
