import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

/** An Ed25519 identity held by a client: the private key never goes to the server. */
export interface Identity {
  kid: string;
  publicJwk: JWK;
  privateKey: CryptoKey;
}

export async function generateIdentity(): Promise<Identity & { privateJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const full = await exportJWK(publicKey);
  const publicJwk = { kty: full.kty, crv: full.crv, x: full.x } as JWK;
  const privateJwk = await exportJWK(privateKey);
  return { kid: await calculateJwkThumbprint(publicJwk, 'sha256'), publicJwk, privateKey, privateJwk };
}

export async function identityFromPrivateJwk(privateJwk: JWK): Promise<Identity> {
  const publicJwk = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x } as JWK;
  const privateKey = (await importJWK(privateJwk, 'EdDSA')) as CryptoKey;
  return { kid: await calculateJwkThumbprint(publicJwk, 'sha256'), publicJwk, privateKey };
}

/** Compact JWS over exactly these bytes (or JSON.stringify of the object). */
export async function sign(
  identity: Identity,
  payload: Record<string, unknown> | string,
  typ: string,
  extraHeader: Record<string, string> = {},
): Promise<string> {
  const bytes = new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader({ alg: 'EdDSA', typ, kid: identity.kid, ...extraHeader }).sign(identity.privateKey);
}

export interface NewAccount {
  handle: string;
  displayName: string;
  kind: 'artist' | 'organization';
  bio?: string;
  website?: string;
}

/** What an account signs at creation: its handle, kind and key, and the profile shown with it. */
export function accountProofPayload(identity: Identity, account: NewAccount, iat: number): Record<string, unknown> {
  return {
    handle: account.handle,
    kind: account.kind,
    jwk: identity.publicJwk,
    displayName: account.displayName,
    ...(account.bio !== undefined ? { bio: account.bio } : {}),
    ...(account.website !== undefined ? { website: account.website } : {}),
    iat,
  };
}

export const signCredential = (identity: Identity, payload: Record<string, unknown>) => sign(identity, payload, 'vc+jwt', { cty: 'vc' });
export const nowSeconds = () => Math.floor(Date.now() / 1000);

export class AuraApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { code?: string; detail?: string; [k: string]: unknown },
  ) {
    super(`${status} ${problem.code ?? ''}: ${problem.detail ?? 'request failed'}`);
  }
}

export interface UploadFile {
  bytes: Uint8Array;
  filename: string;
  type?: string;
}

/** A thin HTTP client for Aura's API, used by the CLI, the seeder and the tests. */
export class AuraClient {
  token: string | undefined;
  /**
   * The registry a sign-in is signed for (`aud`): its public URL. By default the URL this client talks
   * to; set it when that is not the public one (an API process behind a load balancer).
   */
  audience: string;
  constructor(
    readonly baseUrl: string,
    readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.audience = baseUrl.replace(/\/+$/, '');
  }

  // biome-ignore lint/suspicious/noExplicitAny: scripts read whatever JSON the server answered, as any client of a JSON API
  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (this.token) (init.headers as Record<string, string>).authorization = `Bearer ${this.token}`;
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await this.fetchImpl(this.baseUrl.replace(/\/$/, '') + path, init);
    const text = await res.text();
    const data = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
    if (!res.ok) throw new AuraApiError(res.status, typeof data === 'object' ? data : { detail: String(data) });
    return data as T;
  }

  form(file: UploadFile, fields: Record<string, string | number | undefined> = {}): FormData {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, String(v));
    form.set('image', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type ?? 'application/octet-stream' }), file.filename);
    return form;
  }

  async createAccount(identity: Identity, account: NewAccount, iat = nowSeconds()) {
    const request = { ...account, displayName: account.displayName.trim() };
    const proof = await sign(identity, accountProofPayload(identity, request, iat), 'aura-account+jwt');
    return this.request('POST', '/v1/accounts', { ...request, jwk: identity.publicJwk, proof });
  }

  /** The artist's file back with an embedded C2PA manifest (POST /v1/works/:id/content-credentials). */
  async contentCredentials(workId: string, file: UploadFile): Promise<{ bytes: Buffer; manifestId: string; type: string }> {
    const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    const res = await this.fetchImpl(`${this.baseUrl.replace(/\/$/, '')}/v1/works/${encodeURIComponent(workId)}/content-credentials`, {
      method: 'POST',
      headers,
      body: this.form(file),
    });
    if (!res.ok) {
      const text = await res.text();
      throw new AuraApiError(res.status, (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : { detail: text });
    }
    return {
      bytes: Buffer.from(await res.arrayBuffer()),
      manifestId: res.headers.get('c2pa-manifest-id') ?? '',
      type: res.headers.get('content-type') ?? '',
    };
  }

  async signIn(identity: Identity) {
    const { nonce } = await this.request('POST', '/v1/auth/challenge', { kid: identity.kid });
    const jws = await sign(identity, { nonce, aud: this.audience, iat: nowSeconds() }, 'aura-auth+jwt');
    const session = await this.request('POST', '/v1/auth/session', { jws });
    this.token = session.token;
    return session;
  }

  /** Revokes the session on the server (every process), then forgets the token. */
  async signOut() {
    if (this.token) await this.request('DELETE', '/v1/auth/session');
    this.token = undefined;
  }

  async registerWork(
    identity: Identity,
    file: UploadFile,
    fields: { title: string; year?: number; medium?: string; statement?: string; digitalSourceType?: string; processIds?: string[] },
  ) {
    const draft = await this.request('POST', '/v1/works/drafts', this.form(file, { ...fields, processIds: fields.processIds?.join(',') }));
    if (draft.existingWork) return { existing: true, workId: draft.existingWork.id as string, draft };
    const jws = await signCredential(identity, draft.payload);
    const receipt = await this.request('POST', '/v1/works', { draftId: draft.draftId, jws });
    return { existing: false, workId: receipt.workId as string, receipt, draft };
  }

  async addProcessImage(identity: Identity, file: UploadFile, workId?: string, note?: string) {
    const base = workId ? `/v1/works/${workId}/process` : '/v1/process';
    const draft = await this.request('POST', `${base}/drafts`, this.form(file, { note }));
    const jws = await signCredential(identity, draft.payload);
    return this.request('POST', base, { draftId: draft.draftId, jws });
  }

  async attest(identity: Identity, workId: string, input: { type: string; note?: string; date?: string }) {
    const draft = await this.request('POST', `/v1/works/${workId}/attestations/drafts`, input);
    const jws = await signCredential(identity, draft.payload);
    return this.request('POST', `/v1/works/${workId}/attestations`, { draftId: draft.draftId, jws });
  }

  async action(identity: Identity, path: string, payload: Record<string, unknown>) {
    const jws = await sign(identity, { ...payload, iat: nowSeconds() }, 'aura-action+jwt');
    return this.request('POST', path, { jws });
  }

  revokeWork = (identity: Identity, workId: string, reason?: string) =>
    this.action(identity, `/v1/works/${workId}/revoke`, { action: 'work.revoke', workId, ...(reason ? { reason } : {}) });
  dispute = (identity: Identity, workId: string, reason: string, text: string) =>
    this.action(identity, `/v1/works/${workId}/disputes`, { action: 'work.dispute', workId, reason, text });
  revokeAttestation = (identity: Identity, attestationId: string) =>
    this.action(identity, `/v1/attestations/${attestationId}/revoke`, { action: 'attestation.revoke', attestationId });

  async addKey(signer: Identity, handle: string, newKey: Identity) {
    const jws = await sign(signer, { action: 'key.add', handle, kid: newKey.kid, iat: nowSeconds() }, 'aura-action+jwt');
    return this.request('POST', `/v1/accounts/${handle}/keys`, { jwk: newKey.publicJwk, jws });
  }

  revokeKey = (signer: Identity, kid: string) => this.action(signer, `/v1/keys/${kid}/revoke`, { action: 'key.revoke', kid });

  verify = (file: UploadFile) => this.request('POST', '/v1/verify', this.form(file));
}
