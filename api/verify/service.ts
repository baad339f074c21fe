import type { AppContext } from '../context.ts';
import { WorkReader } from '../works/read-service.ts';
import { describeTransform, NEAR_MISS_NOTE } from '../matching/policy.ts';
import { matchImage } from '../matching/accepted.ts';
import { fingerprintSummary } from '../images/summary.ts';
import { contentCredentialsReport } from '../content-credentials/report.ts';
import { SoftBindingResolver } from '../matching/soft-binding.ts';

const MAX_REPORTED_MATCHES = 10;

/** A viewer's question: does this image match a registered human-made work, and who stands behind it? */
export class VerifyService {
  private readonly reader: WorkReader;
  constructor(private readonly ctx: AppContext) {
    this.reader = new WorkReader(ctx);
  }

  async verify(image: Buffer) {
    const { fingerprint: fp, evidence } = await this.ctx.ingest.analyze(image, { thumbnail: false, metadata: 'best-effort' });
    const [report, credentials] = await Promise.all([matchImage(this.ctx.db, fp), this.ctx.ingest.contentCredentials(image)]);
    const resolver = new SoftBindingResolver(this.ctx.db, this.ctx.config.publicUrl);
    const contentCredentials = await contentCredentialsReport({
      read: credentials,
      pixelMatches: report.matches.map((a) => a.work.id),
      resolveBinding: async (pdq) => (await resolver.byBinding(pdq, 10)).map((m) => m.manifestId),
      levelOf: async (id) => {
        const view = await this.reader.getWork(id).catch(() => undefined);
        return view ? { level: view.evidenceLevel.level, name: view.evidenceLevel.name } : undefined;
      },
    });
    const matches = [];
    for (const { candidate: c, work, judgement } of report.matches.slice(0, MAX_REPORTED_MATCHES)) {
      const view = await this.reader.describe(work);
      matches.push({
        workId: work.id,
        distance: c.distance,
        exact: c.exact,
        similarity: judgement.similarity,
        verdict: judgement.kind,
        maxDistance: judgement.maxDistance,
        ...(judgement.note ? { note: judgement.note } : {}),
        transform: describeTransform(c, judgement.localFeatures),
        matchedOn: {
          query: c.queryLabel,
          stored: c.storedLabel,
          ...(judgement.localFeatures ? { localFeatures: judgement.localFeatures } : {}),
        },
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
    // Close but past the rule: named honestly as similar, never as the same image.
    const nearMisses = [];
    for (const { candidate: c, work } of report.nearMisses.slice(0, MAX_REPORTED_MATCHES)) {
      const view = await this.reader.describe(work);
      nearMisses.push({
        workId: work.id,
        distance: c.distance,
        verdict: 'similar' as const,
        note: NEAR_MISS_NOTE,
        work: { id: view.id, url: view.url, title: view.title, artist: view.artist, thumbnailUrl: view.thumbnailUrl },
      });
    }
    return {
      ...fingerprintSummary(fp),
      evidence: evidence.public,
      contentCredentials,
      matches,
      nearMisses,
    };
  }
}
