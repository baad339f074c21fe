import fs from 'node:fs';
import path from 'node:path';
import { CompactEncrypt, compactDecrypt, type JWK } from 'jose';
import { identityFromPrivateJwk, type Identity } from './aura-client.ts';

/** The key backup format shared by the CLI and the web UI: the private JWK in a passphrase JWE (PBES2). */
export interface KeyFile {
  version: 1;
  kid: string;
  handle?: string;
  publicJwk: JWK;
  jwe: string;
}

const PBES2_ITERATIONS = 310_000;

export async function encryptKey(identity: Identity & { privateJwk: JWK }, passphrase: string, handle?: string): Promise<KeyFile> {
  const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(identity.privateJwk)))
    .setProtectedHeader({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: PBES2_ITERATIONS, cty: 'jwk+json' })
    .encrypt(new TextEncoder().encode(passphrase));
  return { version: 1, kid: identity.kid, ...(handle ? { handle } : {}), publicJwk: identity.publicJwk, jwe };
}

export async function decryptKey(file: KeyFile, passphrase: string): Promise<Identity> {
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(file.jwe, new TextEncoder().encode(passphrase), {
      keyManagementAlgorithms: ['PBES2-HS512+A256KW'],
      contentEncryptionAlgorithms: ['A256GCM'],
      maxPBES2Count: 1_000_000,
    }));
  } catch {
    throw new Error('wrong passphrase, or the key file is damaged');
  }
  const identity = await identityFromPrivateJwk(JSON.parse(new TextDecoder().decode(plaintext)) as JWK);
  if (identity.kid !== file.kid) throw new Error('the key file is inconsistent: its kid does not match the key inside');
  return identity;
}

export function readKeyFile(file: string): KeyFile {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile;
  if (parsed.version !== 1 || typeof parsed.jwe !== 'string' || typeof parsed.kid !== 'string') {
    throw new Error(`${file} is not an Aura key file`);
  }
  return parsed;
}

export function writeKeyFile(file: string, key: KeyFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
}
