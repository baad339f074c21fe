import { z } from 'zod';

/** Response shapes of the works and verify routes, for the OpenAPI document. */
const person = z.object({ handle: z.string(), displayName: z.string() });

export const evidenceLevelSchema = z
  .object({ level: z.number().int().min(0).max(3), name: z.string(), explanation: z.string() })
  .meta({ id: 'EvidenceLevel' });

export const signatureStatusSchema = z
  .object({
    valid: z.boolean(),
    kid: z.string(),
    keyActiveAtLogTime: z.boolean(),
    keyRevokedAt: z
      .string()
      .nullable()
      .meta({ description: 'when the key was revoked, if it was; a signature logged while it was active stays valid' }),
  })
  .meta({ id: 'SignatureStatus', description: 'the signature verifies and its key was active when the log recorded it' });

export const organizationVerificationSchema = z
  .object({
    status: z.enum(['verified', 'withdrawn']),
    since: z.string(),
    by: z.object({ role: z.literal('registry operator'), kid: z.string() }),
    note: z.string().nullable(),
    domain: z.string().nullable(),
    logIndex: z.number().int(),
    withdrawnAt: z.string().nullable(),
    withdrawnLogIndex: z.number().int().nullable(),
    withdrawalReason: z.string().nullable(),
  })
  .meta({
    id: 'OrganizationVerification',
    description: "the operator's latest statement about an organisation (organization.verified / organization.withdrawn in the log)",
  });

export const attestationViewSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    note: z.string().nullable(),
    date: z.string().nullable(),
    issuer: person.extend({
      verified: z.boolean().describe("the registry's operator has verified this organisation and not withdrawn it"),
      label: z.enum(['verified organisation', 'unverified organisation']),
      verification: organizationVerificationSchema.nullable(),
    }),
    issuedAt: z.string(),
    logIndex: z.number().int(),
    status: z.enum(['active', 'revoked']),
    revokedAt: z.string().nullable(),
    signature: signatureStatusSchema,
    valid: z.boolean().describe('validly signed, active, by an organisation account'),
    countsTowardLevel: z.boolean().describe('valid and its organisation is verified: only these raise a work to level 3'),
  })
  .meta({ id: 'Attestation' });

export const disputeViewSchema = z
  .object({
    id: z.string(),
    reason: z.string(),
    text: z.string(),
    status: z.string(),
    filedBy: person,
    filedAt: z.string(),
    logIndex: z.number().int(),
  })
  .meta({ id: 'Dispute' });

export const workViewSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    title: z.string(),
    year: z.number().int().nullable(),
    medium: z.string().nullable(),
    statement: z.string().nullable(),
    digitalSourceType: z.string(),
    composite: z.boolean(),
    sha256: z.string(),
    pdq: z.string(),
    pdqQuality: z.number(),
    width: z.number().int(),
    height: z.number().int(),
    artist: person,
    registeredAt: z.string(),
    logIndex: z.number().int(),
    status: z.enum(['active', 'revoked']),
    revoked: z.boolean(),
    revokedAt: z.string().nullable(),
    evidenceLevel: evidenceLevelSchema,
    signature: signatureStatusSchema,
    credential: z.object({ jws: z.string(), payload: z.unknown() }),
    screening: z.unknown(),
    attestations: z.array(attestationViewSchema),
    disputes: z.array(disputeViewSchema),
    openDisputes: z.number().int(),
    processImages: z.array(
      z.object({ id: z.string(), sha256: z.string(), loggedAt: z.string(), logIndex: z.number().int(), beforeRegistration: z.boolean() }),
    ),
    thumbnailUrl: z.string(),
    bundleUrl: z.string(),
  })
  .meta({ id: 'Work' });

export const workListSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      artist: person,
      status: z.string(),
      composite: z.boolean(),
      registeredAt: z.string(),
      logIndex: z.number().int(),
      thumbnailUrl: z.string(),
    }),
  ),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const matchSchema = z
  .object({
    workId: z.string(),
    distance: z
      .number()
      .int()
      .describe(
        "Hamming distance of the hashes that matched: PDQ's (0 = identical pixels as far as PDQ sees), or the structure hash's when matchedOn.stored is 'structure' or 'structure-black' (a low-detail work)",
      ),
    exact: z.boolean().describe('the uploaded bytes are the registered file (SHA-256)'),
    similarity: z.number(),
    verdict: z.enum(['exact', 'same', 'similar']),
    maxDistance: z
      .number()
      .int()
      .describe('the largest distance that still counts as a match for this image (stricter for low-detail images)'),
    note: z.string().optional(),
    transform: z.string().describe('how the copy differs: rotated, cropped, re-encoded …'),
    matchedOn: z.object({
      query: z.string(),
      stored: z.string(),
      localFeatures: z
        .object({
          alignedBy: z
            .enum(['keypoints', 'correlation'])
            .describe(
              "what lined the pictures up: keypoint pairs, or (a picture without usable keypoints: line art, smooth shapes) the pictures' correlation as a whole",
            ),
          inliers: z.number().int().describe('keypoint pairs agreeing with the fitted map (0 when aligned by correlation)'),
          agreement: z.number().describe('share of the textured overlapping cells where the pictures agree'),
          coverage: z.number().describe('share of the registered picture the copy shows'),
          rotation: z.number().describe('degrees the copy is turned, clockwise'),
          scale: z.number().describe("the copy's size relative to the registered working copy"),
        })
        .optional()
        .describe('present when the match was confirmed by local features (keypoints and an aligned comparison), not by the PDQ threshold'),
    }),
    work: z.object({
      id: z.string(),
      url: z.string(),
      title: z.string(),
      year: z.number().int().nullable(),
      artist: person,
      registeredAt: z.string(),
      digitalSourceType: z.string(),
      composite: z.boolean(),
      thumbnailUrl: z.string(),
    }),
    evidenceLevel: evidenceLevelSchema,
    signature: signatureStatusSchema,
    attestations: z.array(attestationViewSchema),
    disputes: z.array(disputeViewSchema),
    revoked: z.boolean(),
    logIndex: z.number().int(),
  })
  .meta({ id: 'Match' });

/** What a registration answers (api/works/receipts.ts): the log entry, proven against a signed checkpoint. */
export const receiptSchema = z
  .object({
    workId: z.string().optional(),
    url: z.string().optional(),
    logIndex: z.number().int(),
    inclusionProof: z.object({ index: z.number().int(), size: z.number().int(), hashes: z.array(z.string()) }),
    checkpoint: z.string(),
  })
  .meta({ id: 'Receipt' });
