import type { ApiRouter } from '../../http/routes.ts';
import { signedAction, workParams, type WorkRouteDeps } from './inputs.ts';

/** Signed actions on a registered work: the artist revokes it, anyone disputes it. */
export function registerWorkActionRoutes(api: ApiRouter, { attestations, session }: WorkRouteDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/works/:id/revoke',
      summary: 'The artist revokes a work (aura-action+jwt { action: "work.revoke", workId, reason?, iat })',
      tags: ['works'],
      auth: true,
      params: workParams,
      body: signedAction,
      responses: { 200: { description: 'revoked' } },
    },
    async ({ req, params, body }) => attestations.revokeWork(await session(req), params.id, body.jws),
  );
  api.route(
    {
      method: 'post',
      path: '/v1/works/:id/disputes',
      summary: 'Dispute a work (aura-action+jwt { action: "work.dispute", workId, reason, text, iat })',
      tags: ['works'],
      auth: true,
      params: workParams,
      body: signedAction,
      responses: { 201: { description: 'filed' } },
    },
    async ({ req, params, body }) => attestations.fileDispute(await session(req), params.id, body.jws),
  );
}
