import fs from 'node:fs';
import path from 'node:path';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { thumbprint, type PublicJwk } from '../identity/jwk.ts';
import { verifyWithKey, type VerifiedJws } from '../identity/signatures.ts';
import { parseEd25519PrivateKey } from '../log/keys.ts';

/** The operator's key vouches for organisations; its statements are JWS of this `typ`, never accepted as anything else. */
export const OPERATOR_JWS_TYPE = 'aura-operator+jwt';
export const OPERATOR_KEY_FILE = 'operator-key.json';

export interface OperatorKey {
  privateKey: KeyObject;
  publicJwk: PublicJwk;
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  source: 'environment' | 'file' | 'created';
}

export class OperatorKeyError extends Error {}

/** An Ed25519 private key as a private JWK (JSON), a PKCS#8 PEM or the base64 of a PKCS#8 DER: the format of AURA_OPERATOR_KEY. */
export function parseOperatorKey(text: string): KeyObject {
  return parseEd25519PrivateKey(text, (problem) => new OperatorKeyError(`AURA_OPERATOR_KEY: the operator key ${problem}`));
}

/**
 * The environment key if given; otherwise `${dataDir}/operator-key.json`. The server creates the file (mode 0600,
 * exclusive open) on first start; the operator command only reads it (`create: false`), so running it in the wrong
 * place fails instead of minting a key nobody trusts.
 */
export async function loadOperatorKey(options: { envKey: string | undefined; dataDir: string; create: boolean }): Promise<OperatorKey> {
  if (options.envKey) return withPublic(parseOperatorKey(options.envKey), 'environment');
  const file = path.join(options.dataDir, OPERATOR_KEY_FILE);
  if (fs.existsSync(file)) return withPublic(parseOperatorKey(fs.readFileSync(file, 'utf8')), 'file');
  if (!options.create) {
    throw new OperatorKeyError(`no operator key: set AURA_OPERATOR_KEY or run where the server's data is (${file} does not exist)`);
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    fs.writeFileSync(file, `${JSON.stringify(privateKey.export({ format: 'jwk' }))}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return withPublic(parseOperatorKey(fs.readFileSync(file, 'utf8')), 'file');
  }
  return withPublic(privateKey, 'created');
}

async function withPublic(privateKey: KeyObject, source: OperatorKey['source']): Promise<OperatorKey> {
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicJwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: x! };
  return { privateKey, publicJwk, kid: await thumbprint(publicJwk), source };
}

/** The public key as published in /.well-known/jwks.json and in bundles. */
export const operatorJwk = (key: Pick<OperatorKey, 'publicJwk' | 'kid'>) => ({
  ...key.publicJwk,
  kid: key.kid,
  use: 'sig',
  alg: 'EdDSA',
  aura_role: 'operator',
});

/** The registry's JWK set (/.well-known/jwks.json, and every bundle): the log key and the operator key. */
export const registryJwks = (logJwk: object, operator: Pick<OperatorKey, 'publicJwk' | 'kid'>) => ({
  keys: [logJwk as Record<string, unknown>, operatorJwk(operator)],
});

/** A statement by the operator: compact JWS, header { alg EdDSA, typ aura-operator+jwt, kid }. */
export async function signOperatorStatement(key: OperatorKey, payload: Record<string, unknown>): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', typ: OPERATOR_JWS_TYPE, kid: key.kid })
    .sign(key.privateKey);
}

/** Verifies an operator statement under a given operator public key (jose, EdDSA only, typ checked). */
export const verifyOperatorStatement = (jws: string, jwk: PublicJwk): Promise<VerifiedJws> => verifyWithKey(jws, jwk, OPERATOR_JWS_TYPE);
