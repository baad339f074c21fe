import type { ApiRouter } from '../../http/routes.ts';
import type { AppContext } from '../../context.ts';
import { registerCheckpointRoutes } from './checkpoint.ts';
import { registerEntryRoutes } from './entries.ts';
import { registerProofRoutes } from './proofs.ts';
import { registerJwksRoute } from './jwks.ts';

/** The transparency log feature, one module per resource, in the OpenAPI document's order. */
export function registerLogRoutes(api: ApiRouter, ctx: AppContext): void {
  const tags = ['log'];
  registerCheckpointRoutes(api, ctx.log, tags);
  registerEntryRoutes(api, ctx.log, tags);
  registerProofRoutes(api, ctx.log, tags);
  registerJwksRoute(api, ctx, tags);
}
