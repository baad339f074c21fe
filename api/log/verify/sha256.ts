import { sha256 as nobleSha256 } from '@noble/hashes/sha2';

/** SHA-256 of the concatenation of `parts`, synchronous and without Node APIs (@noble/hashes), so it also runs in the browser. */
export function sha256(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const hash = nobleSha256.create();
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}
