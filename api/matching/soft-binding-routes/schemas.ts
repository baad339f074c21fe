import { z } from 'zod';
import { AURA_PDQ_ALG } from '../soft-binding.ts';

export const TAGS = ['c2pa soft binding'];

export const maxResults = z.coerce.number().int().min(1).max(100).default(10).describe('the most manifest identifiers to return');
export const alg = z.string().min(1).max(200).describe(`soft-binding algorithm; this service resolves "${AURA_PDQ_ALG}"`);
export const value = z.string().min(1).max(200).describe('base64 of the 32 bytes of the 256-bit PDQ hash (standard or URL-safe alphabet)');

export const queryResultSchema = z
  .object({
    matches: z.array(
      z.object({
        manifestId: z
          .string()
          .describe('the work id; its record is /v1/works/{manifestId}, its proof bundle /v1/works/{manifestId}/bundle'),
        endpoint: z
          .string()
          .describe('the manifest repository: GET {endpoint}/manifests/{manifestId} returns the manifest store (application/c2pa)'),
        similarityScore: z.number().int().min(0).max(100),
        aura: z.object({
          workUrl: z.string(),
          distance: z.number().int(),
          exact: z.boolean(),
          kind: z.enum(['exact', 'same', 'similar']),
          revoked: z.boolean(),
        }),
      }),
    ),
  })
  .meta({ id: 'SoftBindingQueryResult', description: 'C2PA c2pa.softBindingQueryResult, with Aura fields under `aura`' });
