import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { ApiRouter } from '../http/routes.ts';
import { inspectResponseSchema } from './schemas.ts';
import { inspectImage } from './service.ts';

export function registerInspectRoutes(api: ApiRouter, ctx: AppContext): void {
  api.route(
    {
      method: 'post',
      path: '/v1/inspect',
      summary: 'Fingerprints and public metadata evidence (camera, software, C2PA, AI markers) of an image; nothing is stored',
      tags: ['images'],
      upload: true,
      before: [ctx.limits.verify],
      body: z.object({}),
      responses: { 200: { description: 'the fingerprint and public evidence', schema: inspectResponseSchema } },
    },
    async ({ file }) => {
      if (!file) throw new AppError('bad_request', 'attach the image in the multipart field "image"');
      return inspectResponseSchema.parse(await inspectImage(ctx.ingest, file.buffer));
    },
  );
}
