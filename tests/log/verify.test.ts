import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../api/log/canonical.ts';
import { rawPublicKey } from '../../api/log/keys.ts';
import {
  CompactRange,
  completedNodeHashes,
  consistencyProofHashes,
  inclusionProofHashes,
  leafHash,
  mapSource,
  nodeKey,
  rootHash,
} from '../../api/log/merkle.ts';
import { formatCheckpoint, formatVerifierKey, signNote } from '../../api/log/note.ts';
import { verifyCheckpoint, verifyCheckpointConsistency, verifyEntryBody, verifyEntryInclusion } from '../../api/log/verify/index.ts';
import { codeOf, codeOfAsync } from '../helpers/verification-codes.ts';

const origin = 'test.example/log';
const { privateKey } = generateKeyPairSync('ed25519');
const publicKey = rawPublicKey(privateKey);
const vkey = formatVerifierKey(origin, publicKey);

const bodies = Array.from({ length: 40 }, (_, i) => canonicalJson({ type: 'test.entry', i, receivedAt: '2025-01-01T00:00:00.000Z' }));
const nodes = new Map<string, Buffer>();
const source = mapSource(nodes);
bodies.forEach((b, i) => {
  for (const n of completedNodeHashes(i, leafHash(b), source)) nodes.set(nodeKey(n), n.hash);
});
const sign = (size: number, root = rootHash(size, source)) =>
  signNote(formatCheckpoint({ origin, size, rootHash: root }), origin, privateKey, publicKey);
const b64 = (hashes: Buffer[]) => hashes.map((h) => h.toString('base64'));

describe('offline verification pipeline', () => {
  it('verifies a checkpoint, and names what is wrong with a bad one', async () => {
    expect(await verifyCheckpoint(sign(40), vkey)).toMatchObject({ origin, size: 40 });
    expect(await codeOfAsync(verifyCheckpoint(sign(40), 'nonsense'))).toBe('vkey_malformed');
    expect(await codeOfAsync(verifyCheckpoint(sign(40).replace('\n40\n', '\n41\n'), vkey))).toBe('checkpoint_signature_invalid');
    expect(await codeOfAsync(verifyCheckpoint('hello', vkey))).toBe('checkpoint_malformed');
    expect(await codeOfAsync(verifyCheckpoint(sign(40), vkey, { origin: 'other.example/log' }))).toBe('checkpoint_malformed');
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(await codeOfAsync(verifyCheckpoint(sign(40), formatVerifierKey(origin, rawPublicKey(other))))).toBe(
      'checkpoint_signature_invalid',
    );
  });

  it('verifies an entry in a checkpoint and rejects every kind of mismatch', async () => {
    const checkpoint = await verifyCheckpoint(sign(40), vkey);
    const index = 13;
    const body = bodies[index]!.toString('base64');
    const entry = JSON.parse(bodies[index]!.toString());
    const proof = { index, size: 40, hashes: b64(inclusionProofHashes(index, 40, source)) };
    expect(verifyEntryInclusion({ index, body, entry }, proof, checkpoint).entry).toEqual(entry);

    expect(codeOf(() => verifyEntryInclusion({ index, body: bodies[14]!.toString('base64') }, proof, checkpoint))).toBe(
      'inclusion_proof_invalid',
    );
    expect(codeOf(() => verifyEntryInclusion({ index, body, entry: { ...entry, i: 99 } }, proof, checkpoint))).toBe('log_entry_mismatch');
    expect(codeOf(() => verifyEntryInclusion({ index, body: '***' }, proof, checkpoint))).toBe('log_entry_mismatch');
    const nonCanonical = Buffer.from(JSON.stringify({ type: 'test.entry', i: 13 }, null, 1)).toString('base64');
    expect(codeOf(() => verifyEntryInclusion({ index, body: nonCanonical }, proof, checkpoint))).toBe('log_entry_mismatch');
    expect(codeOf(() => verifyEntryInclusion({ index, body }, { ...proof, size: 39 }, checkpoint))).toBe('inclusion_proof_invalid');
    expect(codeOf(() => verifyEntryInclusion({ index, body }, { ...proof, index: 12 }, checkpoint))).toBe('inclusion_proof_invalid');
    expect(codeOf(() => verifyEntryInclusion({ index, body }, { ...proof, hashes: [...proof.hashes, proof.hashes[0]!] }, checkpoint))).toBe(
      'inclusion_proof_invalid',
    );
    expect(codeOf(() => verifyEntryInclusion({ index, body }, { ...proof, hashes: proof.hashes.slice(1) }, checkpoint))).toBe(
      'inclusion_proof_invalid',
    );
    expect(codeOf(() => verifyEntryInclusion({ index, body }, { ...proof, hashes: ['AAAA'] }, checkpoint))).toBe('inclusion_proof_invalid');
    expect(codeOf(() => verifyEntryBody({ index: 0, body: Buffer.from('[1,2]').toString('base64') }))).toBe('log_entry_mismatch');
  });

  it('accepts an extension and reports a fork, a shrink or a bad proof', async () => {
    const old = await verifyCheckpoint(sign(17), vkey);
    const now = await verifyCheckpoint(sign(40), vkey);
    const proof = { from: 17, to: 40, hashes: b64(consistencyProofHashes(17, 40, source)) };
    expect(codeOf(() => verifyCheckpointConsistency(old, now, proof))).toBe('passed');
    expect(codeOf(() => verifyCheckpointConsistency(old, old, { from: 17, to: 17, hashes: [] }))).toBe('passed');
    expect(codeOf(() => verifyCheckpointConsistency(now, old, proof))).toBe('log_fork_detected');
    const forkedRoot = await verifyCheckpoint(sign(17, leafHash(Buffer.from('another history'))), vkey);
    expect(codeOf(() => verifyCheckpointConsistency(old, forkedRoot, { from: 17, to: 17, hashes: [] }))).toBe('log_fork_detected');
    expect(codeOf(() => verifyCheckpointConsistency(forkedRoot, now, proof))).toBe('log_fork_detected');
    expect(codeOf(() => verifyCheckpointConsistency(old, now, { ...proof, from: 16 }))).toBe('consistency_proof_invalid');
    expect(codeOf(() => verifyCheckpointConsistency(old, now, { ...proof, hashes: ['x'] }))).toBe('consistency_proof_invalid');
  });

  it('keeps a compact range that re-hashes appended entries to the same roots', () => {
    const range = new CompactRange();
    bodies.forEach((b, i) => {
      range.append(leafHash(b));
      expect(range.root().equals(rootHash(i + 1, source))).toBe(true);
      const restored = new CompactRange(range.size, range.hashes());
      expect(restored.root().equals(range.root())).toBe(true);
    });
    expect(range.hashes().length).toBe(2); // 40 = 32 + 8
    expect(() => new CompactRange(40, range.hashes().slice(1))).toThrow(RangeError);
  });
});
