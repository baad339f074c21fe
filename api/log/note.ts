import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { AppError } from '../errors.ts';
import { HASH_SIZE, sha256 } from './merkle.ts';

/**
 * C2SP signed-note (Ed25519, signature type 0x01) and C2SP tlog-checkpoint text. Pure apart from
 * node:crypto; shared by the server, the offline verifier and the CLI.
 */

const ED25519_TYPE = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
const MAX_NOTE_BYTES = 64 * 1024;
const MAX_SIGNATURES = 16;

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  /** 32-byte raw Ed25519 public key. */
  publicKey: Buffer;
  key: KeyObject;
}

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
}

export function assertKeyName(name: string): void {
  if (!name || /[\s+]/u.test(name) || /[\u0000-\u001f]/.test(name)) {
    throw new AppError('vkey_malformed', `note key name ${JSON.stringify(name)} must be non-empty without spaces or "+"`);
  }
}

/** key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] */
export function noteKeyId(name: string, publicKey: Uint8Array): Buffer {
  return sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, ED25519_TYPE]), publicKey).subarray(0, 4);
}

export function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/** `<name>+<hex key id>+<base64(0x01 ‖ public key)>` */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  assertKeyName(name);
  const id = noteKeyId(name, publicKey).toString('hex');
  return `${name}+${id}+${Buffer.concat([Buffer.from([ED25519_TYPE]), publicKey]).toString('base64')}`;
}

export function parseVerifierKey(vkey: string): NoteVerifier {
  // Only the first two '+' separate fields: the base64 key may itself contain '+'.
  const match = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey.trim());
  if (!match) throw new AppError('vkey_malformed', 'a verifier key is <name>+<hex key id>+<base64 key>');
  const [, name, hexId, b64] = match as unknown as [string, string, string, string];
  assertKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(hexId)) throw new AppError('vkey_malformed', 'verifier key id must be 8 lowercase hex digits');
  const keyBytes = decodeBase64Strict(b64);
  if (!keyBytes || keyBytes.length !== 33 || keyBytes[0] !== ED25519_TYPE) {
    throw new AppError('vkey_malformed', 'verifier key must be base64(0x01 ‖ 32-byte Ed25519 public key)');
  }
  const publicKey = keyBytes.subarray(1);
  const keyId = Buffer.from(hexId, 'hex');
  if (!noteKeyId(name, publicKey).equals(keyId)) throw new AppError('vkey_malformed', 'verifier key id does not match its key');
  return { name, keyId, publicKey, key: ed25519PublicKeyObject(publicKey) };
}

export function signNote(text: string, name: string, privateKey: KeyObject, publicKey: Uint8Array): string {
  assertKeyName(name);
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  const line = `${SIGNATURE_PREFIX}${name} ${Buffer.concat([noteKeyId(name, publicKey), signature]).toString('base64')}\n`;
  return `${text}\n${line}`;
}

/**
 * Verifies a signed note against one trusted key and returns its text. Signatures from unknown keys
 * are ignored; a failing signature from the known key rejects the note; so does having none.
 */
export function openNote(note: string, verifier: NoteVerifier): string {
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw new AppError('checkpoint_malformed', 'note is too large');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new AppError('checkpoint_malformed', 'note contains control characters');
  if (!note.endsWith('\n')) throw new AppError('checkpoint_malformed', 'note must end with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new AppError('checkpoint_malformed', 'note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new AppError('checkpoint_malformed', 'note has too many signatures');
  let verified = false;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new AppError('checkpoint_malformed', 'malformed signature line');
    const [name, b64, ...rest] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    const sig = b64 === undefined ? undefined : decodeBase64Strict(b64);
    if (!name || rest.length || !sig || sig.length < 5) throw new AppError('checkpoint_malformed', 'malformed signature line');
    if (name !== verifier.name || !sig.subarray(0, 4).equals(verifier.keyId)) continue;
    if (sig.length !== 4 + 64 || !verify(null, Buffer.from(text, 'utf8'), verifier.key, sig.subarray(4))) {
      throw new AppError('checkpoint_signature_invalid', `the signature by ${name} does not verify`);
    }
    verified = true;
  }
  if (!verified) throw new AppError('checkpoint_signature_invalid', `the note carries no signature by ${verifier.name}`);
  return text;
}

export function formatCheckpoint(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.rootHash.toString('base64')}\n`;
}

/** Parses checkpoint note text (origin, size, root, optional extension lines). */
export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new AppError('checkpoint_malformed', 'checkpoint needs origin, size and root lines');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!origin) throw new AppError('checkpoint_malformed', 'checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new AppError('checkpoint_malformed', 'checkpoint size must be a decimal number without leading zeros');
  }
  const rootHash = decodeBase64Strict(rootText);
  if (!rootHash || rootHash.length !== HASH_SIZE) throw new AppError('checkpoint_malformed', 'checkpoint root must be base64 of 32 bytes');
  if (lines.slice(3, -1).some((l) => l === '')) throw new AppError('checkpoint_malformed', 'checkpoint extension lines must not be empty');
  return { origin, size: Number(sizeText), rootHash };
}

/** Opens a signed checkpoint note and checks its origin is the verifier key's name. */
export function openCheckpoint(note: string, verifier: NoteVerifier, expectedOrigin = verifier.name): Checkpoint & { note: string } {
  const checkpoint = parseCheckpoint(openNote(note, verifier));
  if (checkpoint.origin !== expectedOrigin) {
    throw new AppError('checkpoint_malformed', `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(expectedOrigin)}`);
  }
  return { ...checkpoint, note };
}

/** Standard base64 with padding, rejecting anything Node's lenient decoder would silently skip. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
