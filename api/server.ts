import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import type { AppContext } from './context.ts';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { systemClock, type Clock } from './clock.ts';
import { openDatabase, type OpenedDatabase } from '../db/open.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createRateLimits } from './http/rate-limits.ts';
import { SessionIssuer } from './identity/sessions.ts';
import { createTransparencyLog } from './log/index.ts';
import { Ingest } from './uploads/ingest.ts';
import { ParserPool } from './uploads/parser-pool.ts';

export interface RunningServer {
  url: string;
  ctx: AppContext;
  server: http.Server;
  /** Stops accepting, finishes in-flight requests, closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  database?: OpenedDatabase;
  clock?: Clock;
  /** Keep retrying migrations in the background when the database is down at start. */
  waitForDatabase?: boolean;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = createLogger(config);
  const database =
    options.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize, idleTimeoutMs: config.databaseIdleTimeoutMs }));
  const ctx = {
    config,
    db: database.db,
    dbKind: database.kind,
    logger,
    clock: options.clock ?? systemClock,
    readiness: { migrated: false },
    limits: createRateLimits(config),
  } as AppContext;
  const parsers = new ParserPool(config.parserPool);
  ctx.ingest = new Ingest(parsers, { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels });
  ctx.sessions = new SessionIssuer(ctx);
  const log = await createTransparencyLog(ctx);
  ctx.log = log;
  const migrating = migrateUntilReady(ctx, options.waitForDatabase ?? false).then(() => log.start());
  if (!options.waitForDatabase) await migrating;

  const app = await createApp(ctx);
  // Node checks request time-outs only every `connectionsCheckingInterval` (30 s by default): check often
  // enough that a client trickling its request is dropped close to AURA_REQUEST_TIMEOUT_MS.
  const server = http.createServer({ connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(config.requestTimeoutMs / 4))) }, app);
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(config.requestTimeoutMs, 60_000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  }).catch(async (error: unknown) => {
    await parsers.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await migrating.catch(() => {});
      await log.close();
      await parsers.close();
      await database.close();
    })());
  return { url, ctx, server, close };
}

async function migrateUntilReady(ctx: AppContext, retry: boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await migrateToLatest(ctx.db);
      if (applied.length) ctx.logger.info({ applied }, 'database migrated');
      ctx.readiness.migrated = true;
      return;
    } catch (err) {
      if (!retry) throw err;
      const delay = Math.min(30_000, 1000 * attempt);
      ctx.logger.error(`database unreachable at start (${(err as Error).message}); retrying in ${delay / 1000}s`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
