import { canonicalJsonBytes } from './verify/canonical.ts';

/** RFC 8785 (JCS) canonical JSON as a Buffer, for storage and signing. Throws on values JSON cannot represent. */
export function canonicalJson(value: unknown): Buffer {
  const bytes = canonicalJsonBytes(value);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
