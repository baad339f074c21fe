import express, { type RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fetchReference } from './reference-fetch.ts';
import {
  AURA_PDQ_ALG,
  decodePdqBindingValue,
  requireSupportedAlgorithm,
  SoftBindingResolver,
  SUPPORTED_FINGERPRINTS,
} from './soft-binding.ts';

const TAGS = ['c2pa soft binding'];

const maxResults = z.coerce.number().int().min(1).max(100).default(10).describe('the most manifest identifiers to return');
const alg = z.string().min(1).max(200).describe(`soft-binding algorithm; this service resolves "${AURA_PDQ_ALG}"`);
const value = z
  .string()
  .min(1)
  .max(200)
  .describe('base64 of the 32 bytes of the 256-bit PDQ hash (standard or URL-safe alphabet)');

const queryResultSchema = z
  .object({
    matches: z.array(
      z.object({
        manifestId: z.string().describe('the work id; its record is /v1/works/{manifestId}, its proof bundle /v1/works/{manifestId}/bundle'),
        endpoint: z.string().describe('the manifest repository: GET {endpoint}/manifests/{manifestId} returns the manifest store (application/c2pa)'),
        similarityScore: z.number().int().min(0).max(100),
        aura: z.object({
          workUrl: z.string(),
          distance: z.number().int(),
          exact: z.boolean(),
          kind: z.enum(['exact', 'same', 'similar']),
          revoked: z.boolean(),
        }),
      }),
    ),
  })
  .meta({ id: 'SoftBindingQueryResult', description: 'C2PA c2pa.softBindingQueryResult, with Aura fields under `aura`' });

const algListSchema = z
  .object({ watermarks: z.array(z.object({ alg: z.string() })), fingerprints: z.array(z.object({ alg: z.string() })) })
  .meta({ id: 'SoftBindingAlgList', description: 'C2PA c2pa.softBindingAlgList' });

/** The C2PA Soft Binding Resolution API (query side): GET/POST /matches/byBinding, POST /matches/byContent. */
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

  api.route(
    {
      method: 'get',
      path: '/matches/byBinding',
      summary: `Works whose PDQ hash is within the match threshold of a soft-binding value (alg "${AURA_PDQ_ALG}")`,
      tags: TAGS,
      query: z.object({ alg, value, maxResults }),
      responses: { 200: { description: 'matching manifests, best first', schema: queryResultSchema } },
    },
    async ({ query }) => {
      requireSupportedAlgorithm(query.alg);
      return { matches: await resolver.byBinding(decodePdqBindingValue(query.value), query.maxResults) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/matches/byBinding',
      summary: 'The same lookup with the binding in a JSON body { alg, value }',
      tags: TAGS,
      query: z.object({ maxResults }),
      body: z.object({ alg, value }),
      responses: { 200: { description: 'matching manifests, best first', schema: queryResultSchema } },
    },
    async ({ query, body }) => {
      requireSupportedAlgorithm(body.alg);
      return { matches: await resolver.byBinding(decodePdqBindingValue(body.value), query.maxResults) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/matches/byContent',
      summary:
        'Works matching an uploaded image: the raw image as the body (Content-Type image/*, as in the C2PA API) or multipart with the file in "image". Same lookup as /v1/verify.',
      tags: TAGS,
      query: z.object({ alg: alg.optional(), maxResults, hintAlg: z.string().max(200).optional(), hintValue: z.string().max(200).optional() }),
      before: [ctx.limits.verify, imageBody(ctx.config.maxUploadBytes)],
      responses: { 200: { description: 'matching manifests, best first', schema: queryResultSchema } },
    },
    async ({ query, req }) => {
      if (query.alg !== undefined) requireSupportedAlgorithm(query.alg);
      const bytes = req.file?.buffer ?? (Buffer.isBuffer(req.body) ? req.body : undefined);
      if (!bytes || bytes.length === 0) throw new AppError('bad_request', 'send the image as the request body (Content-Type image/*) or as multipart field "image"');
      const fingerprint = await ctx.ingest.fingerprint(bytes);
      return { matches: await resolver.byContent(fingerprint, query.maxResults) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/matches/byReference',
      summary: 'Works matching the asset at a URL (JSON { referenceUrl, assetLength?, assetType? }); the registry fetches it (no redirects, public addresses only). Same lookup as /v1/verify.',
      tags: TAGS,
      query: z.object({ alg: alg.optional(), maxResults }),
      body: z.object({
        referenceUrl: z.url({ protocol: /^https?$/ }).max(2000),
        assetLength: z.number().int().positive().optional(),
        assetType: z.string().max(100).optional(),
      }),
      before: [ctx.limits.verify],
      responses: { 200: { description: 'matching manifests, best first', schema: queryResultSchema } },
    },
    async ({ query, body }) => {
      if (query.alg !== undefined) requireSupportedAlgorithm(query.alg);
      if (body.assetLength !== undefined && body.assetLength > ctx.config.maxUploadBytes) {
        throw new AppError('payload_too_large', `assets larger than ${ctx.config.maxUploadBytes} bytes are not fetched`);
      }
      const bytes = await fetchReference(body.referenceUrl, { maxBytes: ctx.config.maxUploadBytes, timeoutMs: 10_000, allowPrivate: ctx.config.referenceFetchPrivate });
      const fingerprint = await ctx.ingest.fingerprint(bytes);
      return { matches: await resolver.byContent(fingerprint, query.maxResults) };
    },
  );
}

/** The asset arrives raw (image/*, application/octet-stream) or as multipart; anything else is a 415. */
function imageBody(maxBytes: number): RequestHandler {
  const raw = express.raw({ type: () => true, limit: maxBytes });
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 12 } }).single('image');
  return (req, res, next) => {
    if (req.is('multipart/form-data')) return upload(req, res, next);
    if (req.is(['image/*', 'application/octet-stream'])) return raw(req, res, next);
    next(new AppError('unsupported_media_type', 'send an image: Content-Type image/* with the bytes as the body, or multipart/form-data with the file in "image"'));
  };
}
