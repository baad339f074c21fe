import { bytesEqual, fromBase64Strict, fromUtf8 } from './bytes.ts';
import { canonicalJsonBytes } from './canonical.ts';
import { fail } from './errors.ts';
import { leafHash } from './merkle-proof.ts';

export interface EntryInput {
  index: number;
  /** base64 of the exact leaf bytes, as served (or the bytes themselves). */
  body: string | Uint8Array;
  /** The decoded entry as served beside the body; when present it must say the same as the body. */
  entry?: unknown;
}

export interface VerifiedEntry {
  index: number;
  body: Uint8Array;
  leafHash: Uint8Array;
  entry: Record<string, unknown>;
}

/** Decodes an entry and checks it is the RFC 8785 form of what it claims to be. */
export function verifyEntryBody(input: EntryInput): VerifiedEntry {
  const body = decodeBody(input);
  const entry = parseCanonicalEntry(input.index, body);
  if (input.entry !== undefined && !bytesEqual(canonicalOrEmpty(input.entry), body)) {
    fail('log_entry_mismatch', `entry ${input.index}: the decoded entry differs from the logged bytes`);
  }
  return { index: input.index, body, leafHash: leafHash(body), entry };
}

function decodeBody({ index, body }: EntryInput): Uint8Array {
  if (typeof body !== 'string') return body;
  return fromBase64Strict(body) ?? fail('log_entry_mismatch', `entry ${index}: the body is not base64`);
}

function parseCanonicalEntry(index: number, body: Uint8Array): Record<string, unknown> {
  let entry: unknown;
  try {
    entry = JSON.parse(fromUtf8(body));
  } catch {
    return fail('log_entry_mismatch', `entry ${index}: the body is not JSON`);
  }
  if (!entry || typeof entry !== 'object' || Array.isArray(entry))
    fail('log_entry_mismatch', `entry ${index}: the body is not a JSON object`);
  if (!bytesEqual(canonicalJsonBytes(entry), body)) fail('log_entry_mismatch', `entry ${index}: the body is not RFC 8785 canonical JSON`);
  return entry as Record<string, unknown>;
}

function canonicalOrEmpty(value: unknown): Uint8Array {
  try {
    return canonicalJsonBytes(value);
  } catch {
    return new Uint8Array();
  }
}
