import { calculateJwkThumbprint, importJWK, type CryptoKey } from 'jose';
import { z } from 'zod';

/** An Ed25519 public key as JWK. A private member (`d`) is refused: the server never holds private keys. */
export const publicJwkSchema = z
  .object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url Ed25519 public key'),
  })
  .loose()
  .refine((jwk) => !('d' in jwk), { message: 'a private key (d) must never be sent to the server', path: ['d'] })
  .transform(({ kty, crv, x }) => ({ kty, crv, x }))
  .meta({ id: 'PublicJwk', description: 'Ed25519 public key (RFC 8037)' });

export type PublicJwk = z.output<typeof publicJwkSchema>;

/** RFC 7638 thumbprint, the key's `kid` everywhere in Aura. */
export const thumbprint = (jwk: PublicJwk): Promise<string> => calculateJwkThumbprint(jwk, 'sha256');

export async function importPublicKey(jwk: PublicJwk): Promise<CryptoKey> {
  return (await importJWK(jwk, 'EdDSA')) as CryptoKey;
}
