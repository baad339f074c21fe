import type { AppContext } from '../context.ts';
import { WorkReader } from '../works/read-service.ts';
import { describeTransform } from '../works/match-policy.ts';
import { findAcceptedMatches } from '../works/matches.ts';
import { fingerprintSummary } from '../images/summary.ts';

const MAX_REPORTED_MATCHES = 10;

/** A viewer's question: does this image match a registered human-made work, and who stands behind it? */
export class VerifyService {
  private readonly reader: WorkReader;
  constructor(private readonly ctx: AppContext) {
    this.reader = new WorkReader(ctx);
  }

  async verify(image: Buffer) {
    const { fingerprint: fp, evidence } = await this.ctx.ingest.analyze(image, { thumbnail: false, metadata: 'best-effort' });
    const matches = [];
    for (const { candidate: c, work, judgement } of (await findAcceptedMatches(this.ctx.db, fp)).slice(0, MAX_REPORTED_MATCHES)) {
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
    }
    return {
      ...fingerprintSummary(fp),
      evidence: evidence.public,
      matches,
    };
  }
}
