import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Clock } from './clock.ts';
import type { Database } from '../db/schema.ts';
import type { DatabaseKind } from '../db/open.ts';
import type { RequestHandler } from 'express';
import type { SessionIssuer } from './identity/sessions.ts';
import type { TransparencyLogService } from './log/service.ts';
import type { OrganizationTrust, RegistryOperator } from './trust/service.ts';
import type { Ingest } from './uploads/ingest.ts';

/** What every feature is built from: configuration and the I/O seams. */
export interface AppContext {
  config: Config;
  db: Kysely<Database>;
  dbKind: DatabaseKind;
  logger: Logger;
  clock: Clock;
  /** True once migrations have run; /readyz and the features' start-up wait on it. */
  readiness: { migrated: boolean };
  /** Session tokens (cookie or bearer) shared by every feature that needs a signed-in account. */
  sessions: SessionIssuer;
  /** Per-client rate limiters for the abuse-prone routes. */
  limits: RateLimits;
  /** The transparency log (api/log): append inside your transaction, then ask for a checkpoint. */
  log: TransparencyLogService;
  /** The operator's public key (api/trust): published in the JWKS and in bundles. */
  operator: RegistryOperator;
  /** Which organisations the operator has verified (api/trust). */
  trust: OrganizationTrust;
  /** The only way to analyse an uploaded image: parsers run in a bounded worker pool (api/uploads). */
  ingest: Ingest;
}

export interface RateLimits {
  signIn: RequestHandler;
  register: RequestHandler;
  verify: RequestHandler;
}
