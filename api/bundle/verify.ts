import { createHash } from 'node:crypto';
import { verifyWithKey } from '../identity/signatures.ts';
import { JWS_TYPES } from '../identity/signatures.ts';
import { thumbprint, publicJwkSchema, type PublicJwk } from '../identity/jwk.ts';
import { canonicalJson } from '../log/canonical.ts';
import { toBase64Url } from '../log/verify/bytes.ts';
import { fail } from '../log/verify/errors.ts';
import {
  checkInclusionProof,
  VerificationError,
  verifyCheckpoint,
  verifyEntryBody,
  type NoteVerifier,
  parseVerifierKey,
  type VerifiedCheckpoint,
  type VerifiedEntry,
} from '../log/verify/index.ts';
import { bundleSchema, type ProofBundle, type ProvenEntry } from './format.ts';
import { OPERATOR_JWS_TYPE } from '../trust/operator-key.ts';
import { computeEvidenceLevel, EVIDENCE_LEVELS } from '../works/evidence-level.ts';

export interface StepResult {
  step: string;
  ok: boolean;
  detail: string;
  code?: string;
}

interface KeyState {
  jwk: PublicJwk;
  account: string;
  addedAt: number;
  revokedAt: number | undefined;
}

/** The state the pipeline builds up, step by step. */
interface Context {
  bundle: ProofBundle;
  verifier: NoteVerifier;
  checkpoint: VerifiedCheckpoint;
  entries: Map<ProvenEntry, VerifiedEntry>;
  keys: Map<string, KeyState>;
  workPayload: Record<string, unknown>;
  /** Valid, unrevoked attestations: issuer account id and handle. */
  activeAttestations: Array<{ id: string; accountId: string; handle: string }>;
  /** Organisations verified (and not withdrawn) at the checkpoint by a trusted operator key: account id → how. */
  verifiedOrganizations: Map<string, { handle: string; index: number; kid: string; since: string }>;
  /** Attestations that raise the work to level 3. */
  counting: Array<{ handle: string; kid: string; index: number; since: string }>;
}

export interface VerifyOptions {
  /** Pin the registry's note verifier key instead of trusting the one inside the bundle. */
  trustedVkey?: string;
  /**
   * The viewer's own trust list: operator keys whose verification of an organisation makes its attestations count.
   * Without one, the operator key in the bundle is used, and the result says so.
   */
  trustedOperatorKeys?: PublicJwk[];
  /** Compares an image with the registered one; returns a description or throws a VerificationError. */
  checkImage?: (subject: { sha256: string; pdq: string }) => Promise<string>;
}

/** Verifies a proof bundle with no network: each step either passes or fails with a coded error. */
export async function verifyBundle(input: unknown, options: VerifyOptions = {}): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const ctx = {} as Context;
  const steps: Array<[string, () => Promise<string> | string]> = [
    ['bundle format', () => parseBundle(ctx, input)],
    ['checkpoint signature', () => checkCheckpoint(ctx, options.trustedVkey)],
    ['inclusion proofs', () => checkInclusion(ctx)],
    ['key history', () => checkKeyHistory(ctx)],
    ['work credential', () => checkWork(ctx)],
    ['attestations', () => checkAttestations(ctx)],
    ['revocation and disputes', () => checkRevocationAndDisputes(ctx)],
    ['process evidence', () => checkProcess(ctx)],
    ['organisations', () => checkOrganizations(ctx, options.trustedOperatorKeys)],
    ['evidence level', () => evidenceLevel(ctx, options.trustedOperatorKeys !== undefined)],
  ];
  if (options.checkImage) {
    const check = options.checkImage;
    steps.push(['image', () => check(ctx.workPayload.credentialSubject as { sha256: string; pdq: string })]);
  }
  for (const [step, run] of steps) {
    try {
      results.push({ step, ok: true, detail: await run() });
    } catch (err) {
      const e = err instanceof VerificationError ? err : new VerificationError('unexpected', (err as Error).message);
      results.push({ step, ok: false, detail: e.message, code: e.code });
      break; // later steps rely on earlier ones
    }
  }
  return results;
}

function parseBundle(ctx: Context, input: unknown): string {
  const parsed = bundleSchema.safeParse(input);
  if (!parsed.success)
    fail('bundle_malformed', `not an Aura proof bundle: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  ctx.bundle = parsed.data!;
  ctx.entries = new Map();
  for (const p of allEntries(ctx.bundle)) ctx.entries.set(p, verifyEntryBody(p));
  return `work ${ctx.bundle.work.id}, ${ctx.entries.size} log entries`;
}

async function checkCheckpoint(ctx: Context, trustedVkey: string | undefined): Promise<string> {
  const vkey = trustedVkey ?? ctx.bundle.registry.vkey;
  if (trustedVkey && trustedVkey !== ctx.bundle.registry.vkey)
    fail('vkey_mismatch', 'the bundle names a different log key than the one you trust');
  ctx.verifier = parseVerifierKey(vkey);
  ctx.checkpoint = await verifyCheckpoint(ctx.bundle.checkpoint, ctx.verifier);
  if (ctx.bundle.registry.origin !== ctx.verifier.name) fail('checkpoint_malformed', 'the registry origin differs from the log key name');
  const x = toBase64Url(ctx.verifier.publicKey);
  const kid = await thumbprint({ kty: 'OKP', crv: 'Ed25519', x });
  const published = ctx.bundle.registry.jwks.keys.some(
    (k) => k.kty === 'OKP' && k.crv === 'Ed25519' && k.x === x && k.kid === kid && k.use === 'sig' && k.alg === 'EdDSA',
  );
  if (!published) fail('vkey_mismatch', 'the JWKS in the bundle does not hold the log key as published (kty, crv, x, kid, use, alg)');
  return `tree size ${ctx.checkpoint.size} signed by ${ctx.verifier.name}${trustedVkey ? ' (pinned key)' : ` (key in the bundle: ${vkey}; compare it with the registry's published key)`}`;
}

function checkInclusion(ctx: Context): string {
  for (const [p, e] of ctx.entries) checkInclusionProof(e, { index: p.index, ...p.inclusionProof }, ctx.checkpoint);
  return `${ctx.entries.size} entries included in the signed tree`;
}

/** Replays the key events in log order: which key belonged to which account, and when it was active. */
async function checkKeyHistory(ctx: Context): Promise<string> {
  ctx.keys = new Map();
  const events = ctx.bundle.keyHistory.map((p) => ctx.entries.get(p)!).sort((a, b) => a.index - b.index);
  for (const e of events) {
    const type = e.entry.type;
    const account =
      (e.entry.account as { handle?: string } | undefined)?.handle ?? fail('key_history_invalid', `entry ${e.index}: no account`);
    if (type === 'account.created') continue;
    const kid = String(e.entry.kid);
    if (type === 'key.added') {
      const jwk = publicJwkSchema.safeParse(e.entry.jwk);
      if (!jwk.success || (await thumbprint(jwk.data)) !== kid) fail('key_history_invalid', `entry ${e.index}: kid does not match its key`);
      const signer = typeof e.entry.signedBy === 'string' ? activeKey(ctx, e.entry.signedBy, account, e.index) : jwk.data!;
      const typ = e.entry.signedBy ? JWS_TYPES.action : JWS_TYPES.account;
      await verifyWithKey(String(e.entry.jws), signer, typ).catch(() =>
        fail('key_history_invalid', `entry ${e.index}: the key event is not signed by the account`),
      );
      ctx.keys.set(kid, { jwk: jwk.data!, account, addedAt: e.index, revokedAt: undefined });
    } else if (type === 'key.revoked') {
      const key = ctx.keys.get(kid) ?? fail('key_history_invalid', `entry ${e.index}: revokes an unknown key`);
      await verifyWithKey(String(e.entry.jws), activeKey(ctx, String(e.entry.signedBy), account, e.index), JWS_TYPES.action).catch(() =>
        fail('key_history_invalid', `entry ${e.index}: the revocation is not signed by the account`),
      );
      key.revokedAt = e.index;
    } else {
      fail('key_history_invalid', `entry ${e.index}: unexpected type ${String(type)}`);
    }
  }
  return `${ctx.keys.size} keys, ${[...ctx.keys.values()].filter((k) => k.revokedAt !== undefined).length} revoked`;
}

/** The key `kid` of `account`, active at log position `index` (added before it, not revoked before it). */
function activeKey(ctx: Context, kid: string, account: string, index: number): PublicJwk {
  const key = ctx.keys.get(kid);
  if (!key || key.account !== account) return fail('key_unknown', `key ${kid} is not a key of @${account} in the bundle's key history`);
  if (key.addedAt >= index || (key.revokedAt !== undefined && key.revokedAt < index)) {
    fail('key_not_active', `key ${kid} was not active at log entry ${index}`);
  }
  return key.jwk;
}

async function signedEntry(ctx: Context, p: ProvenEntry, type: string, typ: string) {
  const e = ctx.entries.get(p)!;
  if (e.entry.type !== type) fail('entry_type_mismatch', `entry ${e.index} is ${String(e.entry.type)}, expected ${type}`);
  const account = String((e.entry.account as { handle?: string } | undefined)?.handle);
  const kid = String(e.entry.kid);
  const jwk = activeKey(ctx, kid, account, e.index);
  const verified = await verifyWithKey(String(e.entry.jws), jwk, typ).catch(() =>
    fail('signature_invalid', `entry ${e.index}: the signature does not verify with key ${kid}`),
  );
  if (verified.kid !== kid) fail('signature_invalid', `entry ${e.index}: signed by ${verified.kid}, entry names ${kid}`);
  return { entry: e, account, payload: verified.payload };
}

async function checkWork(ctx: Context): Promise<string> {
  const { entry, account, payload } = await signedEntry(ctx, ctx.bundle.work.entry, 'work.registered', JWS_TYPES.credential);
  if (entry.entry.jws !== ctx.bundle.work.credential)
    fail('credential_mismatch', 'the work credential differs from the one in its log entry');
  if (entry.entry.workId !== ctx.bundle.work.id) fail('credential_mismatch', 'the log entry is about another work');
  const types = payload.type as string[] | undefined;
  if (!types?.includes('HumanMadeWorkCredential')) fail('credential_invalid', 'not a HumanMadeWorkCredential');
  if (payload.issuer !== `${ctx.bundle.registry.url}/@${account}`)
    fail('credential_invalid', `the credential's issuer is not @${account} at ${ctx.bundle.registry.url}`);
  ctx.workPayload = payload;
  const subject = payload.credentialSubject as { title?: string; sha256?: string };
  return `"${subject.title}" signed by @${account} with a key active when logged at index ${entry.index}`;
}

async function checkAttestations(ctx: Context): Promise<string> {
  const workHash = createHash('sha256').update(ctx.bundle.work.credential).digest('hex');
  const lines: string[] = [];
  ctx.activeAttestations = [];
  for (const a of ctx.bundle.attestations) {
    const { entry, account, payload } = await signedEntry(ctx, a.entry, 'attestation.issued', JWS_TYPES.credential);
    if (entry.entry.jws !== a.credential || entry.entry.attestationId !== a.id)
      fail('credential_mismatch', `attestation ${a.id} differs from its log entry`);
    const subject = payload.credentialSubject as { workCredentialSha256?: string; attestationType?: string };
    if (subject.workCredentialSha256 !== workHash) fail('attestation_unbound', `attestation ${a.id} references another work credential`);
    let status = 'valid';
    if (a.revocation) {
      await signedEntry(ctx, a.revocation, 'attestation.revoked', JWS_TYPES.action);
      status = 'revoked';
    } else {
      ctx.activeAttestations.push({
        id: a.id,
        accountId: String((entry.entry.account as { id?: string } | undefined)?.id),
        handle: account,
      });
    }
    lines.push(`${subject.attestationType} by @${account} (${status})`);
  }
  return lines.length ? lines.join('; ') : 'none';
}

async function checkRevocationAndDisputes(ctx: Context): Promise<string> {
  const parts: string[] = [];
  if (ctx.bundle.revocation) {
    const { account } = await signedEntry(ctx, ctx.bundle.revocation, 'work.revoked', JWS_TYPES.action);
    parts.push(`REVOKED by @${account}`);
  } else parts.push('not revoked');
  for (const d of ctx.bundle.disputes) {
    const { entry, account } = await signedEntry(ctx, d, 'dispute.filed', JWS_TYPES.action);
    parts.push(`disputed (${String(entry.entry.reason)}) by @${account}`);
  }
  return parts.join('; ');
}

async function checkProcess(ctx: Context): Promise<string> {
  for (const p of ctx.bundle.processImages) await signedEntry(ctx, p, 'draft.registered', JWS_TYPES.credential);
  const before = ctx.bundle.processImages.filter((p) => p.index < ctx.bundle.work.entry.index).length;
  return `${ctx.bundle.processImages.length} work-in-progress images, ${before} logged before the work`;
}

/**
 * Replays organization.verified / organization.withdrawn in log order. A statement counts only when it verifies
 * under a trusted operator key (the viewer's --trust list, else the bundle's own operator key); others are ignored.
 */
async function checkOrganizations(ctx: Context, trustList: PublicJwk[] | undefined): Promise<string> {
  const inBundle = await bundleOperatorKey(ctx);
  const trusted = new Map<string, PublicJwk>();
  if (trustList) for (const jwk of trustList) trusted.set(await thumbprint(jwk), jwk);
  else if (inBundle) trusted.set(inBundle.kid, inBundle.jwk);
  ctx.verifiedOrganizations = new Map();
  let ignored = 0;
  const events = ctx.bundle.organizations.map((p) => ctx.entries.get(p)!).sort((a, b) => a.index - b.index);
  for (const e of events) {
    const type = e.entry.type;
    if (type !== 'organization.verified' && type !== 'organization.withdrawn')
      fail('entry_type_mismatch', `entry ${e.index} is ${String(type)}, not an organisation event`);
    const account = e.entry.account as { id?: string; handle?: string } | undefined;
    const kid = String(e.entry.operatorKid);
    const key = trusted.get(kid);
    if (!key) {
      ignored++;
      continue;
    }
    const { payload } = await verifyWithKey(String(e.entry.jws), key, OPERATOR_JWS_TYPE).catch(() =>
      fail('signature_invalid', `entry ${e.index}: the operator statement does not verify with operator key ${kid}`),
    );
    const signedAccount = payload.account as { id?: string; handle?: string } | undefined;
    const action = type === 'organization.verified' ? 'organization.verify' : 'organization.withdraw';
    if (payload.action !== action || signedAccount?.id !== account?.id || signedAccount?.handle !== account?.handle) {
      fail('signature_invalid', `entry ${e.index}: the operator signed something other than this ${String(type)}`);
    }
    if (type === 'organization.verified')
      ctx.verifiedOrganizations.set(account!.id!, { handle: account!.handle!, index: e.index, kid, since: String(e.entry.receivedAt) });
    else ctx.verifiedOrganizations.delete(account!.id!);
  }
  ctx.counting = ctx.activeAttestations
    .filter((a) => ctx.verifiedOrganizations.has(a.accountId))
    .map((a) => ({ ...ctx.verifiedOrganizations.get(a.accountId)! }));
  const attesting = [...new Set(ctx.activeAttestations.map((a) => a.handle))];
  const verified = attesting.filter((h) => ctx.counting.some((c) => c.handle === h));
  const parts = attesting.map((h) => `@${h} ${verified.includes(h) ? 'verified' : 'unverified organisation'}`);
  const source = trustList
    ? `your trust list (${trusted.size} operator key${trusted.size === 1 ? '' : 's'})`
    : trusted.size
      ? `the operator key in the bundle (${[...trusted.keys()][0]})`
      : 'no operator key (the bundle has none)';
  return `${parts.length ? parts.join('; ') : 'no attesting organisation'}, judged by ${source}${ignored ? `; ${ignored} statement(s) by keys not trusted ignored` : ''}`;
}

/** The operator key in the bundle, published in its JWKS exactly as given (kty, crv, x, kid = thumbprint, use, alg, role). */
async function bundleOperatorKey(ctx: Context): Promise<{ kid: string; jwk: PublicJwk } | undefined> {
  const given = ctx.bundle.registry.operator;
  if (!given) return undefined;
  const jwk = publicJwkSchema.safeParse(given);
  if (!jwk.success) return fail('operator_key_invalid', 'the operator key in the bundle is not an Ed25519 public JWK');
  const kid = await thumbprint(jwk.data);
  const wellFormed = given.kid === kid && given.use === 'sig' && given.alg === 'EdDSA' && given.aura_role === 'operator';
  const published = ctx.bundle.registry.jwks.keys.some((k) => canonicalJson(k).equals(canonicalJson(given)));
  if (!wellFormed || !published)
    fail('operator_key_invalid', "the operator key is not published in the bundle's JWKS as given (kid, use, alg, aura_role)");
  return { kid, jwk: jwk.data };
}

/** The evidence level from the bundle alone (DESIGN.md): the same rule the registry applies. */
function evidenceLevel(ctx: Context, ownTrustList: boolean): string {
  const processTimes = ctx.bundle.processImages
    .filter((p) => p.index < ctx.bundle.work.entry.index)
    .map((p) => new Date(String(ctx.entries.get(p)!.entry.receivedAt)));
  const level = computeEvidenceLevel({
    revoked: ctx.bundle.revocation !== null,
    signatureValid: true,
    processTimesBeforeRegistration: processTimes,
    validAttestations: ctx.counting.length,
  });
  const by = ctx.counting.length
    ? `: attested by ${ctx.counting.map((c) => `@${c.handle} (verified since ${c.since}, log index ${c.index}, by operator key ${c.kid})`).join(', ')}`
    : '';
  const trust = ownTrustList
    ? 'organisations judged by your trust list'
    : 'level 3 counts only organisations verified by the operator key in the bundle — pass --trust <operator key> to use your own trust list';
  return `level ${level} (${EVIDENCE_LEVELS[level].name})${by}; ${trust}`;
}

function allEntries(b: ProofBundle): ProvenEntry[] {
  return [
    b.work.entry,
    ...(b.revocation ? [b.revocation] : []),
    ...b.attestations.flatMap((a) => [a.entry, ...(a.revocation ? [a.revocation] : [])]),
    ...b.disputes,
    ...b.processImages,
    ...b.keyHistory,
    ...b.organizations,
  ];
}
