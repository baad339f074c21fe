import { z } from 'zod';

export const aiMarkerSchema = z
  .object({
    kind: z.string().meta({
      description: 'e.g. digital-source-type, c2pa-digital-source-type, generator-parameters, generator-software, midjourney-job-id',
    }),
    where: z.string().meta({ description: 'where it was found, e.g. png:tEXt:parameters or xmp:Iptc4xmpExt:DigitalSourceType' }),
    value: z.string().meta({ description: 'the value found, truncated' }),
  })
  .meta({ id: 'AiMarker' });

export const c2paSummarySchema = z
  .object({
    present: z.boolean(),
    claimGenerator: z.string().optional(),
    actions: z.array(z.string()).optional(),
    digitalSourceType: z.string().optional(),
    signatureValid: z.boolean().optional().meta({ description: 'false also when the manifest could not be validated at all' }),
  })
  .meta({ id: 'C2paSummary' });

/** The public part of an image's metadata evidence. GPS, serial numbers and owner names are never part of it. */
export const publicEvidenceSchema = z
  .object({
    camera: z.object({ make: z.string().optional(), model: z.string().optional(), lens: z.string().optional() }).optional(),
    software: z.string().optional(),
    created: z.string().optional(),
    creator: z.string().optional(),
    rights: z.string().optional(),
    digitalSourceType: z.string().optional().meta({ description: 'IPTC digital source type declared in XMP' }),
    c2pa: c2paSummarySchema.optional(),
    aiMarkers: z.array(aiMarkerSchema),
    metadata: z
      .object({ readable: z.literal(false), message: z.string() })
      .optional()
      .meta({
        description:
          'present when the metadata could not be read, e.g. "metadata could not be read (timed out)"; the fingerprint is still complete',
      }),
  })
  .meta({ id: 'PublicEvidence' });

export const imageFormatSchema = z.enum(['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif']);
