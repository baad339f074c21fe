import { z } from 'zod';
import type { AppendedEntry } from './types.ts';

/** A non-negative integer query or path parameter, refused above Number.MAX_SAFE_INTEGER. */
export const count = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .regex(/^(0|[1-9][0-9]{0,15})$/, `${name} must be a non-negative integer`)
    .transform(Number)
    .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER, `${name} is too large`));

export const entrySchema = z
  .object({
    index: z.number().int(),
    body: z.string().meta({ description: 'base64 of the exact bytes that were leaf-hashed (RFC 8785 JSON)' }),
    entry: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'LogEntry' });

export const inclusionSchema = z
  .object({ index: z.number().int(), size: z.number().int(), hashes: z.array(z.string()).meta({ description: 'base64, RFC 6962 order' }) })
  .meta({ id: 'InclusionProof' });

export const consistencySchema = z
  .object({ from: z.number().int(), to: z.number().int(), hashes: z.array(z.string()) })
  .meta({ id: 'ConsistencyProof' });

export const entriesPageSchema = z.object({
  entries: z.array(entrySchema),
  start: z.number().int(),
  end: z.number().int().meta({ description: 'exclusive end of the returned entries' }),
  size: z.number().int().meta({ description: 'current number of entries in the log' }),
  next: z.string().optional().meta({ description: 'the URL of the next page, when there is one' }),
});

export const entryWithProofSchema = entrySchema.extend({
  leafHash: z.string(),
  inclusionProof: inclusionSchema,
  checkpoint: z.string().meta({ description: 'the signed note the proof is against' }),
});

export const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.string())) });

/** An entry in its JSON form (entrySchema): the leaf-hashed bytes as base64. */
export const toJson = (e: AppendedEntry) => ({ index: e.index, body: e.body.toString('base64'), entry: e.entry });
