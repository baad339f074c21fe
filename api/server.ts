import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { createAppContext } from './app-context.ts';
import type { AppContext } from './context.ts';
import { ConfigError, type Config } from './config.ts';
import type { Clock } from './clock.ts';
import { openDatabase, type OpenedDatabase } from '../db/open.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { pinOperatorKey } from './trust/pin.ts';

export interface RunningServer {
  url: string;
  ctx: AppContext;
  server: http.Server;
  /**
   * Settles once migrations ran and the log key is confirmed against the database; rejects with a
   * ConfigError (LogKeyMismatchError) when this process must not run. main.ts exits on it.
   */
  ready: Promise<void>;
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
  const database =
    options.database ??
    (await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.databasePoolSize,
      idleTimeoutMs: config.databaseIdleTimeoutMs,
    }));
  const runtime = await createAppContext(config, database, options.clock ? { clock: options.clock } : {});
  const { ctx } = runtime;
  // A key that differs from the one the database holds (operator or log key) rejects `ready` with a one-line ConfigError.
  const migrating = migrateUntilReady(ctx, options.waitForDatabase ?? false)
    .then(() => pinOperatorKey(ctx.db, ctx.operator))
    .then(() => runtime.startLog());
  migrating.catch(() => {});
  if (!options.waitForDatabase) {
    // A server that cannot start (a migration failed, another key) leaves no open database behind.
    await migrating.catch(async (err: unknown) => {
      await runtime.close();
      await database.close();
      throw err;
    });
  }

  const app = await createApp(ctx);
  // Node checks request time-outs only every `connectionsCheckingInterval` (30 s by default): check often
  // enough that a client trickling its request is dropped close to AURA_REQUEST_TIMEOUT_MS.
  const server = http.createServer(
    { connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(config.requestTimeoutMs / 4))) },
    app,
  );
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(config.requestTimeoutMs, 60_000);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
  } catch (err) {
    // Not waiting for migrations: with the database down they retry for ever, and main.ts exits anyway.
    await runtime.close();
    if (!options.database) await database.close();
    throw listenError(err, config);
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  // With PORT=0 the system picked the port; a local sign-in names that one (api/identity/account-signatures.ts).
  config.port = port;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await migrating.catch(() => {});
      await runtime.close();
      await database.close();
    })());
  return { url, ctx, server, ready: migrating, close };
}

/** A start-up failure with a one-line message for the operator (main.ts prints it without a stack). */
export class StartupError extends Error {}

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'is already in use by another process; stop it or set PORT to a free port',
  EACCES: 'needs privileges this process does not have; set PORT to 1024 or above',
  EADDRNOTAVAIL: 'is not an address of this machine; check HOST',
};

function listenError(err: unknown, config: Config): unknown {
  const problem = LISTEN_PROBLEMS[(err as NodeJS.ErrnoException).code ?? ''];
  return problem ? new StartupError(`cannot listen on ${config.host}:${config.port}: it ${problem}`) : err;
}

async function migrateUntilReady(ctx: AppContext, retry: boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await migrateToLatest(ctx.db);
      if (applied.length) ctx.logger.info({ applied }, 'database migrated');
      await ctx.log.claimKey();
      ctx.readiness.migrated = true;
      return;
    } catch (err) {
      if (!retry || err instanceof ConfigError) throw err;
      const delay = Math.min(30_000, 1000 * attempt);
      ctx.logger.error(`database unreachable at start (${(err as Error).message}); retrying in ${delay / 1000}s`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
