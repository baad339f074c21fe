import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, generateKeyPairSync, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AppError } from '../errors.ts';
import { exportLogKey, parseLogKey } from '../log/keys.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** C2PA's own claim-signing EKU, and the IETF document-signing EKU that the C2PA trust model accepts. */
export const C2PA_CLAIM_SIGNING_EKU = '1.3.6.1.4.1.62558.2.1';
export const DOCUMENT_SIGNING_EKU = '1.3.6.1.5.5.7.3.36';
const EMAIL_PROTECTION_EKU = '1.3.6.1.5.5.7.3.4';

export const C2PA_SIGNER_FILE = 'c2pa-signer.json';
export const C2PA_IDENTITY_KEY_FILE = 'c2pa-identity-key.json';

export type C2paSigningAlg = 'es256' | 'es384' | 'es512' | 'ed25519';

export interface C2paSigningCredentials {
  /** The end-entity certificate first, then its issuers (the order of the COSE x5chain). */
  chain: x509.X509Certificate[];
  privateKey: KeyObject;
  alg: C2paSigningAlg;
  /** The certificates a validator adds to its trust list: the registry CA, or the operator's top certificate. */
  trustAnchorsPem: string;
  /** Ed25519 key the registry signs CAWG identity claims aggregation credentials with (issuer did:jwk). */
  identityKey: KeyObject;
  source: 'environment' | 'file' | 'created';
}

interface SignerFile {
  caCertificate: string;
  caPrivateKey: string;
  certificate: string;
  privateKey: string;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/**
 * The operator's certificate chain and key (AURA_C2PA_CERT / AURA_C2PA_KEY) if given; otherwise a registry
 * CA and an end-entity certificate kept in `${dataDir}/c2pa-signer.json`, created (mode 0600) on first start.
 */
export async function loadOrCreateC2paCredentials(options: {
  envCert: string | undefined;
  envKey: string | undefined;
  dataDir: string;
  commonName: string;
  now?: Date;
}): Promise<C2paSigningCredentials> {
  const identityKey = loadOrCreateIdentityKey(options.dataDir);
  if (options.envCert && options.envKey) return { ...fromPem(options.envCert, options.envKey), identityKey, source: 'environment' };
  const file = path.join(options.dataDir, C2PA_SIGNER_FILE);
  if (fs.existsSync(file)) return { ...fromFile(fs.readFileSync(file, 'utf8')), identityKey, source: 'file' };
  fs.mkdirSync(options.dataDir, { recursive: true });
  const created = await createRegistryChain(options.commonName, options.now ?? new Date());
  try {
    fs.writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { ...fromFile(fs.readFileSync(file, 'utf8')), identityKey, source: 'file' };
  }
  return { ...fromFile(JSON.stringify(created)), identityKey, source: 'created' };
}

/** A registry CA (10 years) and an end-entity claim-signing certificate it issued (2 years), both P-256. */
export async function createRegistryChain(commonName: string, now: Date): Promise<SignerFile> {
  const caKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const eeKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const name = (cn: string) => `CN=${cn.replace(/[,=+<>#;"\\]/g, ' ')}, O=Aura registry`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: name(`${commonName} C2PA CA`),
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 3650 * DAY),
    keys: caKeys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const ee = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: name(`${commonName} C2PA claim signer`),
    issuer: ca.subject,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 730 * DAY),
    signingKey: caKeys.privateKey,
    publicKey: eeKeys.publicKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([C2PA_CLAIM_SIGNING_EKU, DOCUMENT_SIGNING_EKU, EMAIL_PROTECTION_EKU]),
      await x509.SubjectKeyIdentifierExtension.create(eeKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const pkcs8Pem = async (key: CryptoKey) => x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
  return {
    caCertificate: ca.toString('pem'),
    caPrivateKey: await pkcs8Pem(caKeys.privateKey),
    certificate: ee.toString('pem'),
    privateKey: await pkcs8Pem(eeKeys.privateKey),
  };
}

function fromFile(text: string): Omit<C2paSigningCredentials, 'identityKey' | 'source'> {
  const file = JSON.parse(text) as SignerFile;
  const chain = [new x509.X509Certificate(file.certificate), new x509.X509Certificate(file.caCertificate)];
  return { chain, privateKey: createPrivateKey(file.privateKey), alg: 'es256', trustAnchorsPem: `${file.caCertificate.trim()}\n` };
}

function fromPem(certPem: string, keyPem: string): Omit<C2paSigningCredentials, 'identityKey' | 'source'> {
  let chain: x509.X509Certificate[];
  let privateKey: KeyObject;
  try {
    chain = x509.PemConverter.decode(certPem).map((der) => new x509.X509Certificate(der));
    privateKey = createPrivateKey(keyPem.trim().startsWith('-----BEGIN') ? keyPem : Buffer.from(keyPem, 'base64').toString('utf8'));
  } catch (err) {
    throw new AppError(
      'internal',
      `AURA_C2PA_CERT / AURA_C2PA_KEY are not a readable PEM certificate chain and private key: ${(err as Error).message}`,
    );
  }
  if (chain.length === 0) throw new AppError('internal', 'AURA_C2PA_CERT holds no certificate');
  const top = chain[chain.length - 1]!;
  return { chain, privateKey, alg: algorithmOf(privateKey), trustAnchorsPem: `${top.toString('pem')}\n` };
}

function algorithmOf(key: KeyObject): C2paSigningAlg {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'es256';
    if (curve === 'secp384r1') return 'es384';
    if (curve === 'secp521r1') return 'es512';
  }
  throw new AppError('internal', 'AURA_C2PA_KEY must be an EC (P-256, P-384, P-521) or Ed25519 private key');
}

function loadOrCreateIdentityKey(dataDir: string): KeyObject {
  const file = path.join(dataDir, C2PA_IDENTITY_KEY_FILE);
  if (fs.existsSync(file)) return parseLogKey(fs.readFileSync(file, 'utf8'));
  fs.mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    fs.writeFileSync(file, `${exportLogKey(privateKey)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseLogKey(fs.readFileSync(file, 'utf8'));
  }
  return privateKey;
}

const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
