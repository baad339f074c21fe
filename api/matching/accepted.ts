import type { Kysely } from 'kysely';
import type { Database, Work } from '../../db/schema.ts';
import type { Fingerprint } from '../images/types.ts';
import { findMatches } from './service.ts';
import type { MatchCandidate } from './service.ts';
import * as repo from '../works/repository.ts';
import { isColourwayMatch, judgeMatch, matchedQualities, queryHashes, type MatchJudgement } from './policy.ts';

export interface AcceptedMatch {
  candidate: MatchCandidate;
  work: Work;
  judgement: MatchJudgement;
}

export interface MatchReport {
  /** Works this image matches under Aura's policy, best first (colourways among them, judged 'similar'). */
  matches: AcceptedMatch[];
  /** Works found in the index but past the rule (a low-detail image beyond its stricter threshold). */
  nearMisses: AcceptedMatch[];
}

/**
 * The one matching function: verify, the priority check at registration and /matches/byContent all
 * call it. One index round trip, then each candidate judged with the policy.
 */
export async function matchImage(db: Kysely<Database>, fp: Fingerprint): Promise<MatchReport> {
  const candidates = await findMatches(db, { sha256: fp.sha256, hashes: queryHashes(fp) });
  const works = new Map(
    (
      await repo.findWorksByIds(
        db,
        candidates.map((c) => c.workId),
      )
    ).map((w) => [w.id, w]),
  );
  const report: MatchReport = { matches: [], nearMisses: [] };
  for (const candidate of candidates) {
    const work = works.get(candidate.workId);
    if (!work) continue;
    const { queryQuality, workQuality } = matchedQualities(candidate, fp, work.pdq_quality);
    const judgement = judgeMatch(candidate, queryQuality, workQuality, isColourwayMatch(candidate, fp.colourLayout, work.colour_layout));
    (judgement.accepted ? report.matches : report.nearMisses).push({ candidate, work, judgement });
  }
  return report;
}

/** Registered works this image matches under Aura's policy, best first. */
export async function findAcceptedMatches(db: Kysely<Database>, fp: Fingerprint): Promise<AcceptedMatch[]> {
  return (await matchImage(db, fp)).matches;
}
