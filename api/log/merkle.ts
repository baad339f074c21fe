import { EMPTY_ROOT as EMPTY_ROOT_BYTES, HASH_SIZE, leafHash as leafHashBytes, nodeHash as nodeHashBytes } from './verify/merkle-proof.ts';

/**
 * RFC 6962 / RFC 9162 Merkle proof generation and tree maintenance for the log's storage. Pure: no I/O.
 * Hashing and proof verification are the verification core's (./verify/merkle-proof.ts); this side hands
 * out Buffers because that is what the database stores.
 *
 * Proof generation is split in two so that storage can answer it with one query: first the proof is
 * planned as a list of leaf ranges whose hashes it needs (`inclusionPlan`, `consistencyPlan`), each range
 * decomposes into perfect aligned subtrees (`perfectSubtrees`), the caller fetches those node hashes
 * from wherever it keeps them, and `rangeHash` folds them back into the range hashes.
 *
 * Sizes and indices are plain numbers (safe up to 2^53 leaves); shifts are done arithmetically because
 * JavaScript bit operators truncate to 32 bits.
 */

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** MTH of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT = asBuffer(EMPTY_ROOT_BYTES);

export const leafHash = (entry: Uint8Array): Buffer => asBuffer(leafHashBytes(entry));

export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => asBuffer(nodeHashBytes(left, right));

/** A perfect subtree: 2^level leaves starting at leaf index * 2^level. Level 0 is a leaf hash. */
export interface NodeId {
  level: number;
  index: number;
}

/** Leaves [start, end). */
export interface LeafRange {
  start: number;
  end: number;
}

export const nodeKey = (n: NodeId): string => `${n.level}/${n.index}`;

/** Looks up a stored perfect-subtree hash; throws when it is missing (a storage bug, not bad input). */
export type HashSource = (node: NodeId) => Buffer;

/** Largest power of two strictly less than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** The aligned perfect subtrees covering [start, end), left to right (largest first). */
export function perfectSubtrees(range: LeafRange): NodeId[] {
  const nodes: NodeId[] = [];
  let position = range.start;
  while (position < range.end) {
    let size = 1;
    let level = 0;
    while (position % (size * 2) === 0 && position + size * 2 <= range.end) {
      size *= 2;
      level += 1;
    }
    nodes.push({ level, index: position / size });
    position += size;
  }
  return nodes;
}

/**
 * MTH(D[start:end]) for a range that is a node of the RFC 6962 recursion (the whole tree or a range
 * produced by the plans below): the right-most subtrees are combined first, as the recursion does.
 */
export function rangeHash(range: LeafRange, source: HashSource): Buffer {
  if (range.end <= range.start) return EMPTY_ROOT;
  const nodes = perfectSubtrees(range);
  let hash = source(nodes[nodes.length - 1]!);
  for (let i = nodes.length - 2; i >= 0; i--) hash = nodeHash(source(nodes[i]!), hash);
  return hash;
}

export function rootHash(size: number, source: HashSource): Buffer {
  return rangeHash({ start: 0, end: size }, source);
}

/** Ranges whose hashes form PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), bottom-up. */
export function inclusionPlan(index: number, size: number): LeafRange[] {
  assertInclusionArgs(index, size);
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = size;
  let m = index;
  const reversed: LeafRange[] = [];
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      reversed.push({ start: start + k, end });
      end = start + k;
    } else {
      reversed.push({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  for (let i = reversed.length - 1; i >= 0; i--) ranges.push(reversed[i]!);
  return ranges;
}

/** Ranges whose hashes form PROOF(from, D[0:to]) (RFC 9162 §2.1.4.1), in proof order. */
export function consistencyPlan(from: number, to: number): LeafRange[] {
  assertConsistencyArgs(from, to);
  if (from === 0 || from === to) return [];
  const reversed: LeafRange[] = [];
  let start = 0;
  let end = to;
  let m = from;
  let completeSubtree = true;
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!completeSubtree) reversed.push({ start, end });
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      reversed.push({ start: start + k, end });
      end = start + k;
    } else {
      reversed.push({ start, end: start + k });
      start += k;
      m -= k;
      completeSubtree = false;
    }
  }
  return reversed.reverse();
}

/** Every perfect subtree a set of ranges needs, deduplicated. */
export function nodesFor(ranges: LeafRange[]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const range of ranges) for (const node of perfectSubtrees(range)) seen.set(nodeKey(node), node);
  return [...seen.values()];
}

/**
 * The perfect subtrees completed by appending leaf `index`: the leaf itself and every parent whose
 * right-most leaf it is. `leftSiblings` are the stored nodes needed to compute them.
 */
export function appendPlan(index: number): { completed: NodeId[]; leftSiblings: NodeId[] } {
  const completed: NodeId[] = [{ level: 0, index }];
  const leftSiblings: NodeId[] = [];
  let level = 0;
  let i = index;
  while (isOdd(i)) {
    leftSiblings.push({ level, index: i - 1 });
    level += 1;
    i = half(i);
    completed.push({ level, index: i });
  }
  return { completed, leftSiblings };
}

/** Hashes of the nodes completed by appending a leaf, bottom-up (same order as `appendPlan().completed`). */
export function completedNodeHashes(index: number, leaf: Uint8Array, source: HashSource): Array<NodeId & { hash: Buffer }> {
  const { completed, leftSiblings } = appendPlan(index);
  let hash = asBuffer(leaf);
  const out: Array<NodeId & { hash: Buffer }> = [{ ...completed[0]!, hash }];
  leftSiblings.forEach((sibling, i) => {
    hash = nodeHash(source(sibling), hash);
    out.push({ ...completed[i + 1]!, hash });
  });
  return out;
}

/** A HashSource over an in-memory map keyed by `nodeKey`. */
export function mapSource(nodes: Map<string, Buffer>): HashSource {
  return (node) => {
    const hash = nodes.get(nodeKey(node));
    if (!hash) throw new Error(`log node ${nodeKey(node)} is missing`);
    return hash;
  };
}

export function inclusionProofHashes(index: number, size: number, source: HashSource): Buffer[] {
  return inclusionPlan(index, size).map((r) => rangeHash(r, source));
}

export function consistencyProofHashes(from: number, to: number, source: HashSource): Buffer[] {
  return consistencyPlan(from, to).map((r) => rangeHash(r, source));
}

function assertInclusionArgs(index: number, size: number): void {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`inclusion proof needs 0 <= index < size (index ${index}, size ${size})`);
  }
}

function assertConsistencyArgs(from: number, to: number): void {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) {
    throw new RangeError(`consistency proof needs 0 <= from <= to (from ${from}, to ${to})`);
  }
}

const validHash = (h: Uint8Array) => h.length === HASH_SIZE;

/**
 * The hashes of the perfect subtrees covering leaves [0, size) (at most log2(size) + 1 of them): enough to
 * compute the root and to keep appending. Monitors use it to re-hash new entries without the old ones.
 */
export class CompactRange {
  private readonly nodes = new Map<string, Buffer>();
  private count: number;

  /** `hashes` are the hashes of `perfectSubtrees({ start: 0, end: size })`, left to right. */
  constructor(size = 0, hashes: Uint8Array[] = []) {
    const ids = perfectSubtrees({ start: 0, end: size });
    if (ids.length !== hashes.length || !hashes.every(validHash)) {
      throw new RangeError(`a compact range of size ${size} needs ${ids.length} hashes of ${HASH_SIZE} bytes`);
    }
    for (const [i, id] of ids.entries()) this.nodes.set(nodeKey(id), Buffer.from(hashes[i]!));
    this.count = size;
  }

  get size(): number {
    return this.count;
  }

  append(leaf: Uint8Array): void {
    for (const node of completedNodeHashes(this.count, leaf, mapSource(this.nodes))) this.nodes.set(nodeKey(node), node.hash);
    this.count += 1;
    const keep = new Set(perfectSubtrees({ start: 0, end: this.count }).map(nodeKey));
    for (const key of this.nodes.keys()) if (!keep.has(key)) this.nodes.delete(key);
  }

  root(): Buffer {
    return rootHash(this.count, mapSource(this.nodes));
  }

  hashes(): Buffer[] {
    return perfectSubtrees({ start: 0, end: this.count }).map((id) => this.nodes.get(nodeKey(id))!);
  }
}
