import type { Kysely } from 'kysely';
import type { Database, Work } from '../../db/schema.ts';
import { thumbnailGrey, thumbnailLayoutOn, thumbnailTones } from '../images/fingerprint.ts';
import { describe, type GreyPlane } from '../images/keypoints.ts';
import type { Fingerprint } from '../images/types.ts';
import { findMatchesReaching } from './service.ts';
import type { MatchCandidate } from './service.ts';
import * as repo from '../works/repository.ts';
import { compareLocally } from './local-features.ts';
import {
  closeCopies,
  coloursOnBackground,
  judgedOnBackground,
  isColourwayEitherWay,
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
  const tonesOf = fromThumbnails(thumbnailTones);
  const layoutOf = workLayouts(fp);
  const unaccepted: AcceptedMatch[] = [];
  for (const candidate of candidates) {
    const work = works.get(candidate.workId);
    if (!work) continue;
    const { queryQuality, workQuality } = matchedQualities(candidate, fp, work.pdq_quality);
    const workLayouts = judgedOnBackground(candidate) ? await layoutOf(work) : [work.colour_layout];
    const decidable = candidate.distance <= MATCH_DISTANCE && workLayouts.some((l) => tonesDecide(candidate, fp.colourLayout, l));
    const tones = decidable ? { query: fp.tones, work: await tonesOf(work) } : undefined;
    const colourway = isColourwayEitherWay(candidate, fp.colourLayout, workLayouts, tones);
    const judgement = judgeMatch(candidate, queryQuality, workQuality, colourway);
    if (judgement.accepted) report.matches.push({ candidate, work, judgement });
    else if (!judgement.structure && Math.min(queryQuality, workQuality) >= QUALITY_FLOOR) unaccepted.push({ candidate, work, judgement });
  }
  const greyOf = fromThumbnails(thumbnailGrey);
  report.matches = await ordered(fp, report.matches, greyOf, layoutOf);
  // Only colourways accepted (another work of the design, within the rule where the copy's own work is
  // just past it): the local-feature check still looks for the work this is a copy of, reported first.
  if (report.matches.every((m) => m.judgement.colourway)) {
    const local = await confirmLocally(fp, unaccepted.slice(0, LOCAL_CHECKS), greyOf, layoutOf);
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

/** What `read` makes of each work's thumbnail, once per work (undefined when there is none or it is unreadable). */
const fromThumbnails = <T>(read: (thumbnail: Buffer) => Promise<T>) =>
  oncePerWork((work) => (work.thumbnail ? read(work.thumbnail).catch(() => undefined) : Promise.resolve(undefined)));

type WorkLayouts = (string | null | undefined)[];

/**
 * The colour layouts each candidate's colours are compared with (policy.ts isColourwayEitherWay): the
 * stored layout (the work flattened on white, as registered) and, for a transparent work and a copy on
 * a coloured border (policy.ts coloursOnBackground), the work's colours as they look on that colour.
 */
function workLayouts(fp: Fingerprint): (work: Work) => Promise<WorkLayouts> {
  const background = fp.background;
  if (!background || !coloursOnBackground(background)) return async (work) => [work.colour_layout];
  return oncePerWork(async (work) => {
    const onBackground = work.thumbnail ? await thumbnailLayoutOn(work.thumbnail, background).catch(() => undefined) : undefined;
    return onBackground ? [onBackground, work.colour_layout] : [work.colour_layout];
  });
}

/**
 * The accepted matches in the policy's order (orderMatches): close candidates by how alike they look over
 * the windows whose hashes matched (unlikeness), when those are known for all of them.
 */
async function ordered(
  fp: Fingerprint,
  matches: AcceptedMatch[],
  greyOf: (work: Work) => Promise<GreyPlane | undefined>,
  layoutOf: (work: Work) => Promise<WorkLayouts>,
): Promise<AcceptedMatch[]> {
  const view = (m: AcceptedMatch) => ({
    distance: m.candidate.distance,
    colourway: m.judgement.colourway,
    queryLabel: m.candidate.queryLabel,
    structure: m.judgement.structure,
  });
  const unlike = new Map<AcceptedMatch, number | undefined>();
  for (const m of closeCopies(matches, view)) {
    const grey = await greyOf(m.work);
    if (grey) unlike.set(m, unlikeness(fp, m.candidate, { grey, colourLayouts: await layoutOf(m.work) }));
  }
  return orderMatches(matches, (m) => ({ ...view(m), unlikeness: unlike.get(m) }));
}

/** The candidates the local-feature check finds to be the same picture, nearest first. */
async function confirmLocally(
  fp: Fingerprint,
  candidates: AcceptedMatch[],
  greyOf: (work: Work) => Promise<GreyPlane | undefined>,
  layoutOf: (work: Work) => Promise<WorkLayouts>,
): Promise<AcceptedMatch[]> {
  const query = fp.working;
  if (!query || candidates.length === 0) return [];
  // The check only ever adds a match: should OpenCV fail on some plane, the answer is PDQ's alone.
  const queryFeatures = await describe(query).catch(() => undefined);
  if (!queryFeatures) return [];
  const confirmed: AcceptedMatch[] = [];
  for (const { candidate, work } of candidates) {
    const grey = await greyOf(work);
    if (!grey) continue;
    const check = await compareLocally(query, grey, queryFeatures).catch(() => undefined);
    if (!check?.confirmed) continue;
    const { alignedBy = 'keypoints', inliers, agreement, coverage, rotation, scale } = check;
    const colourway = isColourwayEitherWay({ exact: false, queryLabel: 'global' }, fp.colourLayout, await layoutOf(work));
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
