/**
 * `npm run demo`: starts Aura on a fresh embedded database, seeds it with the demo registry, keeps serving.
 *
 *   npm run demo [-- --port 8080] [--data <dir>] [--out ./demo-images] [--works 30]
 *
 * The database goes in --data, else in $AURA_DATA_DIR, else in a temporary folder deleted when the demo stops
 * (Ctrl+C, SIGTERM, or an error).
 *
 * The server gets a demo clock that starts six days in the past; the seeder, running in this same process, moves
 * it forward so that work-in-progress images are really logged on different (simulated) days, then brings it back
 * to real time before anything signed with a timestamp. Nothing outside this process can move it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../api/config.ts';
import { startServer, StartupError } from '../api/server.ts';
import { loadOperatorKey } from '../api/trust/operator-key.ts';
import { createDemoClock } from './lib/seed-clock.ts';
import { DEFAULT_WORKS, MAX_WORKS, MIN_WORKS } from './lib/seed-plan.ts';
import { formatSeedReport, HISTORY_MS, seedRegistry } from './seed.ts';

const usage = `usage: npm run demo [-- --port 8080] [--data <dir>] [--out ./demo-images] [--works ${MIN_WORKS}-${MAX_WORKS}]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      data: { type: 'string' },
      out: { type: 'string', default: './demo-images' },
      works: { type: 'string', default: String(DEFAULT_WORKS) },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(usage);
  const works = Number(values.works);
  if (!Number.isInteger(works) || works < MIN_WORKS || works > MAX_WORKS) fail(usage);

  const chosen = values.data ?? process.env.AURA_DATA_DIR;
  const temporary = !chosen;
  const dataDir = chosen ? path.resolve(chosen) : fs.mkdtempSync(path.join(os.tmpdir(), 'aura-demo-'));
  // On every way out (signal, error, seeding cut short), not only after a clean close.
  if (temporary) process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
  let config: Config;
  try {
    config = loadConfig({
      ...process.env,
      // Always the embedded database: the demo never writes into a PostgreSQL named in the environment.
      DATABASE_URL: undefined,
      PORT: values.port,
      AURA_DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      // The seeder makes a few hundred requests in a few seconds from one address.
      AURA_RATE_LIMIT_SIGNIN_PER_MINUTE: process.env.AURA_RATE_LIMIT_SIGNIN_PER_MINUTE ?? '10000',
      AURA_RATE_LIMIT_REGISTER_PER_MINUTE: process.env.AURA_RATE_LIMIT_REGISTER_PER_MINUTE ?? '10000',
    });
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }

  const clock = createDemoClock(-HISTORY_MS);
  const running = await startServer({ config, clock }).catch((err: Error) =>
    fail(err instanceof StartupError ? `${err.message} (or pass one with -- --port <n>)` : `could not start Aura: ${err.message}`),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the demo …');
    running
      .close()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  console.log(`Aura demo: serving ${running.url} (embedded database in ${temporary ? `a temporary folder, ${dataDir}` : dataDir})`);
  console.log(`Seeding ${works} works; the server clock is simulated while the history is written …`);
  const started = Date.now();
  // The operator's key is in this demo's data directory: the demo plays the operator and verifies its gallery.
  const operatorKey = await loadOperatorKey({ envKey: config.operatorKey, dataDir, create: false });
  const operator = async (handle: string, note: string) => void (await running.ctx.trust.verifyOrganization(operatorKey, handle, { note }));
  const result = await seedRegistry({
    url: running.url,
    out: values.out,
    works,
    time: clock,
    operator,
    progress: (line) => console.log(`  ${line}`),
  });
  console.log(`\n${formatSeedReport(result)}`);
  console.log(`\nSeeded in ${((Date.now() - started) / 1000).toFixed(1)} s. The server clock is back at real time.`);
  console.log(
    `Aura demo is serving on ${running.url} — open it in a browser. Ctrl+C (or SIGTERM) stops it${temporary ? ' and deletes its temporary database' : ''}.`,
  );
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
