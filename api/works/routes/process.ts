import type { Request } from 'express';
import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import { requireFile, signedDraft, text, workParams, type WorkRouteDeps } from './inputs.ts';

const processForm = z.object({ note: text(1000).optional() });

/** Work-in-progress images, on their own or attached to a registered work. */
export function registerProcessRoutes(api: ApiRouter, { ctx, registration, session }: WorkRouteDeps): void {
  const processDraft = async (req: Request, file: Express.Multer.File | undefined, workId: string | undefined, note: string | undefined) =>
    registration.createProcessDraft(await session(req), requireFile(file), workId, note);

  api.route(
    {
      method: 'post',
      path: '/v1/process/drafts',
      summary: 'A work-in-progress image before the final is registered (link it with processIds later)',
      tags: ['works'],
      auth: true,
      upload: true,
      before: [ctx.limits.register],
      body: processForm,
      responses: { 201: { description: 'draft and payload to sign' } },
    },
    ({ req, file, body }) => processDraft(req, file, undefined, body.note),
  );
  api.route(
    {
      method: 'post',
      path: '/v1/process',
      summary: 'Register a signed work-in-progress image',
      tags: ['works'],
      auth: true,
      body: signedDraft,
      responses: { 201: { description: 'receipt' } },
    },
    async ({ req, body }) => registration.registerProcess(await session(req), body.draftId, body.jws, undefined),
  );
  api.route(
    {
      method: 'post',
      path: '/v1/works/:id/process/drafts',
      summary: 'A work-in-progress image of a registered work',
      tags: ['works'],
      auth: true,
      upload: true,
      params: workParams,
      before: [ctx.limits.register],
      body: processForm,
      responses: { 201: { description: 'draft and payload to sign' } },
    },
    ({ req, file, params, body }) => processDraft(req, file, params.id, body.note),
  );
  api.route(
    {
      method: 'post',
      path: '/v1/works/:id/process',
      summary: 'Register a signed work-in-progress image of a work',
      tags: ['works'],
      auth: true,
      params: workParams,
      body: signedDraft,
      responses: { 201: { description: 'receipt' } },
    },
    async ({ req, params, body }) => registration.registerProcess(await session(req), body.draftId, body.jws, params.id),
  );
}
