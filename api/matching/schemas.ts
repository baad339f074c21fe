import { z } from 'zod';
import { AppError } from '../errors.ts';
import { MAX_INDEXED_DISTANCE } from './hashes.ts';
import { MATCH_TARGETS } from './label-classes.ts';

const hex64 = (message: string) =>
  z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.string().regex(/^[0-9a-f]{64}$/, message));

/**
 * At most this many hashes per match query: a verify sends ~60 (the dihedral variants, the crop ladder,
 * the anchored views, the part windows, the turned views and, for a low-detail copy, 8 structure hashes).
 */
export const MAX_QUERY_HASHES = 96;

export const labelledHashesSchema = z
  .array(z.object({ label: z.string().min(1).max(64), hash: hex64('a hash is 64 hex characters (256 bits)') }))
  .max(MAX_QUERY_HASHES);

/** A query hash may name which stored rows it is compared with (label-classes.ts); default 'any'. */
export const matchQuerySchema = z.object({
  sha256: hex64('sha256 is 64 hex characters').optional(),
  hashes: z
    .array(
      z.object({
        label: z.string().min(1).max(64),
        hash: hex64('a hash is 64 hex characters (256 bits)'),
        against: z.enum(MATCH_TARGETS).default('any'),
      }),
    )
    .max(MAX_QUERY_HASHES),
});

export const matchOptionsSchema = z.object({
  maxDistance: z.number().int().min(0).max(MAX_INDEXED_DISTANCE).default(MAX_INDEXED_DISTANCE),
  limit: z.number().int().min(1).max(1000).default(50),
});

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new AppError('validation_failed', `${what} ${issue.path.join('.')}: ${issue.message}`);
}

/** Symmetric images have identical dihedral variants; keep each distinct hash once, under its first label. */
export function dedupeHashes<T extends { hash: string }>(hashes: T[]): T[] {
  const seen = new Set<string>();
  return hashes.filter((h) => !seen.has(h.hash) && seen.add(h.hash));
}
