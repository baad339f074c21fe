import type { Kysely } from 'kysely';
import type { Database, Key } from '../../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { readSignedHeader, verifyWithKey, type VerifiedJws } from './signatures.ts';
import { findKey } from './repository.ts';
import type { PublicJwk } from './jwk.ts';

const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;

/**
 * Verifies a JWS as a signature BY an account: the key is looked up by `kid` among that account's keys
 * (never taken from the token) and must be active now.
 */
export async function verifyAccountSignature(
  db: Kysely<Database>,
  jws: string,
  typ: string,
  accountId: string,
): Promise<VerifiedJws & { key: Key }> {
  const { kid } = readSignedHeader(jws, typ);
  const key = await findKey(db, kid);
  if (!key || key.account_id !== accountId) {
    throw new AppError('forbidden', 'the signing key does not belong to this account');
  }
  if (key.status !== 'active') throw new AppError('key_revoked', `key ${kid} has been revoked`);
  const verified = await verifyWithKey(jws, key.jwk as PublicJwk, typ);
  return { ...verified, key };
}

/** A signed action carries `iat` (seconds); one from too far in the past or future is refused. */
export function requireFreshIat(payload: Record<string, unknown>, clock: Clock): void {
  const iat = payload.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new AppError('invalid_signature', 'the signed payload needs a numeric iat');
  if (Math.abs(iat * 1000 - clock.now().getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new AppError('invalid_signature', 'the signature is too old or from the future (iat outside ±10 minutes)');
  }
}

/** The signed payload must say what the request says: each expected field must be equal. */
export function requireSignedFields(payload: Record<string, unknown>, expected: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(expected)) {
    if (JSON.stringify(payload[name]) !== JSON.stringify(value)) {
      throw new AppError('invalid_signature', `the signed payload's ${name} does not match the request`);
    }
  }
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

type AudienceConfig = Pick<Config, 'publicUrl' | 'publicUrlExplicit' | 'port'>;

/**
 * The `aud` a sign-in must name: the registry's public URL (AURA_PUBLIC_URL). Without one (a local
 * registry) `http://localhost:<port>` on the port it listens on, or a loopback spelling of it.
 */
export function signInAudiences(config: AudienceConfig): string[] {
  if (config.publicUrlExplicit) return [withoutTrailingSlash(config.publicUrl)];
  return ['localhost', '127.0.0.1', '[::1]'].map((host) => `http://${host}:${config.port}`);
}

/** A sign-in JWS is for this registry only: a sign-in relayed from a look-alike registry is refused. */
export function requireAudience(payload: Record<string, unknown>, config: AudienceConfig): void {
  const audiences = signInAudiences(config);
  if (typeof payload.aud !== 'string' || !audiences.includes(withoutTrailingSlash(payload.aud))) {
    throw new AppError('invalid_signature', `the sign-in must be signed for this registry: aud must be "${audiences[0]}"`);
  }
}
