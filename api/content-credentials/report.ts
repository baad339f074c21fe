import { AURA_PDQ_ALG, decodePdqBindingValue } from '../matching/soft-binding.ts';
import { integrityFailures, type ContentCredentialsResult } from './read.ts';

/** What the verify report says about a file's Content Credentials. */
export interface ContentCredentialsReport {
  present: boolean;
  /** c2pa-rs: `Invalid`, `Valid` (intact, signer not on a trust list) or `Trusted`. */
  validationState?: string;
  /** No failure other than an untrusted signer: neither the file nor the manifest was changed. */
  intact: boolean;
  failures: { code: string; explanation?: string }[];
  signer?: Omit<NonNullable<NonNullable<ContentCredentialsResult['activeManifest']>['signer']>, 'serial'>;
  claimGenerator?: string;
  actions: { action: string; digitalSourceType?: string; softwareAgent?: string }[];
  identities: { sigType: string; issuer?: string; names: string[] }[];
  /** Set when Aura made the manifest: the work it names and how that work stands today. */
  aura?: { workId: string; workUrl: string; known: boolean; level?: { level: number; name: string }; pixelsMatch: boolean };
  /** Aura PDQ soft bindings in the manifest, and whether the works they resolve to are the ones the pixels match. */
  softBindings: { alg: string; workIds: string[]; pixelsMatch: boolean }[];
  /** Plain-language warnings, e.g. a manifest pointing at a different work than the pixels match. */
  warnings: string[];
  error?: string;
}

export interface ReportInputs {
  read: ContentCredentialsResult;
  /** Works the uploaded pixels match under the match policy. */
  pixelMatches: string[];
  /** Works a PDQ soft-binding value resolves to. */
  resolveBinding: (pdqHex: string) => Promise<string[]>;
  /** Evidence level of a registered work, or undefined when this registry does not know it. */
  levelOf: (workId: string) => Promise<{ level: number; name: string } | undefined>;
}

export async function contentCredentialsReport(input: ReportInputs): Promise<ContentCredentialsReport> {
  const { read } = input;
  const m = read.activeManifest;
  const report: ContentCredentialsReport = {
    present: read.present,
    ...(read.validationState ? { validationState: read.validationState } : {}),
    intact: read.present && !read.error && integrityFailures(read).length === 0,
    failures: read.failures.map(({ code, explanation }) => ({ code, ...(explanation ? { explanation } : {}) })),
    ...(m?.signer ? { signer: { commonName: m.signer.commonName, issuer: m.signer.issuer, alg: m.signer.alg, time: m.signer.time } } : {}),
    ...(m?.claimGenerator ? { claimGenerator: m.claimGenerator } : {}),
    actions:
      m?.actions.map(({ action, digitalSourceType, softwareAgent }) => ({
        action,
        ...(digitalSourceType ? { digitalSourceType } : {}),
        ...(softwareAgent ? { softwareAgent } : {}),
      })) ?? [],
    identities:
      m?.identities.map((i) => ({
        sigType: i.sigType,
        ...(i.issuer ? { issuer: i.issuer } : {}),
        names: i.verifiedIdentities.map((v) =>
          [v.name, v.username ? `@${v.username}` : undefined, v.provider?.name ? `(${v.provider.name})` : undefined]
            .filter(Boolean)
            .join(' '),
        ),
      })) ?? [],
    softBindings: [],
    warnings: [],
    ...(read.error ? { error: read.error } : {}),
  };
  if (read.present && !report.intact) {
    report.warnings.push(
      `The Content Credentials do not validate (${
        integrityFailures(read)
          .map((f) => f.code)
          .join(', ') || read.error
      }): the file or its manifest was changed after signing.`,
    );
  }
  if (!m) return report;
  const pixels = new Set(input.pixelMatches);
  if (m.aura) {
    const level = await input.levelOf(m.aura.workId);
    report.aura = {
      workId: m.aura.workId,
      workUrl: m.aura.workUrl,
      known: level !== undefined,
      ...(level ? { level } : {}),
      pixelsMatch: pixels.has(m.aura.workId),
    };
    if (!report.aura.pixelsMatch)
      report.warnings.push(`The manifest names Aura work ${m.aura.workId}, but the pixels of this file do not match that work.`);
  }
  for (const binding of m.softBindings.filter((b) => b.alg === AURA_PDQ_ALG)) {
    let workIds: string[];
    try {
      workIds = await input.resolveBinding(decodePdqBindingValue(binding.value));
    } catch {
      report.warnings.push('The manifest carries an Aura soft binding whose value is not a PDQ hash.');
      continue;
    }
    const pixelsMatch = workIds.some((id) => pixels.has(id));
    report.softBindings.push({ alg: binding.alg, workIds, pixelsMatch });
    if (!pixelsMatch) {
      const said = workIds.length ? `work ${workIds.join(', ')}` : 'no registered work';
      const seen = input.pixelMatches.length ? `work ${input.pixelMatches.join(', ')}` : 'no registered work';
      report.warnings.push(`The manifest's soft binding points at ${said}, but the pixels match ${seen}.`);
    }
  }
  return report;
}
