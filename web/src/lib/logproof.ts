/**
 * Checks the public log in the browser, trusting nothing from the server but the log's verifier key: the
 * C2SP signed-note checkpoint signature and RFC 9162 inclusion proofs. The rules are the registry's own
 * verification core (api/log/verify), which runs unchanged in the browser; this file only adapts its
 * throwing steps to the yes/no answers the pages show.
 */
import { fromBase64Strict, toBase64 } from '../../../api/log/verify/bytes.ts';
import { VerificationError } from '../../../api/log/verify/errors.ts';
import { leafHash, rootFromInclusionProof, verifyInclusion as proves } from '../../../api/log/verify/merkle-proof.ts';
import {
  type NoteVerifier,
  parseCheckpoint as parseCheckpointText,
  parseNote,
  type SignedNote,
  verifyNoteSignatures,
} from '../../../api/log/verify/note.ts';

export { parseVerifierKey } from '../../../api/log/verify/note.ts';
export { rootFromInclusionProof };

export interface Checkpoint extends SignedNote {
  origin: string;
  size: number;
  /** base64, as the page shows it. */
  rootHash: string;
}

/** Reads a signed checkpoint note; throws a VerificationError when it is not one. Says nothing yet about who signed it. */
export function parseCheckpoint(note: string): Checkpoint {
  const signed = parseNote(note);
  const { origin, size, rootHash } = parseCheckpointText(signed.text);
  return { ...signed, origin, size, rootHash: toBase64(rootHash) };
}

/** True when the checkpoint is signed by this key under its name. */
export async function verifyCheckpoint(checkpoint: Checkpoint, vkey: NoteVerifier): Promise<boolean> {
  if (checkpoint.origin !== vkey.name) return false;
  try {
    await verifyNoteSignatures(checkpoint, vkey);
    return true;
  } catch (err) {
    if (err instanceof VerificationError) return false;
    throw err;
  }
}

/** True when the proof leads from the entry's exact bytes to the root of the tree of `size`. */
export function verifyInclusion(entryBody: Uint8Array, index: number, size: number, proofB64: string[], rootB64: string): boolean {
  const proof = proofB64.map(fromBase64Strict);
  const root = fromBase64Strict(rootB64.trim());
  if (!root || proof.some((h) => h === undefined)) return false;
  return proves(leafHash(entryBody), index, size, proof as Uint8Array[], root);
}
