import path from 'node:path';
import { z } from 'zod';
import type { ParserPoolSettings } from './uploads/parser-pool.ts';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every environment variable Aura reads, with its default. Parsed once at start-up. */
export const configSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  DATABASE_IDLE_TIMEOUT_S: positiveInt.default(600),
  AURA_DATA_DIR: z.string().min(1).default('./data'),
  AURA_PUBLIC_URL: z.url().optional(),
  AURA_LOG_ORIGIN: z.string().min(1).optional(),
  AURA_LOG_KEY: z.string().min(1).optional(),
  AURA_SESSION_SECRET: z.string().min(32).optional(),
  AURA_OPERATOR_KEY: z.string().min(1).optional(),
  AURA_DOMAIN_LINK_TIMEOUT_MS: positiveInt.max(60_000).default(5_000),
  /** Test-only: domain linkage may fetch plain http:// from loopback addresses. Refused outside NODE_ENV=test. */
  AURA_TEST_DOMAIN_LINK_LOOPBACK: bool.default(false),
  /** PEM certificate chain (end-entity first) and PKCS#8 PEM key for signing C2PA manifests; both or neither. */
  AURA_C2PA_CERT: z.string().includes('-----BEGIN CERTIFICATE-----').optional(),
  AURA_C2PA_KEY: z.string().includes('PRIVATE KEY-----').optional(),
  /** POST /matches/byReference may fetch URLs that resolve to private or loopback addresses. */
  AURA_REFERENCE_FETCH_PRIVATE: bool.default(false),
  AURA_MAX_UPLOAD_MB: positiveInt.default(40),
  AURA_MAX_PIXELS: positiveInt.default(100_000_000),
  AURA_TRUST_PROXY: bool.default(false),
  AURA_RATE_LIMIT_PER_MINUTE: positiveInt.default(120),
  AURA_RATE_LIMIT_SIGNIN_PER_MINUTE: positiveInt.default(30),
  AURA_RATE_LIMIT_REGISTER_PER_MINUTE: positiveInt.default(60),
  AURA_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  AURA_PARSER_THREADS: positiveInt.max(64).default(2),
  AURA_PARSER_MIN_THREADS: z.coerce.number().int().min(0).max(64).default(1),
  AURA_PARSER_QUEUE: positiveInt.default(256),
  AURA_PARSER_TIMEOUT_MS: positiveInt.default(2_000),
  AURA_PARSER_MEMORY_MB: z.coerce.number().int().min(16).max(4096).default(512),
  AURA_PARSER_IDLE_TIMEOUT_MS: positiveInt.default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
});

export type Env = z.infer<typeof configSchema>;

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** How long a pooled PostgreSQL connection may sit idle before it is closed. */
  databaseIdleTimeoutMs: number;
  dataDir: string;
  publicUrl: string;
  /** False when publicUrl is the local default: sign-in then names http://localhost:<port> or a loopback spelling of it. */
  publicUrlExplicit: boolean;
  logOrigin: string;
  logKey: string | undefined;
  sessionSecret: string | undefined;
  /** The operator's Ed25519 private key (vouches for organisations); else `operator-key.json` in the data directory. */
  operatorKey: string | undefined;
  domainLink: { timeoutMs: number; allowLoopbackHttp: boolean };
  /** The operator's C2PA signing chain and key; when absent a registry CA is created in the data directory. */
  c2paCert: string | undefined;
  c2paKey: string | undefined;
  referenceFetchPrivate: boolean;
  maxUploadBytes: number;
  maxPixels: number;
  trustProxy: boolean;
  rateLimits: { verifyPerMinute: number; signInPerMinute: number; registerPerMinute: number };
  requestTimeoutMs: number;
  /** The worker pool that runs every parser of uploaded bytes (api/uploads/parser-pool.ts, docs/ingest.md). */
  parserPool: ParserPoolSettings;
  logLevel: Env['LOG_LEVEL'];
  env: Env['NODE_ENV'];
}

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError with a one-line message naming the bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(Object.keys(configSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`invalid configuration: ${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.AURA_TEST_DOMAIN_LINK_LOOPBACK && e.NODE_ENV !== 'test') {
    throw new ConfigError('invalid configuration: AURA_TEST_DOMAIN_LINK_LOOPBACK is only allowed with NODE_ENV=test');
  }
  if (Boolean(e.AURA_C2PA_CERT) !== Boolean(e.AURA_C2PA_KEY)) {
    throw new ConfigError('invalid configuration: set both AURA_C2PA_CERT and AURA_C2PA_KEY, or neither');
  }
  const publicUrl = (e.AURA_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseIdleTimeoutMs: e.DATABASE_IDLE_TIMEOUT_S * 1000,
    dataDir: path.resolve(e.AURA_DATA_DIR),
    publicUrl,
    publicUrlExplicit: e.AURA_PUBLIC_URL !== undefined,
    logOrigin: e.AURA_LOG_ORIGIN ?? `${new URL(publicUrl).host}/aura-log`,
    logKey: e.AURA_LOG_KEY,
    sessionSecret: e.AURA_SESSION_SECRET,
    operatorKey: e.AURA_OPERATOR_KEY,
    domainLink: { timeoutMs: e.AURA_DOMAIN_LINK_TIMEOUT_MS, allowLoopbackHttp: e.AURA_TEST_DOMAIN_LINK_LOOPBACK },
    c2paCert: e.AURA_C2PA_CERT,
    c2paKey: e.AURA_C2PA_KEY,
    referenceFetchPrivate: e.AURA_REFERENCE_FETCH_PRIVATE,
    maxUploadBytes: e.AURA_MAX_UPLOAD_MB * 1024 * 1024,
    maxPixels: e.AURA_MAX_PIXELS,
    trustProxy: e.AURA_TRUST_PROXY,
    rateLimits: {
      verifyPerMinute: e.AURA_RATE_LIMIT_PER_MINUTE,
      signInPerMinute: e.AURA_RATE_LIMIT_SIGNIN_PER_MINUTE,
      registerPerMinute: e.AURA_RATE_LIMIT_REGISTER_PER_MINUTE,
    },
    requestTimeoutMs: e.AURA_REQUEST_TIMEOUT_MS,
    parserPool: {
      minThreads: e.AURA_PARSER_MIN_THREADS,
      maxThreads: e.AURA_PARSER_THREADS,
      maxQueue: e.AURA_PARSER_QUEUE,
      taskTimeoutMs: e.AURA_PARSER_TIMEOUT_MS,
      memoryMb: e.AURA_PARSER_MEMORY_MB,
      idleTimeoutMs: e.AURA_PARSER_IDLE_TIMEOUT_MS,
    },
    logLevel: e.LOG_LEVEL,
    env: e.NODE_ENV,
  };
}
