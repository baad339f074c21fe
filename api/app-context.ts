import type { OpenedDatabase } from '../db/open.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { createRateLimits } from './http/rate-limits.ts';
import { SessionIssuer } from './identity/sessions.ts';
import { createTransparencyLog } from './log/index.ts';
import { createLogger } from './logger.ts';
import { loadOperatorKey } from './trust/operator-key.ts';
import { OrganizationTrust } from './trust/service.ts';
import { Ingest } from './uploads/ingest.ts';
import { ParserPool } from './uploads/parser-pool.ts';

/** A built AppContext with the lifecycle of what it started (the log's checkpoints, the parser pool). */
export interface AppRuntime {
  ctx: AppContext;
  /** Starts the log's background checkpoints; call once migrations have run and the keys are pinned. */
  startLog(): Promise<void>;
  /** Stops the log and the parser pool. The database is not closed: it belongs to the caller. */
  close(): Promise<void>;
}

export interface AppContextOptions {
  clock?: Clock;
}

/**
 * Builds the whole AppContext in one place: the logger, the rate limits, the transparency log and the
 * operator key (each loaded or created in the data directory), sessions, organisation trust and the
 * ingest path with its parser pool. Touches no table: migrations come after.
 */
export async function createAppContext(config: Config, database: OpenedDatabase, options: AppContextOptions = {}): Promise<AppRuntime> {
  const logger = createLogger(config);
  const clock = options.clock ?? systemClock;
  const db = database.db;
  const log = await createTransparencyLog({ config, db, clock, logger });
  const operatorKey = await loadOperatorKey({ envKey: config.operatorKey, dataDir: config.dataDir, create: true }).catch(
    async (err: unknown) => {
      await log.close();
      throw err;
    },
  );
  if (operatorKey.source === 'created') logger.info({ operatorKid: operatorKey.kid }, 'created a new operator key in the data directory');
  const operator = { kid: operatorKey.kid, publicJwk: operatorKey.publicJwk };
  const parsers = new ParserPool(config.parserPool);
  const ctx: AppContext = {
    config,
    db,
    dbKind: database.kind,
    logger,
    clock,
    readiness: { migrated: false },
    sessions: new SessionIssuer({ db, clock, config }),
    limits: createRateLimits(config),
    log,
    operator,
    trust: new OrganizationTrust({ db, clock, log, operator }),
    ingest: new Ingest(parsers, { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels }),
  };
  return {
    ctx,
    startLog: () => log.start(),
    close: async () => {
      await log.close();
      await parsers.close();
    },
  };
}
