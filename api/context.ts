import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Clock } from './clock.ts';
import type { Database } from '../db/schema.ts';
import type { DatabaseKind } from '../db/open.ts';

/** What every feature is built from: configuration and the I/O seams. */
export interface AppContext {
  config: Config;
  db: Kysely<Database>;
  dbKind: DatabaseKind;
  logger: Logger;
  clock: Clock;
  /** True once migrations have run; /readyz and the features' start-up wait on it. */
  readiness: { migrated: boolean };
}
