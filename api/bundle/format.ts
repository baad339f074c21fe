import { z } from 'zod';

export const BUNDLE_MEDIA_TYPE = 'application/vnd.aura.bundle+json';
export const BUNDLE_FORMAT = 'aura-bundle/1';

/** A log entry with its inclusion proof against the bundle's checkpoint. */
export const provenEntrySchema = z.object({
  index: z.number().int().min(0),
  /** base64 of the exact RFC 8785 bytes that were leaf-hashed. */
  body: z.string(),
  inclusionProof: z.object({ size: z.number().int().min(1), hashes: z.array(z.string()) }),
});

export const bundleSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    registry: z.object({
      url: z.string(),
      origin: z.string(),
      vkey: z.string(),
      jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
      /** The operator key that verifies organisations (also in `jwks`); absent in bundles made before issue 18. */
      operator: z.record(z.string(), z.unknown()).optional(),
    }),
    /** The signed checkpoint note every proof in the bundle is against. */
    checkpoint: z.string(),
    work: z.object({ id: z.string(), credential: z.string(), entry: provenEntrySchema }),
    revocation: provenEntrySchema.nullable(),
    attestations: z.array(
      z.object({ id: z.string(), credential: z.string(), entry: provenEntrySchema, revocation: provenEntrySchema.nullable() }),
    ),
    disputes: z.array(provenEntrySchema),
    processImages: z.array(provenEntrySchema),
    /** account.created, key.added and key.revoked entries of the artist, every attesting organisation and every disputer. */
    keyHistory: z.array(provenEntrySchema),
    /** organization.verified and organization.withdrawn entries of every attesting organisation, in log order. */
    organizations: z.array(provenEntrySchema).default([]),
  })
  .meta({ id: 'ProofBundle' });

export type ProofBundle = z.infer<typeof bundleSchema>;
export type ProvenEntry = z.infer<typeof provenEntrySchema>;
