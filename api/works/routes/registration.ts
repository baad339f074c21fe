import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import { receiptSchema } from '../schemas.ts';
import { requireFile, signedDraft, text, type WorkRouteDeps } from './inputs.ts';

const workForm = z.object({
  title: text(200).min(1),
  year: z.coerce.number().int().min(-50000).max(3000).optional(),
  medium: text(200).optional(),
  statement: text(4000).optional(),
  digitalSourceType: z.string().max(200).default('digitalCreation'),
  processIds: z
    .string()
    .max(4000)
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    )
    .pipe(z.array(z.uuid()).max(100)),
});

/** Registering a work: the draft to sign, then the signed credential. */
export function registerRegistrationRoutes(api: ApiRouter, { ctx, registration, session }: WorkRouteDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/works/drafts',
      summary: 'Step 1 of registration: fingerprint and screen the image, return the credential payload to sign',
      tags: ['works'],
      auth: true,
      upload: true,
      before: [ctx.limits.register],
      body: workForm,
      responses: {
        201: { description: 'the draft and the exact payload to sign (or `existingWork` when you registered this file already)' },
      },
    },
    async ({ req, res, file, body }) => {
      const result = await registration.createWorkDraft(await session(req), requireFile(file), body);
      res.status('existingWork' in result ? 200 : 201).json(result);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/works',
      summary: 'Step 2 of registration: the artist’s compact JWS (typ vc+jwt) over the draft payload; returns the receipt',
      tags: ['works'],
      auth: true,
      before: [ctx.limits.register],
      body: signedDraft,
      responses: { 201: { description: 'the receipt', schema: receiptSchema } },
    },
    async ({ req, res, body }) => {
      const receipt = await registration.registerWork(await session(req), body.draftId, body.jws);
      res.status(receipt.status).json(receipt.body);
    },
  );
}
