import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { imageFormatSchema, publicEvidenceSchema } from '../evidence/schemas.ts';
import type { ApiRouter } from '../http/routes.ts';
import { inspectImage } from './service.ts';

export const inspectResponseSchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'SHA-256 of the exact uploaded bytes' }),
    pdq: z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'PDQ perceptual hash (256 bits, hex) of the EXIF-oriented image' }),
    pdqQuality: z.number().int().min(0).max(100).meta({ description: 'below 50 the hash is unstable (flat or smooth images)' }),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    format: imageFormatSchema,
    evidence: publicEvidenceSchema,
  })
  .meta({ id: 'InspectResult' });

export function registerInspectRoutes(api: ApiRouter, ctx: AppContext): void {
  api.route(
    {
      method: 'post',
      path: '/v1/inspect',
      summary: 'Fingerprints and public metadata evidence (camera, software, C2PA, AI markers) of an image; nothing is stored',
      tags: ['images'],
      upload: true,
      before: [ctx.limits.verify],
      body: z.object({}),
      responses: { 200: { description: 'the fingerprint and public evidence', schema: inspectResponseSchema } },
    },
    async ({ file }) => {
      if (!file) throw new AppError('bad_request', 'attach the image in the multipart field "image"');
      return inspectResponseSchema.parse(await inspectImage(ctx.ingest, file.buffer));
    },
  );
}
