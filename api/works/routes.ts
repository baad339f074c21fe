import { z } from 'zod';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { compactJwsSchema, handleSchema } from '../identity/schemas.ts';
import { RegistrationService } from './registration-service.ts';
import { AttestationService, ATTESTATION_TYPES } from './attestation-service.ts';
import { WorkReader } from './read-service.ts';
import { renderBadge, type BadgeWitness } from './badge.ts';
import { workListSchema, workViewSchema } from './schemas.ts';

const id = z.uuid();
const workParams = z.object({ id });
const text = (max: number) => z.string().trim().max(max);
const signedDraft = z.object({ draftId: z.uuid(), jws: compactJwsSchema });
const signedAction = z.object({ jws: compactJwsSchema });

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
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []))
    .pipe(z.array(z.uuid()).max(100)),
});

const receiptSchema = z
  .object({
    workId: z.string().optional(),
    url: z.string().optional(),
    logIndex: z.number().int(),
    inclusionProof: z.object({ index: z.number().int(), size: z.number().int(), hashes: z.array(z.string()) }),
    checkpoint: z.string(),
  })
  .meta({ id: 'Receipt' });

const requireFile = (file: Express.Multer.File | undefined) => {
  if (!file) throw new AppError('bad_request', 'attach the image in the multipart field "image"');
  return file.buffer;
};

export function registerWorkRoutes(api: ApiRouter, ctx: AppContext): void {
  const registration = new RegistrationService(ctx);
  const attestations = new AttestationService(ctx);
  const reader = new WorkReader(ctx);
  const session = (req: Parameters<typeof ctx.sessions.require>[0]) => ctx.sessions.require(req);

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
      responses: { 201: { description: 'the draft and the exact payload to sign (or `existingWork` when you registered this file already)' } },
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

  api.route(
    {
      method: 'get',
      path: '/v1/works',
      summary: 'Browse and search registered works by title or artist',
      tags: ['works'],
      query: z.object({
        q: z.string().max(200).optional(),
        artist: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(24),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      }),
      responses: { 200: { description: 'a page of works', schema: workListSchema } },
    },
    ({ query }) => reader.list(query),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/accounts/:handle/attestations',
      summary: 'Attestations issued by an organisation, newest first',
      tags: ['attestations'],
      params: z.object({ handle: handleSchema }),
      query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }),
      responses: { 200: { description: 'attestations issued' } },
    },
    ({ params, query }) => reader.attestationsIssuedBy(params.handle, query.limit, query.offset),
  );

  api.route(
    { method: 'get', path: '/v1/works/:id', summary: 'A work: credential, artist, evidence level, attestations, disputes', tags: ['works'], params: workParams, responses: { 200: { description: 'the work', schema: workViewSchema } } },
    ({ params }) => reader.getWork(params.id),
  );

  api.route(
    { method: 'get', path: '/v1/works/:id/timeline', summary: 'The log entries about a work, in log order', tags: ['works'], params: workParams, responses: { 200: { description: 'timeline' } } },
    async ({ params }) => ({ entries: await reader.timeline(params.id) }),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/works/:id/thumbnail',
      summary: 'The work’s thumbnail (WebP, at most 512 px, no metadata)',
      tags: ['works'],
      params: workParams,
      responses: { 200: { description: 'thumbnail', contentType: 'image/webp' } },
    },
    async ({ params, res }) => {
      const image = await reader.thumbnail(params.id);
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      res.setHeader('Cache-Control', 'public, max-age=86400, immutable');
      res.type('image/webp').send(image);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/works/:id/badge.svg',
      summary: 'An embeddable badge showing the work’s evidence level',
      tags: ['works'],
      params: workParams,
      responses: { 200: { description: 'badge', contentType: 'image/svg+xml' } },
    },
    async ({ params, res }) => {
      const work = await reader.getWork(params.id);
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      res.type('image/svg+xml').send(
        renderBadge({
          title: work.title,
          artist: work.artist.handle,
          level: work.evidenceLevel.level,
          levelName: work.evidenceLevel.name,
          revoked: work.revoked,
          disputed: work.openDisputes > 0,
          witness: badgeWitness(work.attestations),
        }),
      );
    },
  );

  const processDraft = async (req: Parameters<typeof session>[0], file: Express.Multer.File | undefined, workId: string | undefined, note: string | undefined) =>
    registration.createProcessDraft(await session(req), requireFile(file), workId, note);
  const processForm = z.object({ note: text(1000).optional() });

  api.route(
    { method: 'post', path: '/v1/process/drafts', summary: 'A work-in-progress image before the final is registered (link it with processIds later)', tags: ['works'], auth: true, upload: true, before: [ctx.limits.register], body: processForm, responses: { 201: { description: 'draft and payload to sign' } } },
    ({ req, file, body }) => processDraft(req, file, undefined, body.note),
  );
  api.route(
    { method: 'post', path: '/v1/process', summary: 'Register a signed work-in-progress image', tags: ['works'], auth: true, body: signedDraft, responses: { 201: { description: 'receipt' } } },
    async ({ req, body }) => registration.registerProcess(await session(req), body.draftId, body.jws, undefined),
  );
  api.route(
    { method: 'post', path: '/v1/works/:id/process/drafts', summary: 'A work-in-progress image of a registered work', tags: ['works'], auth: true, upload: true, params: workParams, before: [ctx.limits.register], body: processForm, responses: { 201: { description: 'draft and payload to sign' } } },
    ({ req, file, params, body }) => processDraft(req, file, params.id, body.note),
  );
  api.route(
    { method: 'post', path: '/v1/works/:id/process', summary: 'Register a signed work-in-progress image of a work', tags: ['works'], auth: true, params: workParams, body: signedDraft, responses: { 201: { description: 'receipt' } } },
    async ({ req, params, body }) => registration.registerProcess(await session(req), body.draftId, body.jws, params.id),
  );

  api.route(
    {
      method: 'post',
      path: '/v1/works/:id/attestations/drafts',
      summary: 'An organisation prepares an attestation; returns the credential payload to sign',
      tags: ['attestations'],
      auth: true,
      params: workParams,
      body: z.object({
        type: z.enum(ATTESTATION_TYPES),
        note: text(2000).optional(),
        date: z.iso.date().optional(),
      }),
      responses: { 201: { description: 'draft and payload to sign' } },
    },
    async ({ req, params, body }) => attestations.createAttestationDraft(await session(req), params.id, body),
  );
  api.route(
    { method: 'post', path: '/v1/works/:id/attestations', summary: 'Issue a signed attestation (typ vc+jwt) about a work', tags: ['attestations'], auth: true, params: workParams, body: signedDraft, responses: { 201: { description: 'issued' } } },
    async ({ req, params, body }) => attestations.issueAttestation(await session(req), params.id, body.draftId, body.jws),
  );
  api.route(
    { method: 'post', path: '/v1/attestations/:id/revoke', summary: 'The issuer revokes an attestation (aura-action+jwt { action: "attestation.revoke", attestationId, iat })', tags: ['attestations'], auth: true, params: workParams, body: signedAction, responses: { 200: { description: 'revoked' } } },
    async ({ req, params, body }) => attestations.revokeAttestation(await session(req), params.id, body.jws),
  );
  api.route(
    { method: 'post', path: '/v1/works/:id/revoke', summary: 'The artist revokes a work (aura-action+jwt { action: "work.revoke", workId, reason?, iat })', tags: ['works'], auth: true, params: workParams, body: signedAction, responses: { 200: { description: 'revoked' } } },
    async ({ req, params, body }) => attestations.revokeWork(await session(req), params.id, body.jws),
  );
  api.route(
    { method: 'post', path: '/v1/works/:id/disputes', summary: 'Dispute a work (aura-action+jwt { action: "work.dispute", workId, reason, text, iat })', tags: ['works'], auth: true, params: workParams, body: signedAction, responses: { 201: { description: 'filed' } } },
    async ({ req, params, body }) => attestations.fileDispute(await session(req), params.id, body.jws),
  );
}

/** The organisation a badge names: one whose attestation counts toward the level, else the first valid one. */
function badgeWitness(attestations: Array<{ valid: boolean; countsTowardLevel: boolean; issuer: { handle: string; verified: boolean; verification: { since: string } | null } }>): BadgeWitness | undefined {
  const a = attestations.find((x) => x.countsTowardLevel) ?? attestations.find((x) => x.valid);
  return a && { handle: a.issuer.handle, verified: a.countsTowardLevel, since: a.countsTowardLevel ? a.issuer.verification?.since : undefined };
}
