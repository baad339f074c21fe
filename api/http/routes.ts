import express, { type Request, type Response, type Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { AppError } from '../errors.ts';

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';
type AnyObject = z.ZodType<Record<string, unknown>>;

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
}

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: Method;
  /** Express-style path, e.g. `/v1/works/:id`. */
  path: string;
  summary: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** multipart/form-data with one file in field `image`; the other fields are validated by `body`. */
  upload?: boolean;
  /** Extra middleware run before validation, e.g. a rate limiter. */
  before?: express.RequestHandler[];
  /** Marks the route as needing a session in the OpenAPI document. */
  auth?: boolean;
  /** Honours an `Idempotency-Key` header (api/http/idempotency.ts); default: the state-changing POSTs under /v1. */
  idempotent?: boolean;
  responses: Record<number, ResponseSpec>;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  file: Express.Multer.File | undefined;
  req: Request;
  res: Response;
}

/** A result the route handler returns: sent as JSON, or already sent when `undefined`. */
export type RouteResult = unknown | undefined;

export interface ApiRouter {
  router: Router;
  openapi: OpenAPIRegistry;
  maxUploadBytes: number;
  route<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(
    spec: RouteSpec<P, Q, B>,
    handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<RouteResult> | RouteResult,
  ): void;
}

/**
 * Every route is declared once: the zod schemas validate the request and generate the OpenAPI document,
 * so the document cannot drift from what the server accepts.
 */
export function createApiRouter(options: { maxUploadBytes: number; idempotency?: express.RequestHandler }): ApiRouter {
  const router = express.Router();
  const openapi = new OpenAPIRegistry();
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: options.maxUploadBytes, files: 1, fields: 30, fieldSize: 64 * 1024, parts: 40 },
  });

  function route<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(
    spec: RouteSpec<P, Q, B>,
    handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<RouteResult> | RouteResult,
  ): void {
    openapi.registerPath(toOpenApi(spec));
    const middleware: express.RequestHandler[] = [...(spec.before ?? [])];
    if (spec.upload) middleware.push(requireMultipart, upload.single('image'));
    if (options.idempotency && (spec.idempotent ?? isStateChanging(spec))) middleware.push(options.idempotency);
    router[spec.method](spec.path, ...middleware, async (req: Request, res: Response) => {
      const params = parse(spec.params, req.params, 'path parameter');
      const query = parse(spec.query, req.query, 'query parameter');
      const body = parse(spec.body, spec.upload ? { ...req.body } : req.body, spec.upload ? 'form field' : 'body');
      const result = await handler({ params, query, body, file: req.file, req, res } as never);
      if (result !== undefined && !res.headersSent) {
        const status = Number(Object.keys(spec.responses)[0] ?? 200);
        res.status(status).json(result);
      }
    });
  }

  return { router, openapi, route, maxUploadBytes: options.maxUploadBytes };
}

const STATE_CHANGING = /^\/v1\/(accounts|keys|works|process|attestations)(\/|$)/;
const isStateChanging = (spec: { method: Method; path: string }) => spec.method === 'post' && STATE_CHANGING.test(spec.path);

const requireMultipart: express.RequestHandler = (req, _res, next) => {
  if (!req.is('multipart/form-data')) {
    next(new AppError('unsupported_media_type', 'send the image as multipart/form-data in the field "image"'));
    return;
  }
  next();
};

function parse(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  const unstorable = unstorableText(value);
  if (unstorable !== undefined) {
    // PostgreSQL cannot store NUL in text, and a lone surrogate has no UTF-8 form: refused for every
    // route here, before any schema or query sees it (`GET /v1/accounts/%00/attestations` was a 500).
    throw new AppError('validation_failed', `${where} ${unstorable || where}: text must be valid Unicode without NUL characters`);
  }
  if (!schema) return value ?? {};
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.length ? issue.path.join('.') : where;
  throw new AppError('validation_failed', `${where} ${name}: ${issue.message}`, {
    errors: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/** NUL, or a UTF-16 surrogate that is not half of a pair (with the u flag, pairs read as one code point). */
const UNSTORABLE = /[\0\p{Cs}]/u;

/** Path of the first string (key or value) holding NUL or a lone surrogate, '' for the value itself. */
function unstorableText(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (typeof value !== 'object' || value === null || depth > 32) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (UNSTORABLE.test(key)) return at;
    const found = unstorableText(item, at, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details with a stable `code`' });

function toOpenApi(spec: RouteSpec<AnyObject, AnyObject, z.ZodType>): RouteConfig {
  const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  const request: RouteConfig['request'] = {};
  if (spec.params) request.params = spec.params as never;
  if (spec.query) request.query = spec.query as never;
  if (spec.idempotent ?? isStateChanging(spec)) {
    request.headers = z.object({
      'Idempotency-Key': z.string().max(255).optional().meta({ description: 'retry safely: the first answer is replayed for 24 h' }),
    }) as never;
  }
  if (spec.upload) {
    const fields = spec.body instanceof z.ZodObject ? spec.body.shape : {};
    request.body = {
      content: {
        'multipart/form-data': {
          schema: z.object({ ...fields, image: z.string().meta({ format: 'binary', description: 'the image file' }) }),
        },
      },
    };
  } else if (spec.body) {
    request.body = { content: { 'application/json': { schema: spec.body } } };
  }
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.schema || r.contentType ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema ?? z.string() } } } : {}),
    };
  }
  responses.default = {
    description: 'An error, as RFC 9457 problem details',
    content: { 'application/problem+json': { schema: problemSchema } },
  };
  return {
    method: spec.method,
    path,
    summary: spec.summary,
    tags: spec.tags,
    ...(spec.auth ? { security: [{ session: [] }, { bearer: [] }] } : {}),
    request,
    responses,
  };
}
