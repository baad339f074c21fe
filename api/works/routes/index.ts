import type { ApiRouter } from '../../http/routes.ts';
import type { AppContext } from '../../context.ts';
import { RegistrationService } from '../registration-service.ts';
import { AttestationService } from '../attestation-service.ts';
import { WorkReader } from '../read-service.ts';
import type { WorkRouteDeps } from './inputs.ts';
import { registerRegistrationRoutes } from './registration.ts';
import { registerCatalogueRoutes } from './catalogue.ts';
import { registerWorkImageRoutes } from './images.ts';
import { registerProcessRoutes } from './process.ts';
import { registerAttestationRoutes } from './attestations.ts';
import { registerWorkActionRoutes } from './work-actions.ts';

/** The works feature, one module per resource; the order is the OpenAPI document's and Express's matching order. */
export function registerWorkRoutes(api: ApiRouter, ctx: AppContext): void {
  const deps: WorkRouteDeps = {
    ctx,
    registration: new RegistrationService(ctx),
    attestations: new AttestationService(ctx),
    reader: new WorkReader(ctx),
    session: (req) => ctx.sessions.require(req),
  };
  registerRegistrationRoutes(api, deps);
  registerCatalogueRoutes(api, deps);
  registerWorkImageRoutes(api, deps);
  registerProcessRoutes(api, deps);
  registerAttestationRoutes(api, deps);
  registerWorkActionRoutes(api, deps);
}
