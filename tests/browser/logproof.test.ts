import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parseCheckpoint,
  parseVerifierKey,
  rootFromInclusionProof,
  verifyCheckpoint,
  verifyInclusion,
} from '../../web/src/lib/logproof.ts';

// An independent RFC 6962 reference (recursive MTH and PATH) to check the browser's iterative verifier against.
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaf = (d: Buffer) => sha(Buffer.from([0]), d);
const split = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
function mth(d: Buffer[]): Buffer {
  if (d.length === 1) return leaf(d[0]!);
  const k = split(d.length);
  return sha(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
}
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

describe('browser log checks (logproof.ts)', () => {
  const entries = Array.from({ length: 13 }, (_, i) => Buffer.from(JSON.stringify({ type: 'work.registered', i })));

  it('accepts every RFC 6962 inclusion proof for trees of size 1..13 and rejects tampered ones', async () => {
    for (let size = 1; size <= entries.length; size++) {
      const tree = entries.slice(0, size);
      const root = mth(tree).toString('base64');
      for (let i = 0; i < size; i++) {
        const proof = path(i, tree).map((b) => b.toString('base64'));
        expect(await verifyInclusion(tree[i]!, i, size, proof, root)).toBe(true);
        expect(await verifyInclusion(Buffer.from('forged'), i, size, proof, root)).toBe(false);
        if (proof.length) expect(await verifyInclusion(tree[i]!, i, size, proof.slice(1), root)).toBe(false);
      }
    }
    expect(await rootFromInclusionProof(5, 5, new Uint8Array(32), [])).toBeNull();
  });

  it('verifies a C2SP signed-note checkpoint with the note verifier key, and rejects another key', async () => {
    const name = 'aura.example/log';
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const keyHash = sha(Buffer.from(`${name}\n`), Buffer.from([1]), raw).subarray(0, 4);
    const vkey = `${name}+${keyHash.toString('hex')}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`;
    const text = `${name}\n13\n${mth(entries).toString('base64')}\n`;
    const sig = sign(null, Buffer.from(text), privateKey);
    const note = `${text}\n\u2014 ${name} ${Buffer.concat([keyHash, sig]).toString('base64')}\n`;

    const checkpoint = parseCheckpoint(note);
    expect(checkpoint).toMatchObject({ origin: name, size: 13, rootHash: mth(entries).toString('base64'), text });
    expect(await verifyCheckpoint(checkpoint, parseVerifierKey(vkey))).toBe(true);

    const tampered = parseCheckpoint(note.replace('\n13\n', '\n14\n'));
    expect(await verifyCheckpoint(tampered, parseVerifierKey(vkey))).toBe(false);
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const otherHash = sha(Buffer.from(`${name}\n`), Buffer.from([1]), other).subarray(0, 4);
    const otherVkey = `${name}+${otherHash.toString('hex')}+${Buffer.concat([Buffer.from([1]), other]).toString('base64')}`;
    expect(await verifyCheckpoint(checkpoint, parseVerifierKey(otherVkey))).toBe(false);
    expect(() => parseCheckpoint('no blank line')).toThrow();
  });
});
