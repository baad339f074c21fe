import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Fingerprint } from '../images/types.ts';
import { AppError } from '../errors.ts';
import { isDegenerate, judgeMatch, type MatchJudgement } from './policy.ts';
import { findMatches, type MatchCandidate } from './service.ts';
import { findWorkQualities } from './repository.ts';
import { findAcceptedMatches } from './accepted.ts';

/**
 * C2PA soft-binding resolution for Aura's PDQ binding. The C2PA soft-binding algorithm list has no
 * PDQ entry, so Aura names its own, reverse-domain style like the list's entries: the value is the
 * standard (or URL-safe) base64 of the 32 bytes of the 256-bit PDQ hash, most significant byte first
 * (the same bytes as the 64-hex `pdq` of Aura's credentials).
 */
export const AURA_PDQ_ALG = 'com.aura.pdq.1';
export const SUPPORTED_FINGERPRINTS = [AURA_PDQ_ALG] as const;

export interface SoftBindingMatch {
  /** The work id: its record is at /v1/works/{manifestId}, its offline proof at /v1/works/{manifestId}/bundle. */
  manifestId: string;
  /** Where the manifest store is: GET {endpoint}/manifests/{manifestId} (this registry). */
  endpoint: string;
  /** 0–100: 100 × (1 − distance / 256), 100 for an identical file. */
  similarityScore: number;
  /** Aura's extension: what the generic score does not say. */
  aura: { workUrl: string; distance: number; exact: boolean; kind: 'exact' | 'same' | 'similar'; revoked: boolean };
}

export function requireSupportedAlgorithm(alg: string): void {
  if (!(SUPPORTED_FINGERPRINTS as readonly string[]).includes(alg)) {
    throw new AppError(
      'unsupported_algorithm',
      `soft-binding algorithm "${alg}" is not supported; this service resolves ${SUPPORTED_FINGERPRINTS.join(', ')}`,
      {
        supported: [...SUPPORTED_FINGERPRINTS],
      },
    );
  }
}

/** The 64-hex PDQ hash carried by a binding value; a 400 for anything that is not 32 bytes of base64. */
export function decodePdqBindingValue(value: string): string {
  // A '+' sent unencoded in a query string arrives as a space.
  const normalized = value.trim().replace(/ /g, '+');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(normalized)) {
    throw new AppError('validation_failed', 'value must be base64 (the 32 bytes of a 256-bit PDQ hash)');
  }
  const bytes = Buffer.from(normalized.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== 32) {
    throw new AppError('validation_failed', `value must decode to the 32 bytes of a 256-bit PDQ hash, got ${bytes.length}`);
  }
  return bytes.toString('hex');
}

export function encodePdqBindingValue(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export class SoftBindingResolver {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly publicUrl: string,
  ) {}

  /** A bare hash has no dihedral variants to try (they come from the DCT), so it is looked up as given. */
  async byBinding(hash: string, maxResults: number): Promise<SoftBindingMatch[]> {
    // A uniform picture's hash (all zeros) names no work: it would match every flat one.
    if (isDegenerate({ hash, quality: 100 })) return [];
    const candidates = await findMatches(this.db, { hashes: [{ label: 'binding', hash }] }, { limit: maxResults });
    // The binding carries no quality: only the registered image's quality can make the rule stricter.
    return this.judged(candidates, 100, maxResults);
  }

  /** The same lookup and judgement as /v1/verify and the priority check at registration (findAcceptedMatches). */
  async byContent(fingerprint: Fingerprint, maxResults: number): Promise<SoftBindingMatch[]> {
    return (await findAcceptedMatches(this.db, fingerprint))
      .slice(0, maxResults)
      .map(({ candidate: c, judgement }) => this.toMatch(c, judgement));
  }

  private async judged(candidates: MatchCandidate[], queryQuality: number, maxResults: number): Promise<SoftBindingMatch[]> {
    const qualities = await findWorkQualities(
      this.db,
      candidates.map((c) => c.workId),
    );
    const matches: SoftBindingMatch[] = [];
    for (const c of candidates) {
      const judgement = judgeMatch(c, queryQuality, qualities.get(c.workId) ?? 100);
      if (!judgement.accepted) continue;
      matches.push(this.toMatch(c, judgement));
      if (matches.length === maxResults) break;
    }
    return matches;
  }

  private toMatch(c: MatchCandidate, judgement: MatchJudgement): SoftBindingMatch {
    return {
      manifestId: c.workId,
      endpoint: this.publicUrl,
      similarityScore: Math.round(judgement.similarity * 100),
      aura: {
        workUrl: `${this.publicUrl}/v1/works/${encodeURIComponent(c.workId)}`,
        distance: c.distance,
        exact: c.exact,
        kind: judgement.kind,
        revoked: c.revoked,
      },
    };
  }
}
