import { sql, type Kysely } from 'kysely';
import { FIND_MATCHES_FUNCTION } from './0014_slim_slot_indexes.ts';

/** The label class of the structure rows (migration 0020). */
const STRUCTURE_CLASS = 13;

/**
 * aura_find_matches keeps a work's best PDQ pair and its best structure pair apart: a work stored under
 * both (a noisy work, PDQ quality 3–7) returns up to two rows, so a structure row a few bits nearer
 * than the PDQ row no longer hides a PDQ pair the policy would accept (and vice versa). Ranking is
 * otherwise as before: the scan (api/matching/repository.ts) ranks alike.
 */
export const FIND_MATCHES_BY_FAMILY = rewrite(FIND_MATCHES_FUNCTION, [
  ['h.label as stored_label,', `h.label as stored_label, (h.label_class = ${STRUCTURE_CLASS}) as structure,`],
  [
    'select distinct on (work_id) work_id, distance, q_ord, stored_label',
    'select distinct on (work_id, structure) work_id, distance, q_ord, stored_label, structure',
  ],
  ['order by work_id, distance,', 'order by work_id, structure, distance,'],
  ['coalesce(b.distance, 0), w.id', 'coalesce(b.distance, 0), w.id, b.structure'],
]);

/** `text` with each edit's first string replaced by its second; throws when one is missing. */
export function rewrite(text: string, edits: [string, string][]): string {
  return edits.reduce((out, [from, to]) => {
    if (!out.includes(from)) throw new Error(`'${from}' not found in the function being rewritten`);
    return out.replace(from, to);
  }, text);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(FIND_MATCHES_BY_FAMILY).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(FIND_MATCHES_FUNCTION).execute(db);
}
