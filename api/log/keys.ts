import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { AppError } from '../errors.ts';
import { ConfigError } from '../config.ts';

export interface LogKey {
  privateKey: KeyObject;
  /** 32-byte raw Ed25519 public key. */
  publicKey: Buffer;
  /** Where it came from, for the start-up log line. */
  source: 'environment' | 'file' | 'created';
}

export const LOG_KEY_FILE = 'log-key.json';

/** This process's log key is not the one the database's log is signed with: it must not start. */
export class LogKeyMismatchError extends ConfigError {
  constructor(own: string, stored: string) {
    super(
      `AURA_LOG_KEY: this process's log key (${own}) is not the key of the log in this database (${stored}); ` +
        'give every process that shares the database the same AURA_LOG_KEY (or the same log-key.json)',
    );
  }
}

/**
 * Reads an Ed25519 private key given as an Ed25519 private JWK (JSON), a PKCS#8 PEM, or the base64 of a
 * PKCS#8 DER. This is the format of AURA_LOG_KEY.
 */
export function parseLogKey(text: string): KeyObject {
  return parseEd25519PrivateKey(text, (problem) => new AppError('log_key_missing', `the log key ${problem}`));
}

/**
 * An Ed25519 private key as a private JWK (JSON), a PKCS#8 PEM or the base64 of a PKCS#8 DER (the format of
 * AURA_LOG_KEY and AURA_OPERATOR_KEY); `refuse` turns what is wrong with it into the caller's error.
 */
export function parseEd25519PrivateKey(text: string, refuse: (problem: string) => Error): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('{')) key = createPrivateKey({ key: JSON.parse(trimmed), format: 'jwk' });
    else if (trimmed.startsWith('-----BEGIN')) key = createPrivateKey(trimmed);
    else key = createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw refuse(`is not a readable Ed25519 private key (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw refuse('must be an Ed25519 key');
  return key;
}

export function rawPublicKey(privateKey: KeyObject): Buffer {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

/** The private key as a JWK string, the format of log-key.json and a valid AURA_LOG_KEY value. */
export function exportLogKey(privateKey: KeyObject): string {
  return JSON.stringify(privateKey.export({ format: 'jwk' }));
}

/**
 * The environment key if given; otherwise `${dataDir}/log-key.json`, created (mode 0600) when absent.
 * Creation uses an exclusive open so two processes sharing a data directory end up with one key.
 */
export function loadOrCreateLogKey(options: { envKey: string | undefined; dataDir: string }): LogKey {
  if (options.envKey) return withPublic(parseLogKey(options.envKey), 'environment');
  const file = path.join(options.dataDir, LOG_KEY_FILE);
  if (fs.existsSync(file)) return withPublic(parseLogKey(fs.readFileSync(file, 'utf8')), 'file');
  fs.mkdirSync(options.dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    fs.writeFileSync(file, `${exportLogKey(privateKey)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return withPublic(parseLogKey(fs.readFileSync(file, 'utf8')), 'file');
  }
  return withPublic(privateKey, 'created');
}

function withPublic(privateKey: KeyObject, source: LogKey['source']): LogKey {
  return { privateKey, publicKey: rawPublicKey(privateKey), source };
}
