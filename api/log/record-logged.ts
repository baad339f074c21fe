import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { LogEventInput, TransparencyLog } from './types.ts';

type Trx = Transaction<Database>;
type Events = [LogEventInput, ...LogEventInput[]];

/** A write that the log records: the rows and their entries commit or fail together. */
export interface LoggedWrite<E extends Events> {
  /** Claims and guarded writes that must hold before anything is logged (drafts, spent signatures, status changes). */
  before?: (trx: Trx) => Promise<unknown>;
  /** The entries, appended in this order. */
  events: E;
  /** The rows that record the entries' log indices, one index per event. */
  after?: (trx: Trx, indices: { [K in keyof E]: number }) => Promise<unknown>;
}

/**
 * In one transaction: `before`, the log entries, then `after`. Returns the first entry's log index.
 * The only way a feature appends to the log.
 */
export async function recordLogged<E extends Events>(db: Kysely<Database>, log: TransparencyLog, write: LoggedWrite<E>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await write.before?.(trx);
    const indices: number[] = [];
    for (const event of write.events) indices.push((await log.append(trx, event)).index);
    await write.after?.(trx, indices as { [K in keyof E]: number });
    return indices[0]!;
  });
}
