import type { ApiRouter } from '../../http/routes.ts';
import { renderBadge, type BadgeWitness } from '../badge.ts';
import { workParams, type WorkRouteDeps } from './inputs.ts';

/** Images other sites embed: the thumbnail and the evidence-level badge. */
export function registerWorkImageRoutes(api: ApiRouter, { reader }: WorkRouteDeps): void {
  api.route(
    {
      method: 'get',
      path: '/v1/works/:id/thumbnail',
      summary: 'The work’s thumbnail (WebP, at most 512 px, no metadata)',
      tags: ['works'],
      params: workParams,
      responses: { 200: { description: 'thumbnail', contentType: 'image/webp' } },
    },
    async ({ params, res }) => {
      const image = await reader.thumbnail(params.id);
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      res.setHeader('Cache-Control', 'public, max-age=86400, immutable');
      res.type('image/webp').send(image);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/works/:id/badge.svg',
      summary: 'An embeddable badge showing the work’s evidence level',
      tags: ['works'],
      params: workParams,
      responses: { 200: { description: 'badge', contentType: 'image/svg+xml' } },
    },
    async ({ params, res }) => {
      const work = await reader.getWork(params.id);
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      res.type('image/svg+xml').send(
        renderBadge({
          title: work.title,
          artist: work.artist.handle,
          level: work.evidenceLevel.level,
          levelName: work.evidenceLevel.name,
          revoked: work.revoked,
          disputed: work.openDisputes > 0,
          witness: badgeWitness(work.attestations),
        }),
      );
    },
  );
}

/** The organisation a badge names: one whose attestation counts toward the level, else the first valid one. */
function badgeWitness(
  attestations: Array<{
    valid: boolean;
    countsTowardLevel: boolean;
    issuer: { handle: string; verified: boolean; verification: { since: string } | null };
  }>,
): BadgeWitness | undefined {
  const a = attestations.find((x) => x.countsTowardLevel) ?? attestations.find((x) => x.valid);
  return (
    a && { handle: a.issuer.handle, verified: a.countsTowardLevel, since: a.countsTowardLevel ? a.issuer.verification?.since : undefined }
  );
}
