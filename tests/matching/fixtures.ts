import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { flipBits, HASH_BITS } from '../../api/matching/hashes.ts';
import { rng } from '../../scripts/lib/artwork.ts';

/** A seeded PRNG so a failing exactness test can be replayed. */
export const seededRandom = rng;

export function randomHash(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 8; i++)
    hex += Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return hex;
}

/** A hash exactly `distance` bits away from `hash` (distinct random positions). */
export function neighbour(hash: string, distance: number, random: () => number): string {
  const positions = Array.from({ length: HASH_BITS }, (_, i) => i);
  for (let i = positions.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [positions[i], positions[j]] = [positions[j]!, positions[i]!];
  }
  return flipBits(hash, positions.slice(0, distance));
}

/**
 * Inserts the rows a work needs (one account and key shared by all test works, created once) with
 * the given id, SHA-256 and status. Only the matching tables are exercised; the rest is filler.
 */
export interface TestWork {
  id: string;
  sha256?: string;
  status?: 'active' | 'revoked';
}

export async function insertWorks(db: Kysely<Database>, works: TestWork[]): Promise<void> {
  if (works.length === 0) return;
  await db
    .insertInto('accounts')
    .values({
      id: 'acct-matching',
      handle: 'matching-tests',
      kind: 'artist',
      display_name: 'Matching Tests',
      bio: '',
      website: null,
      log_index: null,
    })
    .onConflict((c) => c.doNothing())
    .execute();
  await db
    .insertInto('keys')
    .values({
      kid: 'kid-matching',
      account_id: 'acct-matching',
      jwk: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'AA' }),
      status: 'active',
      added_log_index: null,
      revoked_at: null,
      revoked_log_index: null,
    })
    .onConflict((c) => c.doNothing())
    .execute();
  await db
    .insertInto('works')
    .values(
      works.map((work) => ({
        id: work.id,
        account_id: 'acct-matching',
        kid: 'kid-matching',
        jws: 'x.y.z',
        payload: '{}',
        sha256: work.sha256 ?? randomBytes(32).toString('hex'),
        pdq: '0'.repeat(64),
        pdq_quality: 100,
        width: 1,
        height: 1,
        title: work.id,
        digital_source_type: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation',
        evidence_private: '{}',
        thumbnail: Buffer.alloc(0),
        status: work.status ?? 'active',
        log_index: 0,
        revoked_at: null,
        revoked_log_index: null,
        revocation_jws: null,
      })) as never,
    )
    .execute();
}
