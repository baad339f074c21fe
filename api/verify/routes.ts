import { z } from 'zod';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { VerifyService } from './service.ts';
import { matchSchema } from '../works/schemas.ts';
import { imageFormatSchema, publicEvidenceSchema } from '../evidence/schemas.ts';

const contentCredentialsSchema = z
  .object({
    present: z.boolean(),
    validationState: z.string().optional().describe('c2pa-rs: Invalid, Valid (intact, signer not on a trust list) or Trusted'),
    intact: z.boolean().describe('no failure code other than an untrusted signer'),
    failures: z.array(z.object({ code: z.string(), explanation: z.string().optional() })),
    signer: z.object({ commonName: z.string().optional(), issuer: z.string().optional(), alg: z.string().optional(), time: z.string().optional() }).optional(),
    claimGenerator: z.string().optional(),
    actions: z.array(z.object({ action: z.string(), digitalSourceType: z.string().optional(), softwareAgent: z.string().optional() })),
    identities: z.array(z.object({ sigType: z.string(), issuer: z.string().optional(), names: z.array(z.string()) })),
    aura: z
      .object({ workId: z.string(), workUrl: z.string(), known: z.boolean(), level: z.object({ level: z.number(), name: z.string() }).optional(), pixelsMatch: z.boolean() })
      .optional(),
    softBindings: z.array(z.object({ alg: z.string(), workIds: z.array(z.string()), pixelsMatch: z.boolean() })),
    warnings: z.array(z.string()),
    error: z.string().optional(),
  })
  .meta({ id: 'ContentCredentialsReport', description: 'The file’s C2PA Content Credentials as c2pa-rs validates them' });

const reportSchema = z
  .object({
    sha256: z.string(),
    pdq: z.string(),
    pdqQuality: z.number(),
    width: z.number().int(),
    height: z.number().int(),
    format: imageFormatSchema,
    evidence: publicEvidenceSchema,
    contentCredentials: contentCredentialsSchema,
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
