import fs from 'node:fs';
import path from 'node:path';
import { type Config, ConfigError, loadConfig } from '../../api/config.ts';
import { systemClock } from '../../api/clock.ts';
import { createLogger } from '../../api/logger.ts';
import { createTransparencyLog } from '../../api/log/index.ts';
import { LOG_KEY_FILE } from '../../api/log/keys.ts';
import { loadOperatorKey, OperatorKeyError } from '../../api/trust/operator-key.ts';
import { OperatorKeyMismatchError, pinOperatorKey } from '../../api/trust/pin.ts';
import { OrganizationTrust } from '../../api/trust/service.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open.ts';
import { CliError } from './context.ts';

export type OperatorAction =
  | { kind: 'verify'; handle: string; note?: string | undefined; domain?: string | undefined }
  | { kind: 'withdraw'; handle: string; reason: string };

/**
 * `aura operator …`: run where the server's data is. It reads the same environment as the server (DATABASE_URL or
 * AURA_DATA_DIR, AURA_OPERATOR_KEY or operator-key.json, AURA_LOG_KEY or log-key.json), signs the statement with
 * the operator key and appends it to the log directly in the database — no network, no HTTP endpoint to attack.
 * The embedded database (no DATABASE_URL) is single-process: stop the server first.
 */
export async function runOperator(action: OperatorAction, print: (line: string) => void): Promise<void> {
  let config: Config;
  try {
    config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, 2);
    throw err;
  }
  const key = await loadOperatorKey({ envKey: config.operatorKey, dataDir: config.dataDir, create: false }).catch((err: unknown) => {
    throw err instanceof OperatorKeyError ? new CliError(err.message, 2) : err;
  });
  // Never create a log key here: a missing one means this is not where the server's data is.
  if (!config.logKey && !fs.existsSync(path.join(config.dataDir, LOG_KEY_FILE))) {
    throw new CliError(
      `no log key: set AURA_LOG_KEY or run where the server's data is (${path.join(config.dataDir, LOG_KEY_FILE)} does not exist)`,
      2,
    );
  }
  // PGlite is single-process and keeps postmaster.pid while open: a second opener would corrupt the server's database.
  if (!config.databaseUrl && fs.existsSync(path.join(config.dataDir, 'pglite', 'postmaster.pid'))) {
    throw new CliError(
      `the embedded database in ${config.dataDir} is open (a server is running on it, or one stopped without closing it): stop the server first (if none runs, start and stop it once)`,
      2,
    );
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    const logger = createLogger(config);
    const log = await createTransparencyLog({ config, db: database.db, clock: systemClock, logger });
    const operator = { kid: key.kid, publicJwk: key.publicJwk };
    await pinOperatorKey(database.db, operator).catch((err: unknown) => {
      throw err instanceof OperatorKeyMismatchError ? new CliError(err.message, 2) : err;
    });
    const trust = new OrganizationTrust({ db: database.db, clock: systemClock, log, operator });
    try {
      if (action.kind === 'verify') {
        const r = await trust.verifyOrganization(key, action.handle, { note: action.note, domain: action.domain });
        print(`@${r.handle} verified by the operator (key ${key.kid}) at ${r.verifiedAt}: log index ${r.logIndex} (organization.verified)`);
      } else {
        const r = await trust.withdrawOrganization(key, action.handle, action.reason);
        print(`verification of @${r.handle} withdrawn at ${r.withdrawnAt}: log index ${r.logIndex} (organization.withdrawn)`);
      }
    } finally {
      await log.close();
    }
  } finally {
    await database.close();
  }
}
