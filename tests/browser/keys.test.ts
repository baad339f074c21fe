import { describe, expect, it } from 'vitest';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import {
  BACKUP_P2C,
  KeyError,
  createBackup,
  generateKey,
  parseBackupFile,
  restoreBackup,
  signAccountProof,
  signAuthChallenge,
  signCredential,
  thumbprint,
} from '../../web/src/keys.ts';

const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));

describe('web key handling (keys.ts)', () => {
  it('creates an Ed25519 key whose kid is its RFC 7638 thumbprint and whose stored copy cannot be exported', async () => {
    const key = await generateKey();
    expect(key.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) });
    expect(key.kid).toBe(await thumbprint(key.publicJwk));
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow();
  });

  it('backs the key up as a PBES2 JWE that only the passphrase opens, and restores the same key', async () => {
    const key = await generateKey();
    const backup = await createBackup('mira', key, 'correct horse battery staple');
    expect(backup).toMatchObject({ version: 1, handle: 'mira', kid: key.kid, publicJwk: key.publicJwk });
    const header = decodeProtectedHeader(backup.jwe);
    expect(header).toMatchObject({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM' });
    expect(header.p2c).toBeGreaterThanOrEqual(310_000);
    expect(BACKUP_P2C).toBeGreaterThanOrEqual(310_000);
    expect(JSON.stringify(backup)).not.toContain(String(key.privateJwk.d));

    await expect(restoreBackup(JSON.stringify(backup), 'wrong passphrase!!')).rejects.toMatchObject({ code: 'wrong_passphrase' });
    const restored = await restoreBackup(JSON.stringify(backup), 'correct horse battery staple');
    expect(restored.kid).toBe(key.kid);
    expect(restored.handle).toBe('mira');
    // The restored key signs, and the original public key verifies it.
    const jws = await signCredential(restored, { hello: 'world' });
    const { payload } = await compactVerify(jws, await importJWK(key.publicJwk, 'EdDSA'));
    expect(decode(payload)).toEqual({ hello: 'world' });
  });

  it('refuses short passphrases, foreign files and backups whose key does not match their kid', async () => {
    const key = await generateKey();
    await expect(createBackup('mira', key, 'short')).rejects.toBeInstanceOf(KeyError);
    expect(() => parseBackupFile('not json')).toThrow(/not an Aura key backup/);
    expect(() => parseBackupFile('{"version":2}')).toThrow(/unknown version/);
    const backup = await createBackup('mira', key, 'correct horse battery staple');
    const other = await generateKey();
    const swapped = { ...backup, kid: other.kid, publicJwk: other.publicJwk };
    await expect(restoreBackup(JSON.stringify(swapped), 'correct horse battery staple')).rejects.toMatchObject({ code: 'kid_mismatch' });
  });

  it('signs the sign-in, account and credential JWS with the headers the server checks', async () => {
    const key = await generateKey();
    const publicKey = await importJWK(key.publicJwk, 'EdDSA');

    const auth = await compactVerify(await signAuthChallenge(key, 'nonce-1', 'https://aura.example'), publicKey);
    expect(auth.protectedHeader).toEqual({ alg: 'EdDSA', typ: 'aura-auth+jwt', kid: key.kid });
    expect(decode(auth.payload)).toMatchObject({ nonce: 'nonce-1', aud: 'https://aura.example', iat: expect.any(Number) });

    const proof = await compactVerify(await signAccountProof(key, 'mira', 'artist', { displayName: 'Mira', bio: 'Paints.' }), publicKey);
    expect(proof.protectedHeader).toEqual({ alg: 'EdDSA', typ: 'aura-account+jwt', kid: key.kid });
    expect(decode(proof.payload)).toMatchObject({
      handle: 'mira',
      kind: 'artist',
      jwk: key.publicJwk,
      displayName: 'Mira',
      bio: 'Paints.',
    });

    // The credential payload is signed byte for byte as JSON.stringify of what the server returned.
    const payload = { '@context': ['https://www.w3.org/ns/credentials/v2'], credentialSubject: { title: 'Ünïcode ✓', year: 2024 } };
    const vc = await compactVerify(await signCredential(key, payload), publicKey);
    expect(vc.protectedHeader).toEqual({ alg: 'EdDSA', typ: 'vc+jwt', cty: 'vc', kid: key.kid });
    expect(new TextDecoder().decode(vc.payload)).toBe(JSON.stringify(payload));
  });
});
