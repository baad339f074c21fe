import { z } from 'zod';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { VerifyService } from './service.ts';
import { verificationReportSchema } from './schemas.ts';

export function registerVerifyRoutes(api: ApiRouter, ctx: AppContext): void {
  const service = new VerifyService(ctx);
  api.route(
    {
      method: 'post',
      path: '/v1/verify',
      summary: 'Does this image match a registered human-made work? Best match first; `matches: []` when none is within the threshold',
      tags: ['verify'],
      upload: true,
      before: [ctx.limits.verify],
      body: z.object({}),
      responses: { 200: { description: 'the verification report', schema: verificationReportSchema } },
    },
    ({ file }) => {
      if (!file) throw new AppError('bad_request', 'attach the image in the multipart field "image"');
      return service.verify(file.buffer);
    },
  );
}
