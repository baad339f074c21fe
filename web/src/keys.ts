/**
 * All client-side cryptography: Ed25519 keys (WebCrypto), the passphrase-encrypted backup (JWE, PBES2)
 * and every JWS the UI signs. The private key leaves this module only inside an encrypted backup.
 */
import { CompactEncrypt, CompactSign, calculateJwkThumbprint, compactDecrypt } from 'jose';

import type { z } from 'zod';
import type { PublicJwk } from '../../api/identity/jwk.ts';
import type { accountKindSchema } from '../../api/identity/schemas.ts';
export type { PublicJwk };

export type AccountKind = z.output<typeof accountKindSchema>;

export interface SigningIdentity {
  kid: string;
  publicJwk: PublicJwk;
  privateKey: CryptoKey;
}

export interface GeneratedKey extends SigningIdentity {
  /** Exportable only while the backup is made; the stored copy is re-imported as non-extractable. */
  privateJwk: JsonWebKey;
}

export interface BackupFile {
  version: 1;
  handle: string;
  kid: string;
  publicJwk: PublicJwk;
  jwe: string;
}

/** PBKDF2 iterations for the backup; OWASP's 2023 minimum for PBKDF2-HMAC-SHA512-derived keys is well below this. */
export const BACKUP_P2C = 310_000;
/** Backups made by other tools may use more iterations; refuse absurd counts that would hang the tab. */
const MAX_P2C = 10_000_000;
export const MIN_PASSPHRASE_LENGTH = 12;

export class KeyError extends Error {
  constructor(
    readonly code: 'unsupported' | 'bad_backup' | 'wrong_passphrase' | 'weak_passphrase' | 'kid_mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'KeyError';
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function toPublicJwk(jwk: JsonWebKey): PublicJwk {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
    throw new KeyError('bad_backup', 'The key is not an Ed25519 key.');
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

export const thumbprint = (jwk: PublicJwk): Promise<string> => calculateJwkThumbprint(jwk, 'sha256');

export async function generateKey(): Promise<GeneratedKey> {
  let pair: CryptoKeyPair;
  try {
    pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  } catch {
    throw new KeyError('unsupported', 'This browser cannot create Ed25519 keys. Use a current version of Chrome, Edge, Firefox or Safari.');
  }
  const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const publicJwk = toPublicJwk(await crypto.subtle.exportKey('jwk', pair.publicKey));
  const privateKey = await importPrivateKey(privateJwk);
  return { kid: await thumbprint(publicJwk), publicJwk, privateKey, privateJwk };
}

/** A non-extractable signing key: script running later in this page can sign with it but never read it. */
export function importPrivateKey(privateJwk: JsonWebKey): Promise<CryptoKey> {
  // Only the key's own members: a backup file's extra fields (key_ops, ext…) must not widen what the key may do.
  const jwk: JsonWebKey = {};
  for (const name of ['kty', 'crv', 'x', 'd'] as const) if (privateJwk[name] !== undefined) jwk[name] = privateJwk[name];
  return crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['sign']);
}

export function checkPassphrase(passphrase: string, confirmation?: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new KeyError(
      'weak_passphrase',
      `Use a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters — a few unrelated words work well.`,
    );
  }
  if (confirmation !== undefined && confirmation !== passphrase) throw new KeyError('weak_passphrase', 'The two passphrases do not match.');
}

export async function createBackup(handle: string, key: GeneratedKey, passphrase: string): Promise<BackupFile> {
  checkPassphrase(passphrase);
  const jwe = await new CompactEncrypt(utf8(JSON.stringify(key.privateJwk)))
    .setProtectedHeader({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', cty: 'jwk+json', kid: key.kid })
    .setKeyManagementParameters({ p2c: BACKUP_P2C })
    .encrypt(utf8(passphrase));
  return { version: 1, handle, kid: key.kid, publicJwk: key.publicJwk, jwe };
}

export const backupFilename = (backup: BackupFile): string => `${backup.handle}-${backup.kid.slice(0, 8)}.aura-key`;

/** Checks the shape of a backup file before any decryption is attempted. */
export function parseBackupFile(text: string): BackupFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new KeyError('bad_backup', 'This file is not an Aura key backup (it is not JSON).');
  }
  const b = data as Partial<BackupFile> | null;
  if (!b || typeof b !== 'object' || b.version !== 1)
    throw new KeyError('bad_backup', 'This file is not an Aura key backup (unknown version).');
  if (typeof b.handle !== 'string' || typeof b.kid !== 'string' || typeof b.jwe !== 'string' || !b.publicJwk) {
    throw new KeyError('bad_backup', 'This Aura key backup is incomplete.');
  }
  if (b.jwe.split('.').length !== 5) throw new KeyError('bad_backup', 'This Aura key backup is damaged (the encrypted key is malformed).');
  return { version: 1, handle: b.handle, kid: b.kid, publicJwk: toPublicJwk(b.publicJwk as JsonWebKey), jwe: b.jwe };
}

export interface RestoredKey extends SigningIdentity {
  handle: string;
}

export async function restoreBackup(text: string, passphrase: string): Promise<RestoredKey> {
  const backup = parseBackupFile(text);
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(backup.jwe, utf8(passphrase), {
      keyManagementAlgorithms: ['PBES2-HS512+A256KW', 'PBES2-HS384+A192KW', 'PBES2-HS256+A128KW'],
      contentEncryptionAlgorithms: ['A256GCM', 'A128GCM'],
      maxPBES2Count: MAX_P2C,
    }));
  } catch {
    throw new KeyError('wrong_passphrase', 'The passphrase is wrong, or the backup file is damaged.');
  }
  const privateJwk = JSON.parse(new TextDecoder().decode(plaintext)) as JsonWebKey;
  const publicJwk = toPublicJwk(privateJwk);
  const kid = await thumbprint(publicJwk);
  if (kid !== backup.kid || publicJwk.x !== backup.publicJwk.x) {
    throw new KeyError('kid_mismatch', 'The key inside the backup does not match the key id on the file.');
  }
  return { handle: backup.handle, kid, publicJwk, privateKey: await importPrivateKey(privateJwk) };
}

async function sign(identity: SigningIdentity, header: Record<string, unknown>, payload: Uint8Array): Promise<string> {
  return new CompactSign(payload).setProtectedHeader({ ...header, alg: 'EdDSA', kid: identity.kid }).sign(identity.privateKey);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Sign-in: a JWS over the server's nonce, bound to this origin. */
export const signAuthChallenge = (identity: SigningIdentity, nonce: string, audience: string) =>
  sign(identity, { typ: 'aura-auth+jwt' }, utf8(JSON.stringify({ nonce, aud: audience, iat: nowSeconds() })));

export interface SignedProfile {
  displayName: string;
  bio?: string;
  website?: string;
}

/** Proof of possession sent when the account is created; it also covers the profile shown with the account. */
export const signAccountProof = (identity: SigningIdentity, handle: string, kind: AccountKind, profile: SignedProfile) =>
  sign(
    identity,
    { typ: 'aura-account+jwt' },
    utf8(JSON.stringify({ handle, kind, jwk: identity.publicJwk, ...profile, iat: nowSeconds() })),
  );

/**
 * Signs a payload the server prepared (work, attestation or process credential). The server compares
 * bytes, so the exact JSON.stringify of the payload it returned is signed.
 */
export const signCredential = (identity: SigningIdentity, payload: unknown) =>
  sign(identity, { typ: 'vc+jwt', cty: 'vc' }, utf8(JSON.stringify(payload)));

export interface ActionPayload {
  action: 'work.revoke' | 'work.dispute';
  workId: string;
  reason?: string;
  text?: string;
}

export const signAction = (identity: SigningIdentity, action: ActionPayload) =>
  sign(identity, { typ: 'aura-action+jwt' }, utf8(JSON.stringify({ ...action, iat: nowSeconds() })));
