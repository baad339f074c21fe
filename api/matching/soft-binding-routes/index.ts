import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import type { AppContext } from '../../context.ts';
import { SoftBindingResolver, SUPPORTED_FINGERPRINTS } from '../soft-binding.ts';
import { TAGS } from './schemas.ts';
import { registerByBindingRoutes } from './by-binding.ts';
import { registerByContentRoutes } from './by-content.ts';

const algListSchema = z
  .object({ watermarks: z.array(z.object({ alg: z.string() })), fingerprints: z.array(z.object({ alg: z.string() })) })
  .meta({ id: 'SoftBindingAlgList', description: 'C2PA c2pa.softBindingAlgList' });

/** The C2PA Soft Binding Resolution API (query side): GET/POST /matches/byBinding, POST /matches/byContent and /matches/byReference. */
export function registerSoftBindingRoutes(api: ApiRouter, ctx: AppContext): void {
  const resolver = new SoftBindingResolver(ctx.db, ctx.config.publicUrl);

  api.route(
    {
      method: 'get',
      path: '/services/supportedAlgorithms',
      summary: 'Soft-binding algorithms this service resolves (C2PA soft-binding resolution API)',
      tags: TAGS,
      responses: { 200: { description: 'the supported algorithms', schema: algListSchema } },
    },
    () => ({ watermarks: [], fingerprints: SUPPORTED_FINGERPRINTS.map((a) => ({ alg: a })) }),
  );
  registerByBindingRoutes(api, resolver);
  registerByContentRoutes(api, ctx, resolver);
}
