import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  C2PA_CLAIM_SIGNING_EKU,
  C2PA_SIGNER_FILE,
  createRegistryChain,
  DOCUMENT_SIGNING_EKU,
  loadOrCreateC2paCredentials,
} from '../../api/content-credentials/signing-credentials.ts';
import { credentialImage } from '../../api/content-credentials/manifest.ts';
import { readContentCredentials } from '../../api/content-credentials/read.ts';
import { loadConfig, ConfigError } from '../../api/config.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-c2pa-cert-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const work = {
  id: 'w-1',
  title: 'T',
  digitalSourceType: 'physicalArtwork',
  pdq: 'ab'.repeat(32),
  registeredAt: new Date('2026-01-01T00:00:00Z'),
  artist: { handle: 'ann', displayName: 'Ann', kid: 'k'.repeat(43), keyAddedAt: new Date('2026-01-01T00:00:00Z') },
  bundle: { work: { id: 'w-1', entry: { index: 4 } } } as never,
};
const registry = { publicUrl: 'https://aura.example', name: 'Aura', version: '0.1.0' };

describe('the registry C2PA signing certificate', () => {
  it('is an end-entity certificate with the C2PA EKUs, issued by a separate registry CA', async () => {
    const chain = await createRegistryChain('aura.example', new Date());
    const ee = new x509.X509Certificate(chain.certificate);
    const ca = new x509.X509Certificate(chain.caCertificate);
    expect(ee.issuer).toBe(ca.subject);
    expect(ee.subject).not.toBe(ee.issuer);
    expect(await ee.verify({ publicKey: ca.publicKey, signatureOnly: true })).toBe(true);
    expect(ee.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(ca.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
    expect(ee.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual(
      expect.arrayContaining([C2PA_CLAIM_SIGNING_EKU, DOCUMENT_SIGNING_EKU]),
    );
    expect(ee.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(ee.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
  });

  it('is created once in the data directory (mode 0600) and read back on the next start', async () => {
    const dataDir = tempDir();
    const first = await loadOrCreateC2paCredentials({ envCert: undefined, envKey: undefined, dataDir, commonName: 'aura.example' });
    const second = await loadOrCreateC2paCredentials({ envCert: undefined, envKey: undefined, dataDir, commonName: 'aura.example' });
    expect(first.source).toBe('created');
    expect(second.source).toBe('file');
    expect(second.chain[0]!.serialNumber).toBe(first.chain[0]!.serialNumber);
    expect(fs.statSync(path.join(dataDir, C2PA_SIGNER_FILE)).mode & 0o777).toBe(0o600);
    expect(first.trustAnchorsPem).toBe(`${first.chain[1]!.toString('pem')}\n`);
  });

  it('uses an operator’s chain and key from AURA_C2PA_CERT / AURA_C2PA_KEY, and c2pa-rs validates what it signs', async () => {
    const operator = await createRegistryChain('Operator CA', new Date());
    const credentials = await loadOrCreateC2paCredentials({
      envCert: operator.certificate + operator.caCertificate,
      envKey: operator.privateKey,
      dataDir: tempDir(),
      commonName: 'ignored',
    });
    expect(credentials.source).toBe('environment');
    expect(credentials.alg).toBe('es256');
    expect(credentials.chain.map((c) => c.subject)).toEqual([
      new x509.X509Certificate(operator.certificate).subject,
      new x509.X509Certificate(operator.caCertificate).subject,
    ]);
    const png = await renderArtwork(3);
    const { asset } = await credentialImage(png, 'image/png', work, registry, credentials, new Date());
    const read = await readContentCredentials(asset);
    expect(read.failures.map((f) => f.code)).toEqual(['signingCredential.untrusted']);
    expect(read.activeManifest?.signer?.commonName).toBe('Operator CA C2PA claim signer');
    expect(read.activeManifest?.actions[0]?.digitalSourceType).toBe('http://cv.iptc.org/newscodes/digitalsourcetype/physicalArtwork');
    expect((await sharp(asset).raw().toBuffer()).equals(await sharp(png).raw().toBuffer())).toBe(true);
  });

  it('config takes both variables or neither', () => {
    const base = { AURA_DATA_DIR: tempDir() };
    expect(() => loadConfig({ ...base, AURA_C2PA_CERT: '-----BEGIN CERTIFICATE-----\nx' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, AURA_C2PA_KEY: '-----BEGIN PRIVATE KEY-----\nx' })).toThrow(/both AURA_C2PA_CERT and AURA_C2PA_KEY/);
    expect(() => loadConfig({ ...base, AURA_C2PA_CERT: 'not a pem', AURA_C2PA_KEY: '-----BEGIN PRIVATE KEY-----' })).toThrow(
      /AURA_C2PA_CERT/,
    );
  });
});
