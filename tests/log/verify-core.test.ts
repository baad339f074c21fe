import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rawPublicKey } from '../../api/log/keys.ts';
import { formatCheckpoint, formatVerifierKey, signNote } from '../../api/log/note.ts';
import { fromBase64Strict, toBase64, toBase64Url } from '../../api/log/verify/bytes.ts';
import { canonicalJsonBytes } from '../../api/log/verify/canonical.ts';
import { verifyEntryBody } from '../../api/log/verify/entry.ts';
import { VerificationError } from '../../api/log/verify/errors.ts';
import { checkInclusionProof, verifyCheckpoint, verifyCheckpointConsistency } from '../../api/log/verify/index.ts';
import {
  EMPTY_ROOT,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../api/log/verify/merkle-proof.ts';
import {
  checkOrigin,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  signaturesBy,
  verifyNoteSignatures,
} from '../../api/log/verify/note.ts';
import { sha256 } from '../../api/log/verify/sha256.ts';
import { codeOf, codeOfAsync } from '../helpers/verification-codes.ts';

const origin = 'core.example/log';
const { privateKey } = generateKeyPairSync('ed25519');
const publicKey = rawPublicKey(privateKey);
const vkey = formatVerifierKey(origin, publicKey);
const verifier = parseVerifierKey(vkey);

// A four-leaf tree, written out by hand: root = H(H(l0, l1), H(l2, l3)).
const bodies = [0, 1, 2, 3].map((i) => canonicalJsonBytes({ type: 'test.entry', i }));
const leaves = bodies.map(leafHash);
const left = nodeHash(leaves[0]!, leaves[1]!);
const right = nodeHash(leaves[2]!, leaves[3]!);
const root = nodeHash(left, right);
const note = (size = 4, rootHash: Uint8Array = root) =>
  signNote(formatCheckpoint({ origin, size, rootHash }), origin, privateKey, publicKey);

describe('verification core: primitives', () => {
  it('hashes as SHA-256 does, for every length around the block boundaries', () => {
    for (let n = 0; n < 200; n++) {
      const data = randomBytes(n);
      expect(Buffer.from(sha256(data.subarray(0, n >> 1), data.subarray(n >> 1))).toString('hex')).toBe(
        createHash('sha256').update(data).digest('hex'),
      );
    }
    expect(Buffer.from(EMPTY_ROOT).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('reads and writes base64 like Node, and rejects every spelling but the canonical one', () => {
    for (let n = 0; n < 40; n++) {
      const data = randomBytes(n);
      expect(toBase64(data)).toBe(data.toString('base64'));
      expect(toBase64Url(data)).toBe(data.toString('base64url'));
      expect(Buffer.from(fromBase64Strict(data.toString('base64'))!)).toEqual(data);
    }
    for (const bad of ['A', 'AB=', 'AB==\n', 'AB', 'AB=A', 'A===', 'AB_-', 'AR==']) expect(fromBase64Strict(bad)).toBeUndefined();
  });

  it('is one error class with a code, and the core uses no Node API', () => {
    const err = new VerificationError('log_fork_detected', 'two roots');
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'VerificationError', code: 'log_fork_detected', message: 'two roots' });
    const dir = path.resolve(import.meta.dirname, '../../api/log/verify');
    for (const file of fs.readdirSync(dir)) {
      expect(fs.readFileSync(path.join(dir, file), 'utf8'), file).not.toMatch(/from 'node:|\bBuffer\b|\bprocess\./);
    }
  });
});

describe('verification core: verifier keys and signed notes', () => {
  it('parses the key, or fails with vkey_malformed', () => {
    expect(verifier.name).toBe(origin);
    expect(Buffer.from(verifier.publicKey)).toEqual(publicKey);
    const [name, id, key] = vkey.split('+') as [string, string, string];
    for (const bad of [
      '',
      'no-plus',
      `${name}+${id}`,
      `+${id}+${key}`,
      `a b+${id}+${key}`,
      // The key id is hex of a random key: one in ~40 has no letter to upper-case.
      ...(id === id.toUpperCase() ? [] : [`${name}+${id.toUpperCase()}+${key}`]),
      `${name}+00000000+${key}`,
      `${name}+${id}+${key.slice(0, -4)}`,
      `${name}+${id}+AQ==`,
    ]) {
      expect(
        codeOf(() => parseVerifierKey(bad)),
        bad,
      ).toBe('vkey_malformed');
    }
  });

  it('splits a note into its text and signatures, or fails with checkpoint_malformed', () => {
    const n = note();
    const signed = parseNote(n);
    expect(signed.text).toBe(formatCheckpoint({ origin, size: 4, rootHash: root }));
    expect(signed.signatures).toHaveLength(1);
    expect(signed.signatures[0]).toMatchObject({ name: origin });
    const tooMany = n + n.split('\n\n')[1]!.repeat(16);
    for (const bad of [
      n.trimEnd(),
      n.replace('\n\n', '\n'),
      n.replace('\u2014', '-'),
      `${n}garbage\n`,
      `\u0007${n}`,
      n.replace(/ \S+\n$/, ' !!!\n'),
      tooMany,
      'x'.repeat(70_000),
    ]) {
      expect(codeOf(() => parseNote(bad))).toBe('checkpoint_malformed');
    }
  });

  it('needs a signature by the trusted key that verifies, or fails with checkpoint_signature_invalid', async () => {
    const signed = parseNote(note());
    expect(signaturesBy(signed, verifier)).toHaveLength(1);
    await verifyNoteSignatures(signed, verifier);

    const stranger = generateKeyPairSync('ed25519').privateKey;
    const byStranger = parseNote(signNote(signed.text, 'witness.example/w', stranger, rawPublicKey(stranger)));
    expect(codeOf(() => signaturesBy(byStranger, verifier))).toBe('checkpoint_signature_invalid');
    const short = { ...signed, signatures: signed.signatures.map((s) => ({ ...s, signature: s.signature.subarray(1) })) };
    expect(codeOf(() => signaturesBy(short, verifier))).toBe('checkpoint_signature_invalid');
    expect(await codeOfAsync(verifyNoteSignatures({ ...signed, text: signed.text.replace('\n4\n', '\n5\n') }, verifier))).toBe(
      'checkpoint_signature_invalid',
    );
  });

  it('parses checkpoint text and checks its origin, or fails with checkpoint_malformed', () => {
    const text = formatCheckpoint({ origin, size: 4, rootHash: root });
    expect(parseCheckpoint(text)).toMatchObject({ origin, size: 4 });
    for (const bad of [
      `${origin}\n4\n`,
      `\n4\n${toBase64(root)}\n`,
      `${origin}\n04\n${toBase64(root)}\n`,
      `${origin}\n4\nAAAA\n`,
      `${origin}\n4\n${toBase64(root)}\n\n`,
    ]) {
      expect(
        codeOf(() => parseCheckpoint(bad)),
        bad,
      ).toBe('checkpoint_malformed');
    }
    expect(codeOf(() => checkOrigin(parseCheckpoint(text), 'other.example/log'))).toBe('checkpoint_malformed');
  });

  it('verifies a whole checkpoint with WebCrypto', async () => {
    expect(await verifyCheckpoint(note(), vkey)).toMatchObject({ origin, size: 4, note: note() });
    expect(await codeOfAsync(verifyCheckpoint(note(), `${vkey}x`))).toBe('vkey_malformed');
  });
});

describe('verification core: entries and proofs', () => {
  it('accepts canonical entry bodies, as base64 or bytes, and names every mismatch log_entry_mismatch', () => {
    const body = toBase64(bodies[2]!);
    expect(verifyEntryBody({ index: 2, body }).entry).toEqual({ type: 'test.entry', i: 2 });
    expect(verifyEntryBody({ index: 2, body: bodies[2]!, entry: { i: 2, type: 'test.entry' } }).leafHash).toEqual(leaves[2]);
    const cases: Array<string | Uint8Array> = [
      '***',
      toBase64(new Uint8Array([0xff, 0xfe])),
      btoa('not json'),
      btoa('[1,2]'),
      btoa('{ "i": 2 }'),
    ];
    for (const bad of cases) expect(codeOf(() => verifyEntryBody({ index: 2, body: bad }))).toBe('log_entry_mismatch');
    expect(codeOf(() => verifyEntryBody({ index: 2, body, entry: { type: 'test.entry', i: 3 } }))).toBe('log_entry_mismatch');
    expect(codeOf(() => verifyEntryBody({ index: 2, body, entry: Number.NaN }))).toBe('log_entry_mismatch');
  });

  it('recomputes roots from inclusion proofs, and fails with inclusion_proof_invalid otherwise', () => {
    const checkpoint = { origin, size: 4, rootHash: root };
    const entry = verifyEntryBody({ index: 2, body: bodies[2]! });
    const proof = { index: 2, size: 4, hashes: [toBase64(leaves[3]!), toBase64(left)] };
    expect(rootFromInclusionProof(2, 4, leaves[2]!, [leaves[3]!, left])).toEqual(root);
    expect(verifyInclusion(leaves[2]!, 2, 4, [leaves[3]!, left], root)).toBe(true);
    expect(codeOf(() => checkInclusionProof(entry, proof, checkpoint))).toBe('passed');
    expect(codeOf(() => checkInclusionProof(entry, { ...proof, size: 3 }, checkpoint))).toBe('inclusion_proof_invalid');
    expect(codeOf(() => checkInclusionProof(entry, { ...proof, index: 1 }, checkpoint))).toBe('inclusion_proof_invalid');
    expect(codeOf(() => checkInclusionProof(entry, { ...proof, hashes: ['AAAA', toBase64(left)] }, checkpoint))).toBe(
      'inclusion_proof_invalid',
    );
    expect(codeOf(() => checkInclusionProof(entry, { ...proof, hashes: Array(65).fill(toBase64(left)) }, checkpoint))).toBe(
      'inclusion_proof_invalid',
    );
    expect(codeOf(() => checkInclusionProof(entry, { ...proof, hashes: [toBase64(left), toBase64(leaves[3]!)] }, checkpoint))).toBe(
      'inclusion_proof_invalid',
    );
    expect(rootFromInclusionProof(4, 4, leaves[2]!, [])).toBeNull();
  });

  it('checks that a checkpoint extends another, naming a fork log_fork_detected and a bad proof consistency_proof_invalid', () => {
    const three = nodeHash(left, leaves[2]!);
    const older = { origin, size: 3, rootHash: three };
    const newer = { origin, size: 4, rootHash: root };
    const proof = { from: 3, to: 4, hashes: [toBase64(leaves[2]!), toBase64(leaves[3]!), toBase64(left)] };
    expect(verifyConsistency(3, 4, three, root, [leaves[2]!, leaves[3]!, left])).toBe(true);
    expect(verifyConsistency(0, 4, EMPTY_ROOT, root, [])).toBe(true);
    expect(codeOf(() => verifyCheckpointConsistency(older, newer, proof))).toBe('passed');
    expect(codeOf(() => verifyCheckpointConsistency(older, { ...newer, origin: 'other.example/log' }, proof))).toBe('checkpoint_malformed');
    expect(codeOf(() => verifyCheckpointConsistency(newer, older, proof))).toBe('log_fork_detected');
    expect(codeOf(() => verifyCheckpointConsistency(newer, { ...newer, rootHash: three }, proof))).toBe('log_fork_detected');
    expect(codeOf(() => verifyCheckpointConsistency(older, { ...newer, rootHash: leaves[0]! }, proof))).toBe('log_fork_detected');
    expect(codeOf(() => verifyCheckpointConsistency(older, newer, { ...proof, from: 2 }))).toBe('consistency_proof_invalid');
    expect(codeOf(() => verifyCheckpointConsistency(older, newer, { ...proof, hashes: ['x'] }))).toBe('consistency_proof_invalid');
  });
});
