import type { z } from 'zod';
import { analyzeImage } from '../images/analyze.ts';
import type { ImageLimits } from '../images/types.ts';
import type { inspectResponseSchema } from './routes.ts';

export type InspectResult = z.infer<typeof inspectResponseSchema>;

/** Fingerprint and public evidence of an image; nothing is stored and private evidence is dropped. */
export async function inspectImage(bytes: Buffer, limits: ImageLimits): Promise<InspectResult> {
  const { fingerprint, evidence } = await analyzeImage(bytes, limits);
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
