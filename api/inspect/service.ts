import type { z } from 'zod';
import type { Ingest } from '../uploads/ingest.ts';
import type { inspectResponseSchema } from './schemas.ts';

export type InspectResult = z.infer<typeof inspectResponseSchema>;

/** Fingerprint and public evidence of an image; nothing is stored and private evidence is dropped. */
export async function inspectImage(ingest: Ingest, bytes: Buffer): Promise<InspectResult> {
  const { fingerprint, evidence } = await ingest.analyze(bytes, { thumbnail: false, metadata: 'best-effort' });
  return {
    sha256: fingerprint.sha256,
    pdq: fingerprint.pdq,
    pdqQuality: fingerprint.pdqQuality,
    width: fingerprint.width,
    height: fingerprint.height,
    format: fingerprint.format,
    evidence: evidence.public,
  };
}
