import { AppError } from '../../errors.ts';
import { canonicalJson } from '../canonical.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../merkle.ts';
import { decodeBase64Strict, openNote, parseCheckpoint, parseVerifierKey, type NoteVerifier } from '../note.ts';

/**
 * Offline verification of what the log serves, as a pipeline of small steps; each step either passes
 * its result on or throws an AppError with a stable code:
 *
 * - `vkey_malformed`                the verifier key is not `<name>+<hex id>+<base64(0x01 ‖ key)>`
 * - `checkpoint_malformed`          the note or the checkpoint text is not well formed, or the origin differs
 * - `checkpoint_signature_invalid`  no valid signature by the trusted key
 * - `log_entry_mismatch`            the entry bytes are not canonical JSON or differ from the decoded entry
 * - `inclusion_proof_invalid`       the entry is not proven to be in the checkpoint's tree
 * - `consistency_proof_invalid`     the proof does not fit the two checkpoints (malformed or wrong sizes)
 * - `log_fork_detected`             two checkpoints signed by the log cannot both be true: a fork or rewrite
 *
 * No network, no database: usable by the bundle verifier, the CLI and the web UI's node-side tests.
 */

export interface VerifiedCheckpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  note: string;
}

export interface ProofInput {
  hashes: string[];
}

export interface InclusionProofInput extends ProofInput {
  index: number;
  size: number;
}

export interface ConsistencyProofInput extends ProofInput {
  from: number;
  to: number;
}

export interface EntryInput {
  index: number;
  /** base64 of the exact leaf bytes, as served (or the bytes themselves). */
  body: string | Uint8Array;
  /** The decoded entry as served beside the body; when present it must say the same as the body. */
  entry?: unknown;
}

export interface VerifiedEntry {
  index: number;
  body: Buffer;
  leafHash: Buffer;
  entry: Record<string, unknown>;
}

/** Checks a signed checkpoint note against the log's verifier key; the origin must be the key's name. */
export function verifyCheckpoint(note: string, vkey: string | NoteVerifier, options: { origin?: string } = {}): VerifiedCheckpoint {
  const verifier = typeof vkey === 'string' ? parseVerifierKey(vkey) : vkey;
  const text = openNote(note, verifier);
  const checkpoint = parseCheckpoint(text);
  const expectedOrigin = options.origin ?? verifier.name;
  if (checkpoint.origin !== expectedOrigin) {
    throw new AppError('checkpoint_malformed', `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(expectedOrigin)}`);
  }
  return { ...checkpoint, note };
}

/** Decodes an entry and checks it is the RFC 8785 form of what it claims to be. */
export function verifyEntryBody(input: EntryInput): VerifiedEntry {
  const body = decodeBody(input.body);
  const entry = parseCanonicalEntry(body);
  if (input.entry !== undefined && !canonicalJson(input.entry).equals(body)) {
    throw new AppError('log_entry_mismatch', `entry ${input.index}: the decoded entry differs from the logged bytes`);
  }
  return { index: input.index, body, leafHash: leafHash(body), entry };
}

/** Checks that an entry is in the tree of a verified checkpoint. */
export function verifyEntryInclusion(input: EntryInput, proof: InclusionProofInput, checkpoint: VerifiedCheckpoint): VerifiedEntry {
  const entry = verifyEntryBody(input);
  if (proof.index !== input.index || proof.size !== checkpoint.size) {
    throw new AppError(
      'inclusion_proof_invalid',
      `the proof is for entry ${proof.index} in a tree of ${proof.size}, not entry ${input.index} in the checkpoint's ${checkpoint.size}`,
    );
  }
  const hashes = decodeHashes(proof.hashes, 'inclusion_proof_invalid');
  if (!verifyInclusion(entry.leafHash, proof.index, proof.size, hashes, checkpoint.rootHash)) {
    throw new AppError('inclusion_proof_invalid', `entry ${input.index} is not included in the checkpoint of size ${checkpoint.size}`);
  }
  return entry;
}

/**
 * Checks that `newer` extends `older`: same origin, not smaller, and a valid consistency proof. Two
 * verified checkpoints that fail this prove the log showed different histories (a fork or a rewrite).
 */
export function verifyCheckpointConsistency(older: VerifiedCheckpoint, newer: VerifiedCheckpoint, proof: ConsistencyProofInput): void {
  if (older.origin !== newer.origin) throw new AppError('checkpoint_malformed', 'the two checkpoints are from different logs');
  if (newer.size < older.size) {
    throw new AppError('log_fork_detected', `the log shrank from ${older.size} to ${newer.size} entries`);
  }
  if (newer.size === older.size) {
    if (!newer.rootHash.equals(older.rootHash)) throw new AppError('log_fork_detected', `two different roots were signed for size ${newer.size}`);
    return;
  }
  if (proof.from !== older.size || proof.to !== newer.size) {
    throw new AppError('consistency_proof_invalid', `the proof is from ${proof.from} to ${proof.to}, not ${older.size} to ${newer.size}`);
  }
  const hashes = decodeHashes(proof.hashes, 'consistency_proof_invalid');
  if (!verifyConsistency(older.size, newer.size, older.rootHash, newer.rootHash, hashes)) {
    throw new AppError('log_fork_detected', `the checkpoint of size ${newer.size} does not extend the one of size ${older.size}`);
  }
}

function decodeBody(body: string | Uint8Array): Buffer {
  if (typeof body !== 'string') return Buffer.from(body);
  const bytes = decodeBase64Strict(body);
  if (!bytes) throw new AppError('log_entry_mismatch', 'the entry body is not base64');
  return bytes;
}

function parseCanonicalEntry(body: Buffer): Record<string, unknown> {
  let entry: unknown;
  try {
    entry = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('log_entry_mismatch', 'the entry body is not JSON');
  }
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new AppError('log_entry_mismatch', 'the entry is not a JSON object');
  if (!canonicalJson(entry).equals(body)) throw new AppError('log_entry_mismatch', 'the entry body is not RFC 8785 canonical JSON');
  return entry as Record<string, unknown>;
}

function decodeHashes(hashes: unknown, code: 'inclusion_proof_invalid' | 'consistency_proof_invalid'): Buffer[] {
  if (!Array.isArray(hashes) || hashes.length > 64) throw new AppError(code, 'proof hashes must be a list of at most 64 hashes');
  return hashes.map((h) => {
    const bytes = typeof h === 'string' ? decodeBase64Strict(h) : undefined;
    if (!bytes || bytes.length !== 32) throw new AppError(code, 'every proof hash must be base64 of 32 bytes');
    return bytes;
  });
}
