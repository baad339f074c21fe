import { createPublicKey } from 'node:crypto';
import { AURA_PDQ_ALG, encodePdqBindingValue } from '../matching/soft-binding.ts';
import type { ProofBundle } from '../bundle/format.ts';
import { termUri } from '../works/source-types.ts';
import { BytesBlob, c2paWasm } from './c2pa-wasm.ts';
import { signClaim, signCredentialWithCose } from './cose.ts';
import type { C2paSigningCredentials } from './signing-credentials.ts';

/** Label of Aura's own assertion: the work's offline proof bundle, so the file alone can be checked. */
export const AURA_ASSERTION = 'com.aura.registration';
export const AURA_ASSERTION_FORMAT = 'aura-c2pa/1';
export const ICA_SIG_TYPE = 'cawg.identity_claims_aggregation';
/** Room for the claim's COSE_Sign1 beyond its certificate chain (headers, signature, padding). */
const CLAIM_SIGNATURE_OVERHEAD = 1_536;
const IDENTITY_RESERVE = 6_144;

export interface CredentialedWork {
  id: string;
  title: string;
  /** Bare IPTC term, e.g. `digitalCreation`. */
  digitalSourceType: string;
  pdq: string;
  registeredAt: Date;
  artist: { handle: string; displayName: string; kid: string; keyAddedAt: Date };
  bundle: ProofBundle;
}

export interface RegistryInfo {
  publicUrl: string;
  name: string;
  version: string;
}

export interface CredentialedAsset {
  asset: Uint8Array;
  /** The manifest store (JUMBF) c2pa-rs embedded; served at /manifests/{id}. */
  manifestStore: Uint8Array;
}

/** The manifest definition c2pa-rs builds the claim from (pure: every value comes from the work). */
export function manifestDefinition(work: CredentialedWork, registry: RegistryInfo, format: string) {
  const workUrl = `${registry.publicUrl}/v1/works/${work.id}`;
  return {
    claim_generator_info: [{ name: registry.name, version: registry.version }],
    title: work.title,
    format,
    assertions: [
      {
        label: 'c2pa.actions.v2',
        data: {
          actions: [
            {
              action: 'c2pa.created',
              digitalSourceType: termUri(work.digitalSourceType),
              softwareAgent: { name: registry.name, version: registry.version },
              when: work.registeredAt.toISOString(),
              description: `Registered by @${work.artist.handle} at ${workUrl}`,
            },
          ],
        },
      },
      {
        label: 'c2pa.soft-binding',
        data: {
          alg: AURA_PDQ_ALG,
          blocks: [{ scope: {}, value: encodePdqBindingValue(work.pdq) }],
          // The Soft Binding Resolution API of this registry: /matches/byBinding, /manifests/{id}.
          url: registry.publicUrl,
        },
      },
      {
        label: AURA_ASSERTION,
        data: { format: AURA_ASSERTION_FORMAT, workId: work.id, workUrl, bundle: work.bundle },
      },
    ],
  };
}

/**
 * The CAWG identity claims aggregation credential: the registry (issuer, did:jwk of its identity key)
 * states that it verified the artist's control of the key that signed the work's credential.
 */
export function identityCredential(
  work: CredentialedWork,
  registry: RegistryInfo,
  issuer: string,
  signerPayload: { referencedAssertions: { url: string; hash: Uint8Array; alg?: string }[]; sigType: string; roles?: string[] },
  now: Date,
): Record<string, unknown> {
  const accountUrl = `${registry.publicUrl}/v1/accounts/${encodeURIComponent(work.artist.handle)}`;
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://cawg.io/identity/1.1/ica/context/'],
    type: ['VerifiableCredential', 'IdentityClaimsAggregationCredential'],
    issuer,
    validFrom: now.toISOString(),
    credentialSubject: {
      id: accountUrl,
      verifiedIdentities: [
        {
          type: 'cawg.social_media',
          name: work.artist.displayName,
          username: work.artist.handle,
          uri: accountUrl,
          verifiedAt: work.artist.keyAddedAt.toISOString(),
          provider: { id: registry.publicUrl, name: registry.name },
        },
      ],
      c2paAsset: {
        referenced_assertions: signerPayload.referencedAssertions.map((a) => ({
          url: a.url,
          hash: Buffer.from(a.hash).toString('base64'),
          ...(a.alg ? { alg: a.alg } : {}),
        })),
        sig_type: signerPayload.sigType,
        ...(signerPayload.roles?.length ? { role: signerPayload.roles } : {}),
      },
    },
    // W3C VC 2.0 `evidence`: what the registry checked before issuing this credential.
    evidence: [
      {
        type: ['AuraKeyControlEvidence'],
        verifiedClaim: `@${work.artist.handle} controls the key ${work.artist.kid}, which signed the work's credential`,
        keyId: work.artist.kid,
        work: `${registry.publicUrl}/v1/works/${work.id}`,
        credential: `${registry.publicUrl}/v1/works/${work.id}/bundle`,
        logEntry: { index: work.bundle.work.entry.index, url: `${registry.publicUrl}/v1/log/entries/${work.bundle.work.entry.index}` },
      },
    ],
  };
}

/**
 * did:jwk of an Ed25519 public key: resolvable offline. The JSON is padded with trailing spaces to a
 * multiple of 3 bytes so its base64url has no '=' to drop: c2pa-rs decodes it with a padded decoder.
 */
export function didJwk(credentials: C2paSigningCredentials): string {
  const { kty, crv, x } = createPublicKey(credentials.identityKey).export({ format: 'jwk' });
  let json = JSON.stringify({ kty, crv, x });
  while (json.length % 3 !== 0) json += ' ';
  return `did:jwk:${Buffer.from(json).toString('base64url')}`;
}

/** Embeds a manifest in `image` (same pixels, same format), signed by c2pa-rs with the registry's chain. */
export async function credentialImage(
  image: Uint8Array,
  mimeType: string,
  work: CredentialedWork,
  registry: RegistryInfo,
  credentials: C2paSigningCredentials,
  now: Date,
): Promise<CredentialedAsset> {
  const { WasmBuilder } = c2paWasm();
  const builder = WasmBuilder.fromJson(JSON.stringify(manifestDefinition(work, registry, mimeType)));
  try {
    const issuer = didJwk(credentials);
    const identity = {
      sigType: ICA_SIG_TYPE,
      reserveSize: IDENTITY_RESERVE,
      referencedAssertions: ['c2pa.actions.v2', 'c2pa.soft-binding', AURA_ASSERTION],
      roles: ['cawg.creator'],
      sign: async (payload: Parameters<typeof identityCredential>[3]) =>
        signCredentialWithCose(credentials.identityKey, identityCredential(work, registry, issuer, payload, now)),
    };
    const reserveSize = credentials.chain.reduce((n, c) => n + c.rawData.byteLength, CLAIM_SIGNATURE_OVERHEAD);
    const signer = {
      alg: credentials.alg,
      reserveSize,
      sign: async (claim: Uint8Array) => signClaim(credentials, claim, reserveSize),
    };
    const result = (await builder.signAndGetManifestBytes(signer as never, [identity], mimeType, new BytesBlob(image).asBlob())) as {
      asset: Uint8Array;
      manifest: Uint8Array;
    };
    return { asset: result.asset, manifestStore: result.manifest };
  } finally {
    builder.free();
  }
}
