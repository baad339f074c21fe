import type { Fingerprint } from './types.ts';

/** The public part of a fingerprint: what inspect, verify and drafts show about an upload. */
export const fingerprintSummary = (fp: Fingerprint) => ({
  sha256: fp.sha256,
  pdq: fp.pdq,
  pdqQuality: fp.pdqQuality,
  width: fp.width,
  height: fp.height,
  format: fp.format,
});
