import { bytesEqual, fromBase64Strict } from './bytes.ts';
import { type EntryInput, type VerifiedEntry, verifyEntryBody } from './entry.ts';
import { fail, type VerificationCode } from './errors.ts';
import { verifyConsistency, verifyInclusion } from './merkle-proof.ts';
import {
  type Checkpoint,
  checkOrigin,
  type NoteVerifier,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  verifyNoteSignatures,
} from './note.ts';

/**
 * Offline verification of what the log serves, as a pipeline of small steps; each step either passes
 * its result on or throws a VerificationError with a stable code:
 *
 * - `vkey_malformed`                the verifier key is not `<name>+<hex id>+<base64(0x01 ‖ key)>`
 * - `checkpoint_malformed`          the note or the checkpoint text is not well formed, or the origin differs
 * - `checkpoint_signature_invalid`  no valid signature by the trusted key
 * - `log_entry_mismatch`            the entry bytes are not canonical JSON or differ from the decoded entry
 * - `inclusion_proof_invalid`       the entry is not proven to be in the checkpoint's tree
 * - `consistency_proof_invalid`     the proof does not fit the two checkpoints (malformed or wrong sizes)
 * - `log_fork_detected`             two checkpoints signed by the log cannot both be true: a fork or rewrite
 *
 * Pure functions over Uint8Array, no Node API: the bundle verifier, the CLI and the web UI all use them.
 * Only the signature check is asynchronous (WebCrypto Ed25519).
 */

export { VerificationError, type VerificationCode } from './errors.ts';
export type { EntryInput, VerifiedEntry } from './entry.ts';
export { verifyEntryBody } from './entry.ts';
export { type NoteVerifier, parseVerifierKey } from './note.ts';

export interface VerifiedCheckpoint extends Checkpoint {
  note: string;
}

export interface InclusionProofInput {
  index: number;
  size: number;
  hashes: string[];
}

export interface ConsistencyProofInput {
  from: number;
  to: number;
  hashes: string[];
}

/** Checks a signed checkpoint note against the log's verifier key; the origin must be the key's name. */
export async function verifyCheckpoint(
  note: string,
  vkey: string | NoteVerifier,
  options: { origin?: string } = {},
): Promise<VerifiedCheckpoint> {
  const verifier = typeof vkey === 'string' ? parseVerifierKey(vkey) : vkey;
  const signed = parseNote(note);
  await verifyNoteSignatures(signed, verifier);
  const checkpoint = parseCheckpoint(signed.text);
  checkOrigin(checkpoint, options.origin ?? verifier.name);
  return { ...checkpoint, note };
}

/** Checks that an already decoded entry is in the tree of a verified checkpoint. */
export function checkInclusionProof(entry: VerifiedEntry, proof: InclusionProofInput, checkpoint: Checkpoint): void {
  if (proof.index !== entry.index || proof.size !== checkpoint.size) {
    fail(
      'inclusion_proof_invalid',
      `the proof is for entry ${proof.index} in a tree of ${proof.size}, not entry ${entry.index} in the checkpoint's ${checkpoint.size}`,
    );
  }
  const hashes = decodeHashes(proof.hashes, 'inclusion_proof_invalid');
  if (!verifyInclusion(entry.leafHash, proof.index, proof.size, hashes, checkpoint.rootHash)) {
    fail(
      'inclusion_proof_invalid',
      `entry ${entry.index} is not in the log at the checkpoint of size ${checkpoint.size} (the proof does not reach the signed root)`,
    );
  }
}

/** Decodes an entry as served and checks that it is in the tree of a verified checkpoint. */
export function verifyEntryInclusion(input: EntryInput, proof: InclusionProofInput, checkpoint: Checkpoint): VerifiedEntry {
  const entry = verifyEntryBody(input);
  checkInclusionProof(entry, proof, checkpoint);
  return entry;
}

/**
 * Checks that `newer` extends `older`: same origin, not smaller, and a valid consistency proof. Two
 * verified checkpoints that fail this prove the log showed different histories (a fork or a rewrite).
 */
export function verifyCheckpointConsistency(older: Checkpoint, newer: Checkpoint, proof: ConsistencyProofInput): void {
  if (older.origin !== newer.origin) fail('checkpoint_malformed', 'the two checkpoints are from different logs');
  if (newer.size < older.size) fail('log_fork_detected', `the log shrank from ${older.size} to ${newer.size} entries`);
  if (newer.size === older.size) {
    if (!bytesEqual(newer.rootHash, older.rootHash)) fail('log_fork_detected', `two different roots were signed for size ${newer.size}`);
    return;
  }
  if (proof.from !== older.size || proof.to !== newer.size) {
    fail('consistency_proof_invalid', `the proof is from ${proof.from} to ${proof.to}, not ${older.size} to ${newer.size}`);
  }
  const hashes = decodeHashes(proof.hashes, 'consistency_proof_invalid');
  if (!verifyConsistency(older.size, newer.size, older.rootHash, newer.rootHash, hashes)) {
    fail('log_fork_detected', `the checkpoint of size ${newer.size} does not extend the one of size ${older.size}`);
  }
}

function decodeHashes(hashes: unknown, code: VerificationCode): Uint8Array[] {
  if (!Array.isArray(hashes) || hashes.length > 64) fail(code, 'proof hashes must be a list of at most 64 hashes');
  return (hashes as unknown[]).map((h) => {
    const bytes = typeof h === 'string' ? fromBase64Strict(h) : undefined;
    if (bytes?.length !== 32) return fail(code, 'every proof hash must be base64 of 32 bytes');
    return bytes;
  });
}
