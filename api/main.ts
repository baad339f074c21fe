import { ConfigError, loadConfig, type Config } from './config.ts';
import { startServer, StartupError, type RunningServer } from './server.ts';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}

let running: RunningServer;
try {
  running = await startServer({ config, waitForDatabase: true });
} catch (err) {
  if (err instanceof StartupError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
running.ready.catch(async (err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `could not start: ${(err as Error).message}`);
  await running.close().catch(() => {});
  process.exit(2);
});
const where = config.databaseUrl ? 'PostgreSQL' : `embedded PostgreSQL in ${config.dataDir}`;
console.log(`Aura is serving on ${running.url} (database: ${where})`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    running.ctx.logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    running
      .close()
      .then(() => process.exit(0))
      .catch((err) => {
        running.ctx.logger.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  });
}
