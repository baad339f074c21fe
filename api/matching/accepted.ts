import type { Kysely } from 'kysely';
import type { Database, Work } from '../../db/schema.ts';
import type { Fingerprint } from '../images/types.ts';
import { findMatches } from './service.ts';
import type { MatchCandidate } from './service.ts';
import * as repo from '../works/repository.ts';
import { judgeMatch, matchedQualities, queryHashes, type MatchJudgement } from './policy.ts';

export interface AcceptedMatch {
  candidate: MatchCandidate;
  work: Work;
  judgement: MatchJudgement;
}

/** Registered works this image matches under Aura's policy, best first (one index round trip). */
export async function findAcceptedMatches(db: Kysely<Database>, fp: Fingerprint): Promise<AcceptedMatch[]> {
  const candidates = await findMatches(db, { sha256: fp.sha256, hashes: queryHashes(fp) });
  const works = new Map((await repo.findWorksByIds(db, candidates.map((c) => c.workId))).map((w) => [w.id, w]));
  const accepted: AcceptedMatch[] = [];
  for (const candidate of candidates) {
    const work = works.get(candidate.workId);
    if (!work) continue;
    const { queryQuality, workQuality } = matchedQualities(candidate, fp, work.pdq_quality);
    const judgement = judgeMatch(candidate, queryQuality, workQuality);
    if (judgement.accepted) accepted.push({ candidate, work, judgement });
  }
  return accepted;
}
