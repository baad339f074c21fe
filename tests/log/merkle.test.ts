import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  completedNodeHashes,
  consistencyProofHashes,
  inclusionProofHashes,
  leafHash,
  mapSource,
  nodeHash,
  nodeKey,
  rootHash,
} from '../../api/log/merkle.ts';
import { verifyConsistency, verifyInclusion } from '../../api/log/verify/merkle-proof.ts';

/** The RFC 6962 definitions, written recursively over the leaf hashes, memoised only for speed. */
class NaiveTree {
  private readonly memo = new Map<string, Buffer>();
  constructor(readonly leaves: Buffer[]) {}

  mth(start: number, end: number): Buffer {
    const n = end - start;
    if (n === 0) return createHash('sha256').digest();
    if (n === 1) return this.leaves[start]!;
    const key = `${start}:${end}`;
    const cached = this.memo.get(key);
    if (cached) return cached;
    const k = largestPowerOfTwoBelow(n);
    const hash = createHash('sha256')
      .update(Buffer.from([1]))
      .update(this.mth(start, start + k))
      .update(this.mth(start + k, end))
      .digest();
    this.memo.set(key, hash);
    return hash;
  }

  path(m: number, start: number, end: number): Buffer[] {
    const n = end - start;
    if (n <= 1) return [];
    const k = largestPowerOfTwoBelow(n);
    if (m < k) return [...this.path(m, start, start + k), this.mth(start + k, end)];
    return [...this.path(m - k, start + k, end), this.mth(start, start + k)];
  }

  subproof(m: number, start: number, end: number, complete: boolean): Buffer[] {
    const n = end - start;
    if (m === n) return complete ? [] : [this.mth(start, end)];
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) return [...this.subproof(m, start, start + k, complete), this.mth(start + k, end)];
    return [...this.subproof(m - k, start + k, end, false), this.mth(start, start + k)];
  }
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Builds the stored-node map the way the service does: one append at a time. */
function buildNodes(leaves: Buffer[]): Map<string, Buffer> {
  const nodes = new Map<string, Buffer>();
  const source = mapSource(nodes);
  leaves.forEach((leaf, index) => {
    for (const node of completedNodeHashes(index, leaf, source)) nodes.set(nodeKey(node), node.hash);
  });
  return nodes;
}

const MAX = 300;
const entries = Array.from({ length: MAX }, (_, i) => Buffer.from(`entry ${i}`));
const leaves = entries.map(leafHash);
const naive = new NaiveTree(leaves);
const source = mapSource(buildNodes(leaves));

const flipBit = (b: Buffer, bit = 0) => {
  const c = Buffer.from(b);
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
};

describe('Merkle hashing', () => {
  it('matches the RFC 6962 test vectors of the certificate-transparency reference implementation', () => {
    const vectorLeaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) =>
      leafHash(Buffer.from(h, 'hex')),
    );
    const expectedRoots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    const vectorSource = mapSource(buildNodes(vectorLeaves));
    for (const [i, hex] of expectedRoots.entries()) expect(rootHash(i + 1, vectorSource).toString('hex')).toBe(hex);
  });

  it('hashes leaves and nodes with the 0x00 / 0x01 domain separation', () => {
    const entry = Buffer.from('abc');
    expect(leafHash(entry)).toEqual(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([0]), entry]))
        .digest(),
    );
    const l = leafHash(Buffer.from('l'));
    const r = leafHash(Buffer.from('r'));
    expect(nodeHash(l, r)).toEqual(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([1]), l, r]))
        .digest(),
    );
  });

  it('gives the empty tree the hash of the empty string', () => {
    expect(rootHash(0, source).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(EMPTY_ROOT).toEqual(rootHash(0, source));
  });

  it('computes the root of every tree size 1..300 from stored subtrees exactly as the recursive definition', () => {
    for (let n = 1; n <= MAX; n++) expect(rootHash(n, source).equals(naive.mth(0, n)), `size ${n}`).toBe(true);
  });
});

describe('inclusion proofs', () => {
  it('equal the RFC PATH and verify, for every size 1..300 and every index', () => {
    for (let n = 1; n <= MAX; n++) {
      const root = naive.mth(0, n);
      for (let m = 0; m < n; m++) {
        const proof = inclusionProofHashes(m, n, source);
        const expected = naive.path(m, 0, n);
        expect(proof.length).toBe(expected.length);
        for (const [i, h] of proof.entries()) expect(h.equals(expected[i]!), `size ${n} index ${m} hash ${i}`).toBe(true);
        if (!verifyInclusion(leaves[m]!, m, n, proof, root)) throw new Error(`valid proof rejected: size ${n} index ${m}`);
      }
    }
  });

  it('rejects tampered proofs', () => {
    const n = 37;
    const root = naive.mth(0, n);
    for (const m of [0, 1, 15, 16, 31, 32, 35, 36]) {
      const proof = inclusionProofHashes(m, n, source);
      expect(verifyInclusion(leaves[m]!, m, n, proof, root)).toBe(true);
      for (let i = 0; i < proof.length; i++) {
        const tampered = proof.map((h, j) => (j === i ? flipBit(h, 77) : h));
        expect(verifyInclusion(leaves[m]!, m, n, tampered, root), `flip ${m}/${i}`).toBe(false);
      }
      expect(verifyInclusion(flipBit(leaves[m]!), m, n, proof, root)).toBe(false);
      expect(verifyInclusion(leaves[m]!, m, n, proof, flipBit(root, 255))).toBe(false);
      // A wrong size is caught whenever it changes the proof's shape (the size itself is bound by the signed checkpoint).
      for (const size of [m + 1, n - 5, n - 1, n + 1, n + 30, 2 * n]) {
        if (size > m && size !== n && naive.path(m, 0, size).length !== proof.length) {
          expect(verifyInclusion(leaves[m]!, m, size, proof, root), `size ${size}`).toBe(false);
        }
      }
      // A proof for another size never verifies against this size's root.
      if (m < n - 1) expect(verifyInclusion(leaves[m]!, m, n, inclusionProofHashes(m, n - 1, source), root)).toBe(false);
      expect(verifyInclusion(leaves[m]!, m ^ 1, n, proof, root)).toBe(false);
      expect(verifyInclusion(leaves[m]!, m, n, [...proof, proof[0]!], root), 'extra hash').toBe(false);
      expect(verifyInclusion(leaves[m]!, m, n, proof.slice(0, -1), root), 'missing hash').toBe(false);
      expect(verifyInclusion(leaves[m]!, m, n, [...proof, Buffer.alloc(0)], root), 'trailing garbage').toBe(false);
      expect(verifyInclusion(leaves[m]!, m, n, [...proof.slice(0, -1), Buffer.concat([proof.at(-1)!, Buffer.from([0])])], root)).toBe(
        false,
      );
    }
  });

  it('rejects impossible arguments', () => {
    expect(verifyInclusion(leaves[0]!, 0, 0, [], EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(leaves[0]!, 1, 1, [], leaves[0]!)).toBe(false);
    expect(verifyInclusion(leaves[0]!, -1, 1, [], leaves[0]!)).toBe(false);
    expect(verifyInclusion(leaves[0]!, 0.5, 1, [], leaves[0]!)).toBe(false);
    expect(verifyInclusion(leaves[0]!, 0, 1, [], leaves[0]!)).toBe(true);
    expect(() => inclusionProofHashes(5, 5, source)).toThrow(RangeError);
    expect(() => inclusionProofHashes(-1, 5, source)).toThrow(RangeError);
  });
});

describe('consistency proofs', () => {
  const check = (m: number, n: number) => {
    const proof = consistencyProofHashes(m, n, source);
    const expected = m === 0 ? [] : naive.subproof(m, 0, n, true);
    expect(proof.length, `${m}→${n}`).toBe(expected.length);
    for (const [i, h] of proof.entries()) expect(h.equals(expected[i]!), `${m}→${n} hash ${i}`).toBe(true);
    if (!verifyConsistency(m, n, naive.mth(0, m), naive.mth(0, n), proof)) throw new Error(`valid proof rejected: ${m}→${n}`);
  };

  it('equal the RFC PROOF and verify, for every pair up to 64', () => {
    for (let n = 0; n <= 64; n++) for (let m = 0; m <= n; m++) check(m, n);
  });

  it('equal the RFC PROOF and verify, for sampled pairs up to 300', () => {
    let seed = 7;
    const random = (max: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % max;
    };
    for (let i = 0; i < 3000; i++) {
      const n = 65 + random(MAX - 64);
      check(random(n + 1), n);
    }
    for (const n of [128, 255, 256, 257, 299, 300]) for (const m of [1, 2, 63, 64, 65, 127, 128, n - 1, n]) if (m <= n) check(m, n);
  });

  it('rejects tampered proofs', () => {
    for (const [m, n] of [
      [1, 2],
      [3, 7],
      [4, 8],
      [6, 8],
      [13, 300],
      [64, 200],
      [127, 129],
    ] as const) {
      const proof = consistencyProofHashes(m, n, source);
      const a = naive.mth(0, m);
      const b = naive.mth(0, n);
      expect(verifyConsistency(m, n, a, b, proof)).toBe(true);
      for (let i = 0; i < proof.length; i++) {
        const tampered = proof.map((h, j) => (j === i ? flipBit(h, 3) : h));
        expect(verifyConsistency(m, n, a, b, tampered), `flip ${m}→${n} #${i}`).toBe(false);
      }
      expect(verifyConsistency(m, n, flipBit(a), b, proof)).toBe(false);
      expect(verifyConsistency(m, n, a, flipBit(b), proof)).toBe(false);
      expect(verifyConsistency(m, n, a, b, consistencyProofHashes(m, n - 1, source))).toBe(false);
      expect(verifyConsistency(m, n, a, b, consistencyProofHashes(m - 1, n, source))).toBe(false);
      for (const [from, to] of [
        [m, n + 1],
        [m + 1, n],
        [m - 1, n],
        [m, 2 * n],
      ] as const) {
        if (from > 0 && from < to && to <= MAX && naive.subproof(from, 0, to, true).length !== proof.length) {
          expect(verifyConsistency(from, to, a, b, proof), `${from}→${to}`).toBe(false);
        }
      }
      expect(verifyConsistency(m, n, a, b, [...proof, proof[0]!]), 'extra hash').toBe(false);
      expect(verifyConsistency(m, n, a, b, proof.slice(0, -1)), 'missing hash').toBe(false);
      expect(verifyConsistency(m, n, a, b, [...proof, Buffer.alloc(3)]), 'trailing garbage').toBe(false);
      expect(verifyConsistency(m, n, a, b, []), 'empty').toBe(false);
    }
  });

  it('handles the trivial cases and rejects reversed or forked pairs', () => {
    const r5 = naive.mth(0, 5);
    expect(verifyConsistency(5, 5, r5, r5, [])).toBe(true);
    expect(verifyConsistency(5, 5, r5, naive.mth(0, 6), [])).toBe(false);
    expect(verifyConsistency(5, 5, r5, r5, [r5])).toBe(false);
    expect(verifyConsistency(0, 9, EMPTY_ROOT, naive.mth(0, 9), [])).toBe(true);
    expect(verifyConsistency(6, 5, r5, r5, [])).toBe(false);
    expect(() => consistencyProofHashes(6, 5, source)).toThrow(RangeError);

    // A fork: a second tree that agrees on 10 leaves and differs at leaf 10 is not consistent with the first at 11.
    const forked = new NaiveTree([...leaves.slice(0, 10), leafHash(Buffer.from('other')), ...leaves.slice(11, 20)]);
    const forkedProof = forked.subproof(11, 0, 20, true);
    expect(verifyConsistency(11, 20, naive.mth(0, 11), forked.mth(0, 20), forkedProof)).toBe(false);
    expect(verifyConsistency(10, 20, naive.mth(0, 10), forked.mth(0, 20), forked.subproof(10, 0, 20, true))).toBe(true);
  });
});
