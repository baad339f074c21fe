import { z } from 'zod';
import { matchSchema } from '../works/schemas.ts';
import { imageFormatSchema, publicEvidenceSchema } from '../evidence/schemas.ts';

/** The answer of POST /v1/verify, for the OpenAPI document and the web client's types. */
export const contentCredentialsReportSchema = z
  .object({
    present: z.boolean(),
    validationState: z.string().optional().describe('c2pa-rs: Invalid, Valid (intact, signer not on a trust list) or Trusted'),
    intact: z.boolean().describe('no failure code other than an untrusted signer'),
    failures: z.array(z.object({ code: z.string(), explanation: z.string().optional() })),
    signer: z
      .object({ commonName: z.string().optional(), issuer: z.string().optional(), alg: z.string().optional(), time: z.string().optional() })
      .optional(),
    claimGenerator: z.string().optional(),
    actions: z.array(z.object({ action: z.string(), digitalSourceType: z.string().optional(), softwareAgent: z.string().optional() })),
    identities: z.array(z.object({ sigType: z.string(), issuer: z.string().optional(), names: z.array(z.string()) })),
    aura: z
      .object({
        workId: z.string(),
        workUrl: z.string(),
        known: z.boolean(),
        level: z.object({ level: z.number(), name: z.string() }).optional(),
        pixelsMatch: z.boolean(),
      })
      .optional(),
    softBindings: z.array(z.object({ alg: z.string(), workIds: z.array(z.string()), pixelsMatch: z.boolean() })),
    warnings: z.array(z.string()),
    error: z.string().optional(),
  })
  .meta({ id: 'ContentCredentialsReport', description: 'The file’s C2PA Content Credentials as c2pa-rs validates them' });

export const verificationReportSchema = z
  .object({
    sha256: z.string(),
    pdq: z.string(),
    pdqQuality: z.number(),
    width: z.number().int(),
    height: z.number().int(),
    format: imageFormatSchema,
    evidence: publicEvidenceSchema,
    contentCredentials: contentCredentialsReportSchema,
    matches: z.array(matchSchema),
    nearMisses: z
      .array(
        z.object({
          workId: z.string(),
          distance: z.number().int(),
          verdict: z.literal('similar'),
          note: z.string(),
          work: z.object({
            id: z.string(),
            url: z.string(),
            title: z.string(),
            artist: matchSchema.shape.work.shape.artist,
            thumbnailUrl: z.string(),
          }),
        }),
      )
      .describe('registered works close to this image but past the match rule: similar works, not the same image'),
  })
  .meta({ id: 'VerificationReport' });
