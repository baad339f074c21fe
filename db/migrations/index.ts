import type { Migration } from 'kysely';
import * as initial from './0001_initial.ts';

/** All migrations in order. Add new ones here; names sort lexically. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
};
