import type { ApiRouter } from '../../http/routes.ts';
import type { AppContext } from '../../context.ts';
import type { TransparencyLogService } from '../service.ts';
import { registerCheckpointRoutes } from './checkpoint.ts';
import { registerEntryRoutes } from './entries.ts';
import { registerProofRoutes } from './proofs.ts';
import { registerJwksRoute } from './jwks.ts';

/** The transparency log feature, one module per resource, in the OpenAPI document's order. */
export function registerLogRoutes(api: ApiRouter, ctx: AppContext): void {
  // Read at request time: the log is created by startServer before features are registered.
  const log = () => ctx.log as TransparencyLogService;
  const tags = ['log'];
  registerCheckpointRoutes(api, log, tags);
  registerEntryRoutes(api, log, tags);
  registerProofRoutes(api, log, tags);
  registerJwksRoute(api, ctx, log, tags);
}
