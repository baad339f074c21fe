/**
 * The match index's secondary structures on work_hashes, as the latest migration (0023) leaves them.
 * Shared by the repository's SQL and the bulk loader, which drops and rebuilds them around a large import.
 */
export { HASH_WORD_COLUMNS, slotIndexDdl, slotIndexName, slotValueSql, wordsDistanceSql } from './migrations/0023_hash_words.ts';

export const WORK_ID_INDEX = 'work_hashes_work_idx';
export const WORK_FOREIGN_KEY = 'work_hashes_work_id_fkey';
