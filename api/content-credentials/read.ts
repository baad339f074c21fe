import { sniffFormat } from '../images/formats.ts';
import { BytesBlob, C2PA_FORMATS, c2paWasm } from './c2pa-wasm.ts';

/**
 * Reading Content Credentials with c2pa-rs. One function, bytes in and plain data out, so it can run in
 * a worker pool next to the other metadata parsers.
 */

export interface StatusCode {
  code: string;
  explanation?: string;
  url?: string;
}

export interface ReadIdentity {
  sigType: string;
  issuer?: string;
  verifiedIdentities: { type: string; name?: string; username?: string; uri?: string; provider?: { id?: string; name?: string } }[];
  /** Aura's claim inside an identity it issued: the verified key and the work's links. */
  aura?: { keyId?: string; verifiedClaim?: string; work?: string; credential?: string; logEntry?: { index?: number; url?: string } };
}

export interface ReadManifest {
  label: string;
  title?: string;
  claimGenerator?: string;
  /** As c2pa-rs reports them: any of these may be absent. */
  signer?: {
    commonName?: string | undefined;
    issuer?: string | undefined;
    alg?: string | undefined;
    time?: string | undefined;
    serial?: string | undefined;
  };
  actions: { action: string; digitalSourceType?: string; softwareAgent?: string; when?: string }[];
  softBindings: { alg: string; value: string; url?: string }[];
  identities: ReadIdentity[];
  /** The `com.aura.registration` assertion, when Aura made this manifest. */
  aura?: { format: string; workId: string; workUrl: string; bundle: unknown };
}

export interface ContentCredentialsResult {
  present: boolean;
  /** c2pa-rs's overall verdict: `Invalid`, `Valid` (well-formed, signer not on a trust list) or `Trusted`. */
  validationState?: string;
  failures: StatusCode[];
  informational: StatusCode[];
  successes: StatusCode[];
  activeManifest?: ReadManifest;
  manifestCount: number;
  /** A manifest that c2pa-rs could not read at all. */
  error?: string;
}

/**
 * Codes that only say a signer is not on the validator's trust list (Aura's registry CA is not on the C2PA
 * trust list unless the operator uses a certificate from a C2PA-trusted CA): the manifest itself is intact.
 */
export const UNTRUSTED_SIGNER_CODES = [
  'signingCredential.untrusted',
  'cawg.ica.untrusted_issuer',
  'cawg.x509.credential.untrusted',
  'timeStamp.untrusted',
];

/** Failure codes that mean the file or its manifest was changed or is broken, not merely untrusted. */
export const integrityFailures = (r: ContentCredentialsResult): StatusCode[] =>
  r.failures.filter((f) => !UNTRUSTED_SIGNER_CODES.includes(f.code));

const NONE: ContentCredentialsResult = { present: false, failures: [], informational: [], successes: [], manifestCount: 0 };

/** `trustAnchorsPem`: extra CA certificates to trust (c2pa-rs `trust.user_anchors`), e.g. a registry's published CA. */
export async function readContentCredentials(
  bytes: Uint8Array,
  options: { trustAnchorsPem?: string } = {},
): Promise<ContentCredentialsResult> {
  const sniffed = sniffFormat(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  const format = sniffed.kind === 'supported' ? C2PA_FORMATS[sniffed.format] : undefined;
  if (!format) return NONE;
  const { WasmReader } = c2paWasm();
  let reader: Awaited<ReturnType<typeof WasmReader.fromBlob>>;
  try {
    const context = options.trustAnchorsPem ? JSON.stringify({ trust: { user_anchors: options.trustAnchorsPem } }) : undefined;
    reader = await WasmReader.fromBlob(format, new BytesBlob(bytes).asBlob(), context);
  } catch (err) {
    const message = errorText(err);
    if (/JumbfNotFound|ProvenanceMissing|no JUMBF|not found/i.test(message)) return NONE;
    return { ...NONE, present: true, validationState: 'Invalid', error: message };
  }
  try {
    return summarise(JSON.parse(reader.json()) as StoreJson);
  } finally {
    reader.free();
  }
}

interface StoreJson {
  active_manifest?: string;
  manifests?: Record<string, ManifestJson>;
  validation_state?: string;
  validation_results?: { activeManifest?: { success?: StatusCode[]; informational?: StatusCode[]; failure?: StatusCode[] } };
}
interface ManifestJson {
  label?: string;
  title?: string;
  claim_generator_info?: { name?: string; version?: string }[];
  signature_info?: { alg?: string; common_name?: string; issuer?: string; time?: string; cert_serial_number?: string };
  assertions?: { label: string; data: unknown }[];
}

function summarise(store: StoreJson): ContentCredentialsResult {
  const results = store.validation_results?.activeManifest ?? {};
  const manifests = store.manifests ?? {};
  const active = store.active_manifest ? manifests[store.active_manifest] : undefined;
  return {
    present: true,
    ...(store.validation_state ? { validationState: store.validation_state } : {}),
    failures: (results.failure ?? []).map(code),
    informational: (results.informational ?? []).map(code),
    successes: (results.success ?? []).map(code),
    ...(active ? { activeManifest: manifest(store.active_manifest!, active) } : {}),
    manifestCount: Object.keys(manifests).length,
  };
}

const code = (s: StatusCode): StatusCode => ({
  code: s.code,
  ...(s.explanation ? { explanation: s.explanation } : {}),
  ...(s.url ? { url: s.url } : {}),
});

function manifest(label: string, m: ManifestJson): ReadManifest {
  const assertions = m.assertions ?? [];
  const generator = m.claim_generator_info?.[0];
  const s = m.signature_info;
  const aura = assertions.find((a) => a.label === 'com.aura.registration')?.data;
  return {
    label,
    ...(m.title ? { title: m.title } : {}),
    ...(generator?.name ? { claimGenerator: [generator.name, generator.version].filter(Boolean).join(' ') } : {}),
    ...(s ? { signer: { commonName: s.common_name, issuer: s.issuer, alg: s.alg, time: s.time, serial: s.cert_serial_number } } : {}),
    actions: assertions.filter((a) => /^c2pa\.actions(\.v\d+)?(__\d+)?$/.test(a.label)).flatMap((a) => actionsOf(a.data)),
    softBindings: assertions.filter((a) => /^c2pa\.soft-binding(__\d+)?$/.test(a.label)).flatMap((a) => softBindingsOf(a.data)),
    identities: assertions.filter((a) => /^cawg\.identity(__\d+)?$/.test(a.label)).map((a) => identityOf(a.data)),
    ...(isAuraAssertion(aura) ? { aura: { format: aura.format, workId: aura.workId, workUrl: aura.workUrl, bundle: aura.bundle } } : {}),
  };
}

function actionsOf(data: unknown): ReadManifest['actions'] {
  const actions = isRecord(data) && Array.isArray(data.actions) ? data.actions : [];
  return actions.filter(isRecord).map((a) => {
    const agent = a.softwareAgent;
    const softwareAgent =
      typeof agent === 'string'
        ? agent
        : isRecord(agent)
          ? [agent.name, agent.version].filter((v) => typeof v === 'string').join(' ')
          : undefined;
    return {
      action: String(a.action ?? 'unknown'),
      ...(typeof a.digitalSourceType === 'string' ? { digitalSourceType: a.digitalSourceType } : {}),
      ...(softwareAgent ? { softwareAgent } : {}),
      ...(typeof a.when === 'string' ? { when: a.when } : {}),
    };
  });
}

function softBindingsOf(data: unknown): ReadManifest['softBindings'] {
  if (!isRecord(data) || typeof data.alg !== 'string' || !Array.isArray(data.blocks)) return [];
  const url = typeof data.url === 'string' ? data.url : undefined;
  return data.blocks
    .filter(isRecord)
    .filter((b) => typeof b.value === 'string')
    .map((b) => ({ alg: data.alg as string, value: b.value as string, ...(url ? { url } : {}) }));
}

function identityOf(data: unknown): ReadIdentity {
  const d = isRecord(data) ? data : {};
  const payload = isRecord(d.signer_payload) ? d.signer_payload : {};
  const subject = isRecord(d.credentialSubject) ? d.credentialSubject : d;
  const verified = Array.isArray(subject.verifiedIdentities)
    ? subject.verifiedIdentities
    : Array.isArray(d.verifiedIdentities)
      ? d.verifiedIdentities
      : [];
  const aura = Array.isArray(d.evidence) ? d.evidence.filter(isRecord).find((e) => typeof e.keyId === 'string') : undefined;
  return {
    sigType: String(payload.sig_type ?? (isRecord(d.c2paAsset) ? d.c2paAsset.sig_type : undefined) ?? 'unknown'),
    ...(typeof d.issuer === 'string' ? { issuer: d.issuer } : {}),
    verifiedIdentities: verified.filter(isRecord).map((v) => ({
      type: String(v.type),
      ...(typeof v.name === 'string' ? { name: v.name } : {}),
      ...(typeof v.username === 'string' ? { username: v.username } : {}),
      ...(typeof v.uri === 'string' ? { uri: v.uri } : {}),
      ...(isRecord(v.provider) ? { provider: { id: String(v.provider.id ?? ''), name: String(v.provider.name ?? '') } } : {}),
    })),
    ...(aura ? { aura: aura as NonNullable<ReadIdentity['aura']> } : {}),
  };
}

function isAuraAssertion(v: unknown): v is { format: string; workId: string; workUrl: string; bundle: unknown } {
  return isRecord(v) && typeof v.format === 'string' && typeof v.workId === 'string' && typeof v.workUrl === 'string' && 'bundle' in v;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
