import fs from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';
import type { Identity } from './aura-client.ts';
import { decryptKey, encryptKey, readKeyFile, writeKeyFile } from './key-file.ts';

/**
 * The passphrase of the seeded accounts' key files. DEMO ONLY: it is printed and documented, so anyone who has the
 * files can act as these demo accounts. It lets a visitor import a key file in the web UI and try signing in.
 */
export const DEMO_PASSPHRASE = 'aura-demo-only';

export type FullIdentity = Identity & { privateJwk: JWK };

export const keyFilePath = (out: string, handle: string) => path.join(out, 'keys', `${handle}.json`);

/** The account's current key from `<out>/keys/<handle>.json`, or undefined when there is none yet. */
export async function readSeedKey(out: string, handle: string): Promise<Identity | undefined> {
  const file = keyFilePath(out, handle);
  if (!fs.existsSync(file)) return undefined;
  return decryptKey(readKeyFile(file), DEMO_PASSPHRASE);
}

/** Writes the key file (mode 0600); a replaced key is kept beside it as `<handle>.revoked-<kid>.json`. */
export async function writeSeedKey(out: string, handle: string, identity: FullIdentity, replaced?: Identity): Promise<string> {
  const file = keyFilePath(out, handle);
  if (replaced && fs.existsSync(file)) fs.renameSync(file, path.join(out, 'keys', `${handle}.revoked-${replaced.kid.slice(0, 12)}.json`));
  writeKeyFile(file, await encryptKey(identity, DEMO_PASSPHRASE, handle));
  return file;
}
