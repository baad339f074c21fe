import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { concatBytes, toBase64, toBase64Url, toHex, utf8 } from './verify/bytes.ts';
import { fail } from './verify/errors.ts';
import {
  assertKeyName,
  type Checkpoint,
  checkOrigin,
  ED25519_TYPE,
  type NoteVerifier,
  noteKeyId,
  parseCheckpoint,
  parseNote,
  SIGNATURE_PREFIX,
  signaturesBy,
} from './verify/note.ts';

/**
 * The Node side of C2SP signed notes: the log signs its checkpoints here, and opens notes synchronously
 * with node:crypto where it cannot wait for WebCrypto. Parsing and the rules are the core's (./verify/note.ts).
 */

/** `<name>+<hex key id>+<base64(0x01 ‖ public key)>` */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  assertKeyName(name);
  return `${name}+${toHex(noteKeyId(name, publicKey))}+${toBase64(concatBytes(new Uint8Array([ED25519_TYPE]), publicKey))}`;
}

export function signNote(text: string, name: string, privateKey: KeyObject, publicKey: Uint8Array): string {
  assertKeyName(name);
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  const signature = sign(null, utf8(text), privateKey);
  return `${text}\n${SIGNATURE_PREFIX}${name} ${toBase64(concatBytes(noteKeyId(name, publicKey), signature))}\n`;
}

export function formatCheckpoint(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${toBase64(c.rootHash)}\n`;
}

/** Verifies a signed note against one trusted key and returns its text (the core's rules, node:crypto's Ed25519). */
export function openNote(note: string, verifier: NoteVerifier): string {
  const signed = parseNote(note);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(verifier.publicKey) }, format: 'jwk' });
  for (const signature of signaturesBy(signed, verifier)) {
    if (!verify(null, utf8(signed.text), key, signature))
      fail('checkpoint_signature_invalid', `the signature by ${verifier.name} does not verify`);
  }
  return signed.text;
}

export interface OpenedCheckpoint extends Checkpoint {
  rootHash: Buffer;
  note: string;
}

/** Opens a signed checkpoint note and checks its origin is the verifier key's name. */
export function openCheckpoint(note: string, verifier: NoteVerifier, expectedOrigin = verifier.name): OpenedCheckpoint {
  const checkpoint = parseCheckpoint(openNote(note, verifier));
  checkOrigin(checkpoint, expectedOrigin);
  return { ...checkpoint, rootHash: Buffer.from(checkpoint.rootHash), note };
}
