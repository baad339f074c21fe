import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { loadConfig, type Config } from '../../api/config.ts';
import { startServer, type RunningServer } from '../../api/server.ts';
import { openDatabase } from '../../db/open.ts';
import type { Clock } from '../../api/clock.ts';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export const backends: Backend[] = ['pglite', ...(process.env.TEST_DATABASE_URL ? (['postgres'] as const) : [])];

/** Runs the same integration suite once per database backend. */
export function describeEachDatabase(name: string, body: (backend: Backend) => void): void {
  describe.each(backends)(`${name} [%s]`, (backend) => body(backend));
}

export interface TestServer extends RunningServer {
  dataDir: string;
  databaseUrl: string | undefined;
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
}

/** A throw-away PostgreSQL database on the TEST_DATABASE_URL server; dropped by the returned function. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL!;
  const name = `aura_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestServerOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Reuse an existing data directory / database (restart tests). */
  dataDir?: string;
  databaseUrl?: string;
}

export async function startTestServer(backend: Backend, options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aura-test-'));
  let databaseUrl = options.databaseUrl;
  let drop: (() => Promise<void>) | undefined;
  if (backend === 'postgres' && !databaseUrl) {
    const scratch = await createScratchDatabase();
    databaseUrl = scratch.url;
    drop = scratch.drop;
  }
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    AURA_DATA_DIR: dataDir,
    AURA_RATE_LIMIT_PER_MINUTE: '100000',
    AURA_RATE_LIMIT_SIGNIN_PER_MINUTE: '100000',
    AURA_RATE_LIMIT_REGISTER_PER_MINUTE: '100000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  });
  const database = backend === 'pglite' && !options.dataDir ? await openDatabase({ dataDir: 'memory://' }) : undefined;
  const running = await startServer({ config, ...(database ? { database } : {}), ...(options.clock ? { clock: options.clock } : {}) });
  return {
    ...running,
    dataDir,
    databaseUrl,
    fetch: (pathname, init) => fetch(running.url + pathname, init),
    close: async () => {
      await running.close();
      await drop?.();
    },
  };
}

/** Path of a test fixture: real files from other projects, listed with their source and licence in tests/fixtures/README.md. */
export const fixture = (relative: string): string => path.resolve(import.meta.dirname, '../fixtures', relative);
export const readFixture = (relative: string): Buffer => fs.readFileSync(fixture(relative));
