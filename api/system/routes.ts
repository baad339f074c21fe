import { createRequire } from 'node:module';
import path from 'node:path';
import express from 'express';
import { z } from 'zod';
import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { pingDatabase } from '../../db/open.ts';
import { AppError } from '../errors.ts';

const statusSchema = z.object({ status: z.string(), database: z.string().optional() });

export function registerSystemRoutes(api: ApiRouter, ctx: AppContext): void {
  api.route(
    {
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process is serving',
      tags: ['system'],
      responses: { 200: { description: 'alive', schema: statusSchema } },
    },
    () => ({ status: 'ok' }),
  );
  api.route(
    {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: the database is reachable and migrated',
      tags: ['system'],
      responses: { 200: { description: 'ready', schema: statusSchema } },
    },
    async ({ res }) => {
      try {
        await pingDatabase(ctx.db);
      } catch {
        res.setHeader('Retry-After', '5');
        throw new AppError('database_unavailable', 'the database is not reachable');
      }
      if (!ctx.readiness.migrated) {
        res.setHeader('Retry-After', '5');
        throw new AppError('database_unavailable', 'the database schema is not migrated yet');
      }
      return { status: 'ready', database: ctx.dbKind };
    },
  );
}

export function buildOpenApiDocument(registry: OpenAPIRegistry, serverUrl: string): Record<string, unknown> {
  registry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'aura_session' });
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Aura API',
      version: '0.1.0',
      description: 'Provenance registry for human-made art. Errors are RFC 9457 problem details with a stable `code`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: serverUrl }],
  }) as unknown as Record<string, unknown>;
}

/** /openapi.json and /docs (Swagger UI served from node_modules, no CDN). */
export function docsRouter(getDocument: () => Record<string, unknown>): express.Router {
  const router = express.Router();
  const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  router.get('/openapi.json', (_req, res) => {
    res.json(getDocument());
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res
      .type('application/javascript')
      .send(`window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`);
  });
  router.use('/docs/assets', express.static(swaggerDir, { index: false, maxAge: '1d' }));
  return router;
}

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Aura API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;
