import express, { type RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { fetchReference } from '../reference-fetch.ts';
import { requireSupportedAlgorithm, type SoftBindingResolver } from '../soft-binding.ts';
import { alg, maxResults, queryResultSchema, TAGS } from './schemas.ts';

/** /matches/byContent (the image uploaded) and /matches/byReference (the image fetched from a URL). */
export function registerByContentRoutes(api: ApiRouter, ctx: AppContext, resolver: SoftBindingResolver): void {
  api.route(
    {
      method: 'post',
      path: '/matches/byContent',
      summary:
        'Works matching an uploaded image: the raw image as the body (Content-Type image/*, as in the C2PA API) or multipart with the file in "image". Same lookup as /v1/verify.',
      tags: TAGS,
      query: z.object({
        alg: alg.optional(),
        maxResults,
        hintAlg: z.string().max(200).optional(),
        hintValue: z.string().max(200).optional(),
      }),
      before: [ctx.limits.verify, imageBody(ctx.config.maxUploadBytes)],
      responses: { 200: { description: 'matching manifests, best first', schema: queryResultSchema } },
    },
    async ({ query, req }) => {
      if (query.alg !== undefined) requireSupportedAlgorithm(query.alg);
      const bytes = req.file?.buffer ?? (Buffer.isBuffer(req.body) ? req.body : undefined);
      if (!bytes || bytes.length === 0)
        throw new AppError('bad_request', 'send the image as the request body (Content-Type image/*) or as multipart field "image"');
      const fingerprint = await ctx.ingest.fingerprint(bytes);
      return { matches: await resolver.byContent(fingerprint, query.maxResults) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/matches/byReference',
      summary:
        'Works matching the asset at a URL (JSON { referenceUrl, assetLength?, assetType? }); the registry fetches it (no redirects, public addresses only). Same lookup as /v1/verify.',
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
      const bytes = await fetchReference(body.referenceUrl, {
        maxBytes: ctx.config.maxUploadBytes,
        timeoutMs: 10_000,
        allowPrivate: ctx.config.referenceFetchPrivate,
      });
      const fingerprint = await ctx.ingest.fingerprint(bytes);
      return { matches: await resolver.byContent(fingerprint, query.maxResults) };
    },
  );
}

/** The asset arrives raw (image/*, application/octet-stream) or as multipart; anything else is a 415. */
function imageBody(maxBytes: number): RequestHandler {
  const raw = express.raw({ type: () => true, limit: maxBytes });
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 12 } }).single(
    'image',
  );
  return (req, res, next) => {
    if (req.is('multipart/form-data')) return upload(req, res, next);
    if (req.is(['image/*', 'application/octet-stream'])) return raw(req, res, next);
    return next(
      new AppError(
        'unsupported_media_type',
        'send an image: Content-Type image/* with the bytes as the body, or multipart/form-data with the file in "image"',
      ),
    );
  };
}
