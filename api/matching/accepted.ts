import type { Kysely } from 'kysely';
import type { Database, Work } from '../../db/schema.ts';
import { thumbnailGrey, thumbnailLayoutOn, thumbnailTones } from '../images/fingerprint.ts';
import type { ToneLayout } from '../images/tone-layout.ts';
import { describe } from '../images/keypoints.ts';
import type { Fingerprint } from '../images/types.ts';
import { findMatchesReaching } from './service.ts';
import type { MatchCandidate } from './service.ts';
import * as repo from '../works/repository.ts';
import { compareLocally } from './local-features.ts';
import {
  closeCopies,
  coloursOnBackground,
  judgedOnBackground,
  isColourwayMatch,
  judgeLocalMatch,
  judgeMatch,
  LOCAL_CHECK_REACH,
  LOCAL_CHECKS,
  MATCH_DISTANCE,
  matchedQualities,
  QUALITY_FLOOR,
  orderMatches,
  queryHashes,
  strongestLocalFirst,
  tonesDecide,
  unlikeness,
  type MatchJudgement,
} from './policy.ts';

export interface AcceptedMatch {
  candidate: MatchCandidate;
  work: Work;
  judgement: MatchJudgement;
}

export interface MatchReport {
  /** Works this image matches under Aura's policy, best first (colourways among them, judged 'similar'). */
  matches: AcceptedMatch[];
  /** Works found in the index within 31 bits but past the rule (a low-detail image beyond its stricter threshold). */
  nearMisses: AcceptedMatch[];
}

/**
 * The one matching function: verify, the priority check at registration and /matches/byContent all
 * call it. One index round trip, each candidate judged with the policy; when PDQ accepts none, the
 * nearest few candidates within LOCAL_CHECK_REACH bits go through the local-feature check.
 */
export async function matchImage(db: Kysely<Database>, fp: Fingerprint): Promise<MatchReport> {
  const found = await findMatchesReaching(db, { sha256: fp.sha256, hashes: queryHashes(fp) }, LOCAL_CHECK_REACH);
  // Past 31 bits a candidate can only be confirmed locally, and only the nearest few are checked: the
  // others' rows (with their thumbnails) are not worth loading.
  const candidates = [
    ...found.filter((c) => c.distance <= MATCH_DISTANCE),
    ...found.filter((c) => c.distance > MATCH_DISTANCE).slice(0, LOCAL_CHECKS),
  ];
  const works = new Map(
    (
      await repo.findWorksByIds(
        db,
        candidates.map((c) => c.workId),
      )
    ).map((w) => [w.id, w]),
  );
  const report: MatchReport = { matches: [], nearMisses: [] };
  const tonesOf = workTones();
  const layoutOf = workLayouts(fp);
  const unaccepted: AcceptedMatch[] = [];
  for (const candidate of candidates) {
    const work = works.get(candidate.workId);
    if (!work) continue;
    const { queryQuality, workQuality } = matchedQualities(candidate, fp, work.pdq_quality);
    const workLayout = judgedOnBackground(candidate) ? await layoutOf(work) : work.colour_layout;
    const decidable = candidate.distance <= MATCH_DISTANCE && tonesDecide(candidate, fp.colourLayout, workLayout);
    const tones = decidable ? { query: fp.tones, work: await tonesOf(work) } : undefined;
    const colourway = isColourwayMatch(candidate, fp.colourLayout, workLayout, tones);
    const judgement = judgeMatch(candidate, queryQuality, workQuality, colourway);
    if (judgement.accepted) report.matches.push({ candidate, work, judgement });
    else if (!judgement.structure && Math.min(queryQuality, workQuality) >= QUALITY_FLOOR) unaccepted.push({ candidate, work, judgement });
  }
  report.matches = await ordered(fp, report.matches, tonesOf, layoutOf);
  // Only colourways accepted (another work of the design, within the rule where the copy's own work is
  // just past it): the local-feature check still looks for the work this is a copy of, reported first.
  if (report.matches.every((m) => m.judgement.colourway)) {
    const local = await confirmLocally(fp, unaccepted.slice(0, LOCAL_CHECKS), layoutOf);
    report.matches = [...local.filter((m) => !m.judgement.colourway), ...report.matches, ...local.filter((m) => m.judgement.colourway)];
  }
  const confirmed = new Set(report.matches.map((m) => m.work.id));
  report.nearMisses = unaccepted.filter((m) => m.candidate.distance <= MATCH_DISTANCE && !confirmed.has(m.work.id));
  return report;
}

/** `read` of each work at most once per match: each reads the work's thumbnail. */
function oncePerWork<T>(read: (work: Work) => Promise<T>): (work: Work) => Promise<T> {
  const done = new Map<string, Promise<T>>();
  return (work) => {
    let value = done.get(work.id);
    if (!value) {
      value = read(work);
      done.set(work.id, value);
    }
    return value;
  };
}

/** Works' tone layouts read from their thumbnails (undefined when unreadable). */
const workTones = () =>
  oncePerWork((work) => (work.thumbnail ? thumbnailTones(work.thumbnail).catch(() => undefined) : Promise.resolve(undefined)));

/**
 * The colour layout each candidate's colours are compared with: a transparent work's colours as they
 * look on the copy's background (policy.ts coloursOnBackground), else the stored layout (the work
 * flattened on white, as registered).
 */
function workLayouts(fp: Fingerprint): (work: Work) => Promise<string | null | undefined> {
  const background = fp.background;
  if (!background || !coloursOnBackground(background)) return async (work) => work.colour_layout;
  return oncePerWork((work) =>
    work.thumbnail
      ? thumbnailLayoutOn(work.thumbnail, background)
          .then((onBackground) => onBackground ?? work.colour_layout)
          .catch(() => work.colour_layout)
      : Promise.resolve(work.colour_layout),
  );
}

/** The accepted matches in the policy's order (orderMatches): close candidates by how alike they look. */
async function ordered(
  fp: Fingerprint,
  matches: AcceptedMatch[],
  tonesOf: (work: Work) => Promise<ToneLayout | undefined>,
  layoutOf: (work: Work) => Promise<string | null | undefined>,
): Promise<AcceptedMatch[]> {
  const view = (m: AcceptedMatch) => ({
    distance: m.candidate.distance,
    colourway: m.judgement.colourway,
    queryLabel: m.candidate.queryLabel,
    structure: m.judgement.structure,
  });
  const unlike = new Map<AcceptedMatch, number>();
  for (const m of fp.tones ? closeCopies(matches, view) : []) {
    const tones = await tonesOf(m.work);
    if (tones && fp.tones)
      unlike.set(m, unlikeness({ colourLayout: fp.colourLayout, tones: fp.tones }, { colourLayout: await layoutOf(m.work), tones }));
  }
  return orderMatches(matches, (m) => ({ ...view(m), unlikeness: unlike.get(m) }));
}

/** The candidates the local-feature check finds to be the same picture, nearest first. */
async function confirmLocally(
  fp: Fingerprint,
  candidates: AcceptedMatch[],
  layoutOf: (work: Work) => Promise<string | null | undefined>,
): Promise<AcceptedMatch[]> {
  const query = fp.working;
  if (!query || candidates.length === 0) return [];
  // The check only ever adds a match: should OpenCV fail on some plane, the answer is PDQ's alone.
  const queryFeatures = await describe(query).catch(() => undefined);
  if (!queryFeatures) return [];
  const confirmed: AcceptedMatch[] = [];
  for (const { candidate, work } of candidates) {
    const grey = work.thumbnail ? await thumbnailGrey(work.thumbnail).catch(() => undefined) : undefined;
    if (!grey) continue;
    const check = await compareLocally(query, grey, queryFeatures).catch(() => undefined);
    if (!check?.confirmed) continue;
    const { alignedBy = 'keypoints', inliers, agreement, coverage, rotation, scale } = check;
    const colourway = isColourwayMatch({ exact: false, queryLabel: 'global' }, fp.colourLayout, await layoutOf(work));
    confirmed.push({
      candidate,
      work,
      judgement: judgeLocalMatch(candidate, { alignedBy, inliers, agreement, coverage, rotation, scale }, colourway),
    });
  }
  return strongestLocalFirst(confirmed, (m) => m.judgement.localFeatures?.alignedBy ?? 'keypoints');
}

/** Registered works this image matches under Aura's policy, best first. */
export async function findAcceptedMatches(db: Kysely<Database>, fp: Fingerprint): Promise<AcceptedMatch[]> {
  return (await matchImage(db, fp)).matches;
}
