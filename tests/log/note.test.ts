import { createHash, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../api/errors.ts';
import { exportLogKey, loadOrCreateLogKey, parseLogKey, rawPublicKey } from '../../api/log/keys.ts';
import { leafHash } from '../../api/log/merkle.ts';
import { formatCheckpoint, formatVerifierKey, openCheckpoint, openNote, signNote } from '../../api/log/note.ts';
import { VerificationError } from '../../api/log/verify/errors.ts';
import { noteKeyId, parseCheckpoint, parseVerifierKey } from '../../api/log/verify/note.ts';

const origin = 'registry.example/aura-log';
const { privateKey } = generateKeyPairSync('ed25519');
const publicKey = rawPublicKey(privateKey);
const verifier = parseVerifierKey(formatVerifierKey(origin, publicKey));
const root = leafHash(Buffer.from('root'));
const text = formatCheckpoint({ origin, size: 42, rootHash: root });
const note = signNote(text, origin, privateKey, publicKey);

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError || err instanceof VerificationError ? err.code : `not a coded error: ${String(err)}`;
  }
  return 'no error';
};

describe('signed notes and checkpoints', () => {
  it('formats the checkpoint, the signature line and the verifier key as C2SP specifies', () => {
    expect(text).toBe(`${origin}\n42\n${root.toString('base64')}\n`);
    const id = createHash('sha256')
      .update(Buffer.concat([Buffer.from(origin), Buffer.from([0x0a, 0x01]), publicKey]))
      .digest()
      .subarray(0, 4);
    expect(Buffer.from(noteKeyId(origin, publicKey))).toEqual(id);
    expect(formatVerifierKey(origin, publicKey)).toBe(
      `${origin}+${id.toString('hex')}+${Buffer.concat([Buffer.from([1]), publicKey]).toString('base64')}`,
    );
    const [body, sigLine] = note.split('\n\n');
    expect(`${body}\n`).toBe(text);
    expect(sigLine).toMatch(new RegExp(`^\u2014 ${origin.replace(/[.]/g, '\\.')} [A-Za-z0-9+/]+=*\\n$`));
    const sig = Buffer.from(sigLine!.split(' ')[2]!, 'base64');
    expect(sig.length).toBe(68);
    expect(sig.subarray(0, 4)).toEqual(id);
  });

  it('verifies a genuine checkpoint and reads it back', () => {
    const opened = openCheckpoint(note, verifier);
    expect(opened).toMatchObject({ origin, size: 42 });
    expect(opened.rootHash).toEqual(root);
  });

  it('ignores signatures of unknown keys but needs one from the trusted key', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const otherNote = signNote(text, 'witness.example/w1', other, rawPublicKey(other));
    const cosigned = note + otherNote.split('\n\n')[1];
    expect(openNote(cosigned, verifier)).toBe(text);
    expect(codeOf(() => openNote(otherNote, verifier))).toBe('checkpoint_signature_invalid');
    // Same name, another key: its key id differs, so it is an unknown key and the note has no trusted signature.
    const impostor = signNote(text, origin, other, rawPublicKey(other));
    expect(codeOf(() => openNote(impostor, verifier))).toBe('checkpoint_signature_invalid');
  });

  it('rejects tampered notes', () => {
    const tamperedSize = note.replace('\n42\n', '\n43\n');
    expect(codeOf(() => openCheckpoint(tamperedSize, verifier))).toBe('checkpoint_signature_invalid');
    const tamperedRoot = note.replace(root.toString('base64'), leafHash(Buffer.from('x')).toString('base64'));
    expect(codeOf(() => openCheckpoint(tamperedRoot, verifier))).toBe('checkpoint_signature_invalid');
    const sigB64 = note.trimEnd().split(' ').at(-1)!;
    const sig = Buffer.from(sigB64, 'base64');
    sig[10]! ^= 1;
    expect(codeOf(() => openCheckpoint(note.replace(sigB64, sig.toString('base64')), verifier))).toBe('checkpoint_signature_invalid');
    expect(codeOf(() => openCheckpoint(note.replace('\n\n', '\n'), verifier))).toBe('checkpoint_malformed');
    expect(codeOf(() => openCheckpoint(note.trimEnd(), verifier))).toBe('checkpoint_malformed');
    expect(codeOf(() => openCheckpoint(note.replace('\u2014', '-'), verifier))).toBe('checkpoint_malformed');
    expect(codeOf(() => openCheckpoint(`${note}garbage\n`, verifier))).toBe('checkpoint_malformed');
    expect(codeOf(() => openCheckpoint(`\u0007${note}`, verifier))).toBe('checkpoint_malformed');
    expect(codeOf(() => openCheckpoint(note, verifier, 'another.example/log'))).toBe('checkpoint_malformed');
  });

  it('parses verifier keys whose base64 contains "+"', () => {
    for (let i = 0; i < 200; i++) {
      const k = generateKeyPairSync('ed25519').privateKey;
      const vkey = formatVerifierKey(origin, rawPublicKey(k));
      if (!vkey.split('+').slice(2).join('+').includes('+')) continue;
      expect(Buffer.from(parseVerifierKey(vkey).publicKey)).toEqual(rawPublicKey(k));
      return;
    }
    throw new Error('no key with "+" in 200 tries');
  });

  it('rejects malformed checkpoint text and verifier keys', () => {
    expect(codeOf(() => parseCheckpoint(`${origin}\n042\n${root.toString('base64')}\n`))).toBe('checkpoint_malformed');
    expect(codeOf(() => parseCheckpoint(`${origin}\n-1\n${root.toString('base64')}\n`))).toBe('checkpoint_malformed');
    expect(codeOf(() => parseCheckpoint(`${origin}\n1\n${root.subarray(1).toString('base64')}\n`))).toBe('checkpoint_malformed');
    expect(codeOf(() => parseCheckpoint(`${origin}\n1\n`))).toBe('checkpoint_malformed');
    expect(parseCheckpoint(`${origin}\n0\n${root.toString('base64')}\nextension\n`).size).toBe(0);
    const vkey = formatVerifierKey(origin, publicKey);
    expect(codeOf(() => parseVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')))).toBe('vkey_malformed');
    expect(codeOf(() => parseVerifierKey(vkey.split('+').slice(0, 2).join('+')))).toBe('vkey_malformed');
    expect(codeOf(() => parseVerifierKey('a b+00000000+AQ=='))).toBe('vkey_malformed');
    expect(codeOf(() => parseVerifierKey(vkey.slice(0, -4)))).toBe('vkey_malformed');
  });
});

describe('log key storage', () => {
  it('creates log-key.json with mode 0600 once and reads the same key back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-key-'));
    const created = loadOrCreateLogKey({ envKey: undefined, dataDir: dir });
    expect(created.source).toBe('created');
    const file = path.join(dir, 'log-key.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = loadOrCreateLogKey({ envKey: undefined, dataDir: dir });
    expect(again.source).toBe('file');
    expect(again.publicKey).toEqual(created.publicKey);
  });

  it('accepts AURA_LOG_KEY as a JWK, a PKCS#8 PEM or base64 PKCS#8 DER, and rejects other keys', () => {
    const expected = rawPublicKey(privateKey);
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const der = (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).toString('base64');
    for (const form of [exportLogKey(privateKey), pem, der]) expect(rawPublicKey(parseLogKey(form))).toEqual(expected);
    const rsa = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(codeOf(() => parseLogKey(rsa))).toBe('log_key_missing');
    expect(codeOf(() => parseLogKey('not a key'))).toBe('log_key_missing');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-key-'));
    expect(loadOrCreateLogKey({ envKey: der, dataDir: dir }).source).toBe('environment');
    expect(fs.existsSync(path.join(dir, 'log-key.json'))).toBe(false);
  });
});
