import { createHash } from 'node:crypto';
import type { Screening } from './screening.ts';
import { termUri } from './source-types.ts';

const VC_CONTEXT = ['https://www.w3.org/ns/credentials/v2'];

export interface WorkClaims {
  workId: string;
  issuerUrl: string;
  workUrl: string;
  validFrom: string;
  sha256: string;
  pdq: string;
  pdqQuality: number;
  width: number;
  height: number;
  title: string;
  year?: number | undefined;
  medium?: string | undefined;
  statement?: string | undefined;
  digitalSourceType: string;
  screening: Screening;
  processImages: string[];
}

/** The unsigned W3C VC 2.0 payload the artist signs (docs/registry.md, Credential). */
export function buildWorkCredential(c: WorkClaims): Record<string, unknown> {
  return {
    '@context': VC_CONTEXT,
    id: c.workUrl,
    type: ['VerifiableCredential', 'HumanMadeWorkCredential'],
    issuer: c.issuerUrl,
    validFrom: c.validFrom,
    credentialSubject: {
      id: `urn:aura:work:${c.workId}`,
      sha256: c.sha256,
      pdq: c.pdq,
      pdqQuality: c.pdqQuality,
      width: c.width,
      height: c.height,
      title: c.title,
      ...(c.year !== undefined ? { year: c.year } : {}),
      ...(c.medium ? { medium: c.medium } : {}),
      ...(c.statement ? { statement: c.statement } : {}),
      digitalSourceType: termUri(c.digitalSourceType),
      screening: { verdict: c.screening.verdict, aiMarkers: c.screening.aiMarkers },
      ...(c.processImages.length ? { processImages: c.processImages } : {}),
    },
  };
}

export interface AttestationClaims {
  attestationId: string;
  issuerUrl: string;
  validFrom: string;
  workId: string;
  workUrl: string;
  workJws: string;
  type: string;
  note?: string | undefined;
  date?: string | undefined;
}

/** A signed statement by an organisation about a work; it references the work credential by hash. */
export function buildAttestationCredential(c: AttestationClaims): Record<string, unknown> {
  return {
    '@context': VC_CONTEXT,
    id: `urn:aura:attestation:${c.attestationId}`,
    type: ['VerifiableCredential', 'WorkAttestationCredential'],
    issuer: c.issuerUrl,
    validFrom: c.validFrom,
    credentialSubject: {
      id: `urn:aura:work:${c.workId}`,
      work: c.workUrl,
      workCredentialSha256: sha256Hex(c.workJws),
      attestationType: c.type,
      ...(c.note ? { note: c.note } : {}),
      ...(c.date ? { date: c.date } : {}),
    },
  };
}

export interface ProcessClaims {
  processId: string;
  issuerUrl: string;
  validFrom: string;
  workId?: string | undefined;
  sha256: string;
  pdq: string;
  note?: string | undefined;
}

/** A work-in-progress image, signed by the artist and logged; drives evidence level 2. */
export function buildProcessCredential(c: ProcessClaims): Record<string, unknown> {
  return {
    '@context': VC_CONTEXT,
    id: `urn:aura:process:${c.processId}`,
    type: ['VerifiableCredential', 'ProcessEvidenceCredential'],
    issuer: c.issuerUrl,
    validFrom: c.validFrom,
    credentialSubject: {
      id: `urn:aura:process:${c.processId}`,
      ...(c.workId ? { work: `urn:aura:work:${c.workId}` } : {}),
      sha256: c.sha256,
      pdq: c.pdq,
      ...(c.note ? { note: c.note } : {}),
    },
  };
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
