import type { ApiRouter } from '../../http/routes.ts';
import type { AppContext } from '../../context.ts';
import { IdentityService } from '../service.ts';
import { registerSessionRoutes } from './session.ts';
import { registerAccountRoutes } from './accounts.ts';
import { registerKeyRoutes } from './keys.ts';

/** The identity feature, one module per resource, in the OpenAPI document's order. */
export function registerIdentityRoutes(api: ApiRouter, ctx: AppContext): void {
  const identity = new IdentityService(ctx, ctx.sessions);
  registerSessionRoutes(api, ctx, identity);
  registerAccountRoutes(api, ctx, identity);
  registerKeyRoutes(api, identity);
}
