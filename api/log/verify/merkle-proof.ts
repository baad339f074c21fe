import { bytesEqual } from './bytes.ts';
import { sha256 } from './sha256.ts';

/**
 * RFC 6962 / RFC 9162 leaf and node hashing and proof verification, over Uint8Array. Sizes and indices are
 * plain numbers (safe up to 2^53 leaves); halving is arithmetic because bit operators truncate to 32 bits.
 */

export const HASH_SIZE = 32;

/** MTH of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT = sha256();

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

export const leafHash = (entry: Uint8Array): Uint8Array<ArrayBuffer> => sha256(LEAF_PREFIX, entry);
export const nodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array<ArrayBuffer> => sha256(NODE_PREFIX, left, right);

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);
const validSize = (n: number) => Number.isSafeInteger(n) && n >= 0;
const validHash = (h: Uint8Array) => h.length === HASH_SIZE;

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null when the proof cannot be one. */
export function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: Uint8Array[]): Uint8Array | null {
  if (!validSize(index) || !validSize(size) || index >= size) return null;
  if (!validHash(leaf) || !proof.every(validHash)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

/** Whether `proof` proves `leaf` at `index` in the tree of `size` with `root`. Never throws. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: Uint8Array[], root: Uint8Array): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  return computed !== null && validHash(root) && bytesEqual(computed, root);
}

/** RFC 9162 §2.1.4.2, plus the trivial cases (from = 0, from = to) with an empty proof. Never throws. */
export function verifyConsistency(from: number, to: number, fromRoot: Uint8Array, toRoot: Uint8Array, proof: Uint8Array[]): boolean {
  if (!validSize(from) || !validSize(to) || from > to) return false;
  if (!validHash(fromRoot) || !validHash(toRoot) || !proof.every(validHash)) return false;
  if (from === 0) return proof.length === 0 && bytesEqual(fromRoot, EMPTY_ROOT);
  if (from === to) return proof.length === 0 && bytesEqual(fromRoot, toRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : proof;
  let fn = from - 1;
  let sn = to - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(fr, fromRoot) && bytesEqual(sr, toRoot);
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}
