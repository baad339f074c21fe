import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { LabelledHash } from '../images/types.ts';
import { AppError } from '../errors.ts';
import type { z } from 'zod';
import { isHashHex, MAX_INDEXED_DISTANCE } from './hashes.ts';
import { matchOptionsSchema, matchQuerySchema, parseOrThrow } from './schemas.ts';
import { classRange, unionRange, type ClassRange, type MatchTarget } from './label-classes.ts';
import { bulkInsertHashRows, findIndexedMatches, findMatchesByScan, type HashRow, type MatchQuery, type MatchRow } from './repository.ts';

/** Stores a work's hashes in the match index; see repository.ts. */
export { indexWorkHashes } from './repository.ts';
export type { MatchTarget } from './label-classes.ts';

export interface MatchCandidate {
  workId: string;
  /** PDQ Hamming distance of the best (query hash, stored hash) pair; 0 for a work matched by SHA-256 alone. */
  distance: number;
  /** The query's bytes have the same SHA-256 as the work's registered file. */
  exact: boolean;
  /** Which query hash matched ('global', 'rot90', 'crop-80' …; 'sha256' for an exact match with no hash row). */
  queryLabel: string;
  /** Which stored hash of the work matched. */
  storedLabel: string;
  /** The work was revoked by its artist; still reported, the caller decides how to show it. */
  revoked: boolean;
}

export interface MatchOptions {
  /** Default and maximum 31: the index is exact only up to 31 bits (pigeonhole over 16 slots). */
  maxDistance?: number;
  /** Default 50. */
  limit?: number;
}

/** A query hash; `against` restricts which stored rows it is compared with (default 'any'). */
export type MatchQueryHash = Pick<LabelledHash, 'label' | 'hash'> & { against?: MatchTarget | undefined };

export interface MatchQueryInput {
  sha256?: string | undefined;
  hashes: MatchQueryHash[];
}

/** Bulk import (migrations of existing catalogues, benchmarks): one statement per 20,000 rows. */
export async function bulkIndexHashes(db: Kysely<Database>, rows: HashRow[]): Promise<void> {
  // A plain loop rather than zod: imports run to millions of rows.
  for (const [i, row] of rows.entries()) {
    if (!isHashHex(row.hash) || !row.label || !row.workId) {
      throw new AppError('validation_failed', `row ${i}: needs a work id, a label and a 64-hex lower-case hash`);
    }
  }
  await bulkInsertHashRows(db, rows);
}

/**
 * Registered works matching an image: exact SHA-256 matches first, then by distance; one candidate per
 * work (its best pair), two for a work stored under structure hashes too (its best PDQ pair and its best
 * structure pair, which the policy judges apart). One database round trip. Revoked works are included.
 */
export async function findMatches(db: Kysely<Database>, query: MatchQueryInput, options: MatchOptions = {}): Promise<MatchCandidate[]> {
  return run(db, query, options, findIndexedMatches);
}

/**
 * As findMatches, but keeping pairs up to `reach` bits (> 31): candidates for the local-feature check
 * (local-features.ts). Past 31 bits the index is not exact: it finds a pair only when one of the 16
 * slots is within one bit, which most pairs within ~50 bits are (docs/matching.md).
 */
export async function findMatchesReaching(db: Kysely<Database>, query: MatchQueryInput, reach: number): Promise<MatchCandidate[]> {
  const parsed = parseOrThrow(matchQuerySchema, query, 'match query');
  const { limit } = parseOrThrow(matchOptionsSchema, {}, 'match options');
  return lookup(db, parsed, Math.max(reach, MAX_INDEXED_DISTANCE), limit, findIndexedMatches);
}

/** The same answer by a full scan (no index): the reference for tests and the benchmark. */
export async function bruteForceMatches(
  db: Kysely<Database>,
  query: MatchQueryInput,
  options: MatchOptions = {},
): Promise<MatchCandidate[]> {
  return run(db, query, options, findMatchesByScan);
}

async function run(
  db: Kysely<Database>,
  input: MatchQueryInput,
  options: MatchOptions,
  strategy: (db: Kysely<Database>, q: MatchQuery) => Promise<MatchRow[]>,
): Promise<MatchCandidate[]> {
  const query = parseOrThrow(matchQuerySchema, input, 'match query');
  const { maxDistance, limit } = parseOrThrow(matchOptionsSchema, options, 'match options');
  return lookup(db, query, maxDistance, limit, strategy);
}

async function lookup(
  db: Kysely<Database>,
  query: z.output<typeof matchQuerySchema>,
  maxDistance: number,
  limit: number,
  strategy: (db: Kysely<Database>, q: MatchQuery) => Promise<MatchRow[]>,
): Promise<MatchCandidate[]> {
  const hashes = mergeIdenticalHashes(query.hashes);
  if (!query.sha256 && hashes.length === 0) return [];
  const rows = await strategy(db, {
    sha256: query.sha256,
    hashes: hashes.map((h, ordinal) => ({ ordinal, hash: h.hash, classes: h.classes })),
    maxDistance,
    limit,
  });
  return rows.map((row) => toCandidate(row, hashes));
}

/**
 * Symmetric images have identical dihedral variants (and an untrimmed image's 'trimmed' region can
 * equal its global hash): each distinct hash is queried once, under its first label, against the union
 * of the stored classes all its copies asked for.
 */
function mergeIdenticalHashes(
  hashes: { label: string; hash: string; against: MatchTarget }[],
): { label: string; hash: string; classes: ClassRange }[] {
  const byHash = new Map<string, { label: string; hash: string; classes: ClassRange }>();
  for (const h of hashes) {
    const seen = byHash.get(h.hash);
    if (seen) seen.classes = unionRange(seen.classes, classRange(h.against));
    else byHash.set(h.hash, { label: h.label, hash: h.hash, classes: classRange(h.against) });
  }
  return [...byHash.values()];
}

function toCandidate(row: MatchRow, hashes: { label: string }[]): MatchCandidate {
  const matchedByHash = row.distance !== null && row.q_ord !== null;
  return {
    workId: row.work_id,
    distance: matchedByHash ? row.distance! : 0,
    exact: row.exact,
    queryLabel: matchedByHash ? hashes[row.q_ord!]!.label : 'sha256',
    storedLabel: matchedByHash ? row.stored_label! : 'sha256',
    revoked: row.status === 'revoked',
  };
}
