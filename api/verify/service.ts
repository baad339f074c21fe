import type { AppContext } from '../context.ts';
import { analyzeImage } from '../images/analyze.ts';
import { findMatches } from '../matching/service.ts';
import * as worksRepo from '../works/repository.ts';
import { WorkReader } from '../works/read-service.ts';
import { describeTransform, judgeMatch, queryHashes } from '../works/match-policy.ts';

const MAX_REPORTED_MATCHES = 10;

/** A viewer's question: does this image match a registered human-made work, and who stands behind it? */
export class VerifyService {
  private readonly reader: WorkReader;
  constructor(private readonly ctx: AppContext) {
    this.reader = new WorkReader(ctx);
  }

  async verify(image: Buffer) {
    const { fingerprint: fp, evidence } = await analyzeImage(image, {
      maxBytes: this.ctx.config.maxUploadBytes,
      maxPixels: this.ctx.config.maxPixels,
    });
    const candidates = await findMatches(this.ctx.db, { sha256: fp.sha256, hashes: queryHashes(fp) });
    const works = new Map((await worksRepo.findWorksByIds(this.ctx.db, candidates.map((c) => c.workId))).map((w) => [w.id, w]));
    const matches = [];
    for (const c of candidates) {
      const work = works.get(c.workId);
      if (!work) continue;
      const judgement = judgeMatch(c, fp.pdqQuality, work.pdq_quality);
      if (!judgement.accepted) continue;
      const view = await this.reader.describe(work);
      matches.push({
        workId: work.id,
        distance: c.distance,
        exact: c.exact,
        similarity: judgement.similarity,
        verdict: judgement.kind,
        ...(judgement.note ? { note: judgement.note } : {}),
        transform: describeTransform(c),
        matchedOn: { query: c.queryLabel, stored: c.storedLabel },
        work: {
          id: view.id,
          url: view.url,
          title: view.title,
          year: view.year,
          artist: view.artist,
          registeredAt: view.registeredAt,
          digitalSourceType: view.digitalSourceType,
          composite: view.composite,
          thumbnailUrl: view.thumbnailUrl,
        },
        evidenceLevel: view.evidenceLevel,
        signature: view.signature,
        attestations: view.attestations,
        disputes: view.disputes,
        revoked: view.revoked,
        logIndex: view.logIndex,
      });
      if (matches.length >= MAX_REPORTED_MATCHES) break;
    }
    return {
      sha256: fp.sha256,
      pdq: fp.pdq,
      pdqQuality: fp.pdqQuality,
      width: fp.width,
      height: fp.height,
      format: fp.format,
      evidence: evidence.public,
      matches,
    };
  }
}
