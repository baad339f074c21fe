import { compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { AppError } from '../errors.ts';
import { importPublicKey, type PublicJwk } from './jwk.ts';

/** The `typ` of every compact JWS Aura accepts, each for one purpose so a signature cannot be replayed as another. */
export const JWS_TYPES = {
  credential: 'vc+jwt',
  auth: 'aura-auth+jwt',
  account: 'aura-account+jwt',
  action: 'aura-action+jwt',
} as const;

export interface VerifiedJws {
  kid: string;
  header: ProtectedHeaderParameters;
  payloadBytes: Uint8Array;
  payload: Record<string, unknown>;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const EMBEDDED_KEY_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

/**
 * Step 1 of every signature check: the header must be EdDSA with the expected `typ` and a `kid`,
 * and must not carry a key of its own (keys come only from the account).
 */
export function readSignedHeader(jws: string, typ: string): ProtectedHeaderParameters & { kid: string } {
  if (!COMPACT_JWS.test(jws)) throw new AppError('invalid_signature', 'not a compact JWS');
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(jws) as ProtectedHeaderParameters;
  } catch {
    throw new AppError('invalid_signature', 'the JWS header is not valid JSON');
  }
  if (header.alg !== 'EdDSA') throw new AppError('invalid_signature', `alg must be EdDSA, got ${String(header.alg)}`);
  if (header.typ !== typ) throw new AppError('invalid_signature', `typ must be ${typ}, got ${String(header.typ)}`);
  if (typeof header.kid !== 'string' || !header.kid) throw new AppError('invalid_signature', 'the JWS header has no kid');
  for (const name of EMBEDDED_KEY_HEADERS) {
    if (name in header) throw new AppError('invalid_signature', `a key in the JWS header (${name}) is not accepted`);
  }
  if (header.crit !== undefined) throw new AppError('invalid_signature', 'crit header parameters are not supported');
  return header as ProtectedHeaderParameters & { kid: string };
}

/** Step 2: the signature verifies under the given key (EdDSA only) and the payload is a JSON object. */
export async function verifyWithKey(jws: string, jwk: PublicJwk, typ: string): Promise<VerifiedJws> {
  const header = readSignedHeader(jws, typ);
  let payloadBytes: Uint8Array;
  try {
    const key = await importPublicKey(jwk);
    ({ payload: payloadBytes } = await compactVerify(jws, key, { algorithms: ['EdDSA'] }));
  } catch {
    throw new AppError('invalid_signature', 'the signature does not verify with the key it names');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    throw new AppError('invalid_signature', 'the signed payload is not JSON');
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new AppError('invalid_signature', 'the signed payload must be a JSON object');
  }
  return { kid: header.kid, header, payloadBytes, payload: payload as Record<string, unknown> };
}
