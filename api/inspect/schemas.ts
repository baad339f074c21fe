import { z } from 'zod';
import { imageFormatSchema, publicEvidenceSchema } from '../evidence/schemas.ts';

export const inspectResponseSchema = z
  .object({
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .meta({ description: 'SHA-256 of the exact uploaded bytes' }),
    pdq: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .meta({ description: 'PDQ perceptual hash (256 bits, hex) of the EXIF-oriented image' }),
    pdqQuality: z.number().int().min(0).max(100).meta({ description: 'below 50 the hash is unstable (flat or smooth images)' }),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    format: imageFormatSchema,
    evidence: publicEvidenceSchema,
  })
  .meta({ id: 'InspectResult' });
