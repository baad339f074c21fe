import type { AppContext } from '../context.ts';
import { loadOrCreateLogKey } from './keys.ts';
import { assertKeyName } from './verify/note.ts';
import { TransparencyLogService } from './service.ts';

export type { TransparencyLog, AppendedEntry, SignedCheckpoint, InclusionProof, ConsistencyProof, LogEventInput } from './types.ts';
export { TransparencyLogService } from './service.ts';

/**
 * The registry's transparency log. Loads (or creates, in the data directory) the Ed25519 log key; does
 * not touch the database. Call `start()` once migrations have run and `close()` before closing the database.
 */
export async function createTransparencyLog(ctx: Pick<AppContext, 'config' | 'db' | 'clock' | 'logger'>): Promise<TransparencyLogService> {
  const origin = ctx.config.logOrigin;
  assertKeyName(origin);
  const key = loadOrCreateLogKey({ envKey: ctx.config.logKey, dataDir: ctx.config.dataDir });
  const log = await TransparencyLogService.create({ db: ctx.db, clock: ctx.clock, logger: ctx.logger, origin, key });
  if (key.source === 'created') ctx.logger.info({ verifierKey: log.verifierKey }, 'created a new log key in the data directory');
  return log;
}
