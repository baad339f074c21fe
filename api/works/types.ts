import type { Selectable } from 'kysely';
import type { DraftsTable } from '../../db/schema.ts';

export type Draft = Selectable<DraftsTable> & { payload: Record<string, unknown> };
