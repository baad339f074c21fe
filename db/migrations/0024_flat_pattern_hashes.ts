import { sql, type Kysely } from 'kysely';
import { HASH_WORD_COLUMNS, wordsDistanceSql } from './0023_hash_words.ts';

/**
 * Hashes within 32 bits of PDQ's flat-window checkerboard (api/matching/policy.ts FLAT_PATTERNS) carry no
 * picture and are no longer indexed; this removes the ones indexed before, as migration 0011 did for
 * unbalanced hashes. Structure rows are another descriptor and stay. A work whose main hash goes gets
 * its structure rows from `npm run db:backfill-windows`, like any work whose main hash is degenerate.
 */
const FLAT_PATTERNS = ['5555aaaa'.repeat(8), 'aaaa5555'.repeat(8)];
const FLAT_PATTERN_DISTANCE = 32;

const words = (hex: string) => [0, 1, 2, 3].map((w) => `${BigInt.asIntN(64, BigInt(`0x${hex.slice(w * 16, w * 16 + 16)}`))}::int8`);

export async function up(db: Kysely<unknown>): Promise<void> {
  const stored = HASH_WORD_COLUMNS.map((c) => `h.${c}`);
  const near = FLAT_PATTERNS.map((flat) => `${wordsDistanceSql(stored, words(flat))} <= ${FLAT_PATTERN_DISTANCE}`).join(' or ');
  await sql.raw(`delete from work_hashes h where h.label not in ('structure', 'structure-black') and (${near})`).execute(db);
}

export async function down(): Promise<void> {
  // The deleted rows matched only other works' flat windows; nothing to restore.
}
