import type { ApiRouter } from '../../http/routes.ts';
import type { AppContext } from '../../context.ts';
import { registryJwks } from '../../trust/operator-key.ts';
import { jwksSchema } from '../schemas.ts';

/** The registry's public keys as a JWK set. */
export function registerJwksRoute(api: ApiRouter, ctx: AppContext, tags: string[]): void {
  api.route(
    {
      method: 'get',
      path: '/.well-known/jwks.json',
      summary:
        "The registry's public keys: the log key, and the operator key (aura_role operator) that verifies organisations; kid = RFC 7638 thumbprint",
      tags,
      responses: { 200: { description: 'a JWK set', schema: jwksSchema } },
    },
    ({ res }) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      return registryJwks(ctx.log.publicJwk, ctx.operator);
    },
  );
}
