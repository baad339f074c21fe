import canonicalizeModule from 'canonicalize';
import { utf8 } from './bytes.ts';

// The package is CommonJS (`module.exports = fn`) but its typings declare an ES default export.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** RFC 8785 (JCS) canonical JSON as UTF-8 bytes. Throws on values JSON cannot represent (NaN, Infinity). */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return utf8(text);
}
