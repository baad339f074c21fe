import { z } from 'zod';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { VerifyService } from './service.ts';
import { matchSchema } from '../works/schemas.ts';
import { imageFormatSchema, publicEvidenceSchema } from '../evidence/schemas.ts';

const reportSchema = z
  .object({
    sha256: z.string(),
    pdq: z.string(),
    pdqQuality: z.number(),
    width: z.number().int(),
    height: z.number().int(),
    format: imageFormatSchema,
    evidence: publicEvidenceSchema,
    matches: z.array(matchSchema),
    nearMisses: z
      .array(
        z.object({
          workId: z.string(),
          distance: z.number().int(),
          verdict: z.literal('similar'),
          note: z.string(),
          work: z.object({ id: z.string(), url: z.string(), title: z.string(), artist: matchSchema.shape.work.shape.artist, thumbnailUrl: z.string() }),
        }),
      )
      .describe('registered works close to this image but past the match rule: similar works, not the same image'),
  })
  .meta({ id: 'VerificationReport' });

export function registerVerifyRoutes(api: ApiRouter, ctx: AppContext): void {
  const service = new VerifyService(ctx);
  api.route(
    {
      method: 'post',
      path: '/v1/verify',
      summary: 'Does this image match a registered human-made work? Best match first; `matches: []` when none is within the threshold',
      tags: ['verify'],
      upload: true,
      before: [ctx.limits.verify],
      body: z.object({}),
      responses: { 200: { description: 'the verification report', schema: reportSchema } },
    },
    ({ file }) => {
      if (!file) throw new AppError('bad_request', 'attach the image in the multipart field "image"');
      return service.verify(file.buffer);
    },
  );
}
