import { sign as nodeSign, type KeyObject } from 'node:crypto';
import { Algorithms, Signature } from '@trustnxt/c2pa-ts/cose';
import { CBORBox } from '@trustnxt/c2pa-ts/jumbf';
import { Encoder } from 'cbor-x';
import type { C2paSigningAlg, C2paSigningCredentials } from './signing-credentials.ts';

/** COSE algorithm identifiers (IANA) of the algorithms Aura signs with. */
const COSE_ALG: Record<C2paSigningAlg, number> = { es256: -7, es384: -35, es512: -36, ed25519: -8 };
const HASH: Record<C2paSigningAlg, string | null> = { es256: 'sha256', es384: 'sha384', es512: 'sha512', ed25519: null };
const COSE_SIGN1_TAG = 0xd2; // CBOR tag 18, one byte

/** A raw signature as COSE wants it: ECDSA in IEEE P1363 (r‖s), never DER. */
export function rawSign(alg: C2paSigningAlg, key: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(HASH[alg], data, { key, dsaEncoding: 'ieee-p1363' }));
}

const tagged = (encoded: Uint8Array): Uint8Array => {
  const out = new Uint8Array(encoded.length + 1);
  out[0] = COSE_SIGN1_TAG;
  out.set(encoded, 1);
  return out;
};

/**
 * The claim signature c2pa-rs asks its signer for (it hands JavaScript signers the whole COSE step): a
 * tagged COSE_Sign1 with a detached payload and the certificate chain in `x5chain`, built by
 * @trustnxt/c2pa-ts and padded to exactly the size c2pa-rs reserved in the file.
 */
export async function signClaim(credentials: C2paSigningCredentials, claim: Uint8Array, reserveSize: number): Promise<Uint8Array> {
  const signature = new Signature();
  const algorithm = Algorithms.getAlgorithm(COSE_ALG[credentials.alg] as never);
  const [certificate] = credentials.chain;
  if (!algorithm || !certificate)
    throw new Error(`signing credentials unusable: ${algorithm ? 'empty certificate chain' : `no COSE algorithm for ${credentials.alg}`}`);
  signature.algorithm = algorithm;
  signature.certificate = certificate;
  signature.chainCertificates = credentials.chain.slice(1);
  signature.writeJUMBFData(); // fixes the protected header the signature covers
  const signer = {
    algorithm: COSE_ALG[credentials.alg],
    certificate: credentials.chain[0]!,
    chainCertificates: credentials.chain.slice(1),
    sign: async (toBeSigned: Uint8Array) => rawSign(credentials.alg, credentials.privateKey, toBeSigned),
  };
  await signature.sign(signer as Parameters<Signature['sign']>[0], claim);
  const encode = (padding: number) => {
    signature.paddingLength = padding;
    return tagged(CBORBox.encoder.encode(signature.writeJUMBFData()));
  };
  let bytes = encode(0);
  let padding = reserveSize - bytes.length;
  if (padding < 0) throw new Error(`the claim signature (${bytes.length} bytes) does not fit the ${reserveSize} bytes reserved`);
  // The pad's CBOR length prefix grows with it, so settle the size in a few steps.
  for (let i = 0; i < 4; i++) {
    bytes = encode(padding);
    if (bytes.length === reserveSize) return bytes;
    padding -= bytes.length - reserveSize;
  }
  throw new Error('could not pad the claim signature to the reserved size');
}

/** Plain CBOR: byte strings untagged, maps as maps (integer labels kept), no cbor-x extensions. */
const coseEncoder = new Encoder({ useRecords: false, tagUint8Array: false, useTag259ForMaps: false } as ConstructorParameters<
  typeof Encoder
>[0]);

/**
 * A W3C VC secured with COSE (VC-JOSE-COSE §3.3.1) as the CAWG identity claims aggregation form wants it:
 * tagged COSE_Sign1, EdDSA, content type `application/vc`, the credential's JSON as the attached payload.
 */
export function signCredentialWithCose(key: KeyObject, credential: Record<string, unknown>): Uint8Array {
  const encoder = coseEncoder;
  const protectedHeader = encoder.encode(
    new Map<number, unknown>([
      [1, -8],
      [3, 'application/vc'],
    ]),
  );
  const payload = new TextEncoder().encode(JSON.stringify(credential));
  const toBeSigned = encoder.encode(['Signature1', protectedHeader, new Uint8Array(0), payload]);
  const signature = new Uint8Array(nodeSign(null, toBeSigned, key));
  return tagged(encoder.encode([protectedHeader, new Map(), payload, signature]));
}
