/**
 * The match index's secondary structures on work_hashes, as the latest migration leaves them. Shared by
 * that migration and the bulk loader, which drops and rebuilds them around a large import.
 */

export const WORK_ID_INDEX = 'work_hashes_work_idx';
export const WORK_FOREIGN_KEY = 'work_hashes_work_id_fkey';

export const slotIndexName = (slot: number) => `work_hashes_s${slot}_idx`;

/** A slot btree: the slot value and label class, carrying the full hash for index-only probes (migration 0014). */
export function slotIndexDdl(slot: number): string {
  return `create index ${slotIndexName(slot)} on work_hashes (s${slot}, label_class) include (hash)`;
}
