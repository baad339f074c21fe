import { z } from 'zod';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { handleSchema } from '../identity/schemas.ts';
import { DomainLinker } from './domain-link.ts';

const domainLinkSchema = z.object({
  domain: z.string(),
  url: z.string(),
  kids: z.array(z.string()),
  documentSha256: z.string(),
  linkedAt: z.string(),
  logIndex: z.number().int(),
});

export function registerTrustRoutes(api: ApiRouter, ctx: AppContext): void {
  const linker = new DomainLinker(ctx);

  api.route(
    {
      method: 'post',
      path: '/v1/accounts/:handle/domains',
      summary:
        'Signed in as the organisation: link a domain. The registry fetches https://<domain>/.well-known/aura.json ({ "handle", "keys": [kid…] }) and logs organization.domain-linked. Evidence for the operator, not level 3 by itself.',
      tags: ['identity'],
      auth: true,
      before: [ctx.limits.register],
      params: z.object({ handle: handleSchema }),
      body: z.object({ domain: z.string().min(1).max(260).meta({ example: 'harbour-gallery.example' }) }),
      responses: { 201: { description: 'the domain is linked', schema: domainLinkSchema } },
    },
    async ({ req, params, body }) => linker.link(await ctx.sessions.require(req), params.handle, body.domain),
  );
}
