import { z } from 'zod';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { buildBundle } from './build.ts';
import { BUNDLE_MEDIA_TYPE, bundleSchema } from './format.ts';

export function registerBundleRoutes(api: ApiRouter, ctx: AppContext): void {
  api.route(
    {
      method: 'get',
      path: '/v1/works/:id/bundle',
      summary: 'Offline proof bundle: credentials, log entries with inclusion proofs, checkpoint, key history, verifier key',
      tags: ['works', 'log'],
      params: z.object({ id: z.uuid() }),
      responses: {
        200: { description: 'the bundle; check it with `aura verify-bundle`', schema: bundleSchema, contentType: BUNDLE_MEDIA_TYPE },
      },
    },
    async ({ params, res }) => {
      const bundle = await buildBundle(ctx, params.id);
      res.setHeader('Content-Disposition', `attachment; filename="aura-${params.id}.bundle.json"`);
      res.type(BUNDLE_MEDIA_TYPE).send(JSON.stringify(bundle, null, 2));
    },
  );
}
