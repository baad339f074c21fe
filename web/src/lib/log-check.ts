/** Checks, in the browser, that a log entry is included under the registry's signed checkpoint. */
import { api, type LogEntry } from '../api.ts';
import { fromBase64Strict } from '../../../api/log/verify/bytes.ts';
import { parseCheckpoint, parseVerifierKey, verifyCheckpoint, verifyInclusion, type Checkpoint } from './logproof.ts';

export interface CheckedHead {
  checkpoint: Checkpoint;
  note: string;
  /** undefined when the verifier key could not be fetched. */
  signatureValid: boolean | undefined;
}

export async function fetchCheckedHead(): Promise<CheckedHead> {
  const [note, vkey] = await Promise.all([api.getCheckpoint(), api.getVkey().catch(() => undefined)]);
  const checkpoint = parseCheckpoint(note);
  const signatureValid = vkey ? await verifyCheckpoint(checkpoint, parseVerifierKey(vkey)).catch(() => false) : undefined;
  return { checkpoint, note, signatureValid };
}

export type InclusionStatus = 'included' | 'not-covered' | 'mismatch';

export interface CheckedEntry {
  entry: LogEntry;
  status: InclusionStatus;
  head: CheckedHead;
}

export async function checkEntry(index: number, head?: CheckedHead): Promise<CheckedEntry> {
  const [entry, checked] = await Promise.all([api.getLogEntry(index), head ? Promise.resolve(head) : fetchCheckedHead()]);
  const { size, rootHash } = checked.checkpoint;
  if (index >= size) return { entry, status: 'not-covered', head: checked };
  const proof = await api.getInclusionProof(index, size);
  const body = fromBase64Strict(entry.body);
  const ok = body !== undefined && verifyInclusion(body, index, size, proof.hashes, rootHash);
  return { entry, status: ok ? 'included' : 'mismatch', head: checked };
}
