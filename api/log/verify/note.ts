import { bytesEqual, concatBytes, fromBase64Strict, toHex, utf8 } from './bytes.ts';
import { fail } from './errors.ts';
import { HASH_SIZE } from './merkle-proof.ts';
import { sha256 } from './sha256.ts';

/**
 * C2SP signed notes (Ed25519, signature type 0x01) and C2SP tlog-checkpoint text, as small throwing steps:
 * parse the verifier key, parse the note, pick the trusted key's signatures, check them, parse the checkpoint.
 */

export const ED25519_TYPE = 0x01;
export const SIGNATURE_PREFIX = '\u2014 ';
const MAX_NOTE_BYTES = 64 * 1024;
const MAX_SIGNATURES = 16;

export interface NoteVerifier {
  name: string;
  keyId: Uint8Array;
  /** 32-byte raw Ed25519 public key. */
  publicKey: Uint8Array;
}

export interface NoteSignature {
  name: string;
  keyId: Uint8Array;
  signature: Uint8Array;
}

export interface SignedNote {
  /** The signed text: every line up to the blank line, each ending in a newline. */
  text: string;
  signatures: NoteSignature[];
}

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

export function assertKeyName(name: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a key name must not hold control characters
  if (!name || /[\s+]/u.test(name) || /[\u0000-\u001f]/.test(name)) {
    fail('vkey_malformed', `note key name ${JSON.stringify(name)} must be non-empty without spaces or "+"`);
  }
}

/** key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] */
export const noteKeyId = (name: string, publicKey: Uint8Array): Uint8Array =>
  sha256(utf8(`${name}\n`), new Uint8Array([ED25519_TYPE]), publicKey).subarray(0, 4);

/** `<name>+<hex key id>+<base64(0x01 ‖ public key)>` */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // Only the first two '+' separate fields: the base64 key may itself contain '+'.
  const match = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey.trim());
  if (!match) return fail('vkey_malformed', 'a verifier key is <name>+<hex key id>+<base64 key>');
  const [, name, hexId, b64] = match as unknown as [string, string, string, string];
  assertKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(hexId)) fail('vkey_malformed', 'verifier key id must be 8 lowercase hex digits');
  const keyBytes = fromBase64Strict(b64);
  if (keyBytes?.length !== 33 || keyBytes[0] !== ED25519_TYPE) {
    return fail('vkey_malformed', 'verifier key must be base64(0x01 ‖ 32-byte Ed25519 public key)');
  }
  const publicKey = keyBytes.subarray(1);
  const keyId = noteKeyId(name, publicKey);
  if (toHex(keyId) !== hexId) fail('vkey_malformed', 'verifier key id does not match its key');
  return { name, keyId, publicKey };
}

/** Splits a signed note into its text and signature lines; says nothing yet about who signed it. */
export function parseNote(note: string): SignedNote {
  if (utf8(note).length > MAX_NOTE_BYTES) fail('checkpoint_malformed', 'note is too large');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a note must not hold control characters other than newline
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) fail('checkpoint_malformed', 'note contains control characters');
  if (!note.endsWith('\n')) fail('checkpoint_malformed', 'note must end with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) fail('checkpoint_malformed', 'note has no blank line before its signatures');
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) fail('checkpoint_malformed', 'note has too many signatures');
  return { text: note.slice(0, split + 1), signatures: lines.map(parseSignatureLine) };
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) fail('checkpoint_malformed', 'malformed signature line');
  const [name, b64, ...rest] = line.slice(SIGNATURE_PREFIX.length).split(' ');
  const raw = b64 === undefined ? undefined : fromBase64Strict(b64);
  if (!name || rest.length || !raw || raw.length < 5) return fail('checkpoint_malformed', 'malformed signature line');
  return { name, keyId: raw.subarray(0, 4), signature: raw.subarray(4) };
}

/**
 * The signatures the trusted key must have made. Signatures by other keys are ignored; a note with none
 * by the trusted key, or with one of the wrong length, is rejected.
 */
export function signaturesBy(note: SignedNote, verifier: NoteVerifier): Uint8Array[] {
  const own = note.signatures.filter((s) => s.name === verifier.name && bytesEqual(s.keyId, verifier.keyId));
  if (!own.length) fail('checkpoint_signature_invalid', `the note carries no signature by ${verifier.name}`);
  if (own.some((s) => s.signature.length !== 64)) fail('checkpoint_signature_invalid', `a signature by ${verifier.name} is not 64 bytes`);
  return own.map((s) => s.signature);
}

/** Every signature by the trusted key must verify over the note text (WebCrypto Ed25519: browsers and Node alike). */
export async function verifyNoteSignatures(note: SignedNote, verifier: NoteVerifier): Promise<void> {
  const key = await crypto.subtle.importKey('raw', concatBytes(verifier.publicKey), { name: 'Ed25519' }, false, ['verify']);
  const text = utf8(note.text);
  for (const signature of signaturesBy(note, verifier)) {
    if (!(await crypto.subtle.verify({ name: 'Ed25519' }, key, concatBytes(signature), concatBytes(text)))) {
      fail('checkpoint_signature_invalid', `the signature by ${verifier.name} does not verify`);
    }
  }
}

/** Parses checkpoint note text (origin, size, root, optional extension lines). */
export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') fail('checkpoint_malformed', 'checkpoint needs origin, size and root lines');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!origin) fail('checkpoint_malformed', 'checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    fail('checkpoint_malformed', 'checkpoint size must be a decimal number without leading zeros');
  }
  const rootHash = fromBase64Strict(rootText);
  if (!rootHash || rootHash.length !== HASH_SIZE) return fail('checkpoint_malformed', 'checkpoint root must be base64 of 32 bytes');
  if (lines.slice(3, -1).some((l) => l === '')) fail('checkpoint_malformed', 'checkpoint extension lines must not be empty');
  return { origin, size: Number(sizeText), rootHash };
}

export function checkOrigin(checkpoint: Checkpoint, expected: string): void {
  if (checkpoint.origin !== expected) {
    fail('checkpoint_malformed', `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(expected)}`);
  }
}
