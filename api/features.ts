import type { ApiRouter } from './http/routes.ts';
import type { AppContext } from './context.ts';
import { registerSystemRoutes } from './system/routes.ts';
import { registerLogRoutes } from './log/routes/index.ts';
import { registerIdentityRoutes } from './identity/routes/index.ts';
import { registerWorkRoutes } from './works/routes/index.ts';
import { registerVerifyRoutes } from './verify/routes.ts';
import { registerBundleRoutes } from './bundle/routes.ts';
import { registerSoftBindingRoutes } from './matching/soft-binding-routes/index.ts';
import { registerInspectRoutes } from './inspect/routes.ts';
import { registerTrustRoutes } from './trust/routes.ts';
import { registerContentCredentialRoutes } from './content-credentials/routes.ts';

export type Feature = (api: ApiRouter, ctx: AppContext) => void | Promise<void>;

/** Every feature folder contributes its routes here, in this order. */
export const features: Feature[] = [
  registerSystemRoutes,
  registerLogRoutes,
  registerIdentityRoutes,
  registerWorkRoutes,
  registerVerifyRoutes,
  registerBundleRoutes,
  registerInspectRoutes,
  registerSoftBindingRoutes,
  registerTrustRoutes,
  registerContentCredentialRoutes,
];
