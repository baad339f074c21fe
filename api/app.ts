import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import helmet from 'helmet';
import type { AppContext } from './context.ts';
import { createApiRouter } from './http/routes.ts';
import { notFoundRoute, problemHandler } from './http/problem.ts';
import { requestLogging } from './http/request-context.ts';
import { idempotencyMiddleware } from './http/idempotency.ts';
import { buildOpenApiDocument, docsRouter } from './system/routes.ts';
import { features } from './features.ts';

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');
const API_PREFIXES = ['/v1/', '/matches/', '/manifests/', '/services/', '/.well-known/', '/healthz', '/readyz', '/openapi.json', '/docs'];

export async function createApp(ctx: AppContext): Promise<express.Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.config.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestLogging(ctx.logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: { 'img-src': ["'self'", 'data:', 'blob:'], 'upgrade-insecure-requests': null },
      },
    }),
  );
  app.use(express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] }));

  const api = createApiRouter({ maxUploadBytes: ctx.config.maxUploadBytes, idempotency: idempotencyMiddleware(ctx) });
  for (const feature of features) await feature(api, ctx);
  let openApiDocument: Record<string, unknown> | undefined;
  app.use(docsRouter(() => (openApiDocument ??= buildOpenApiDocument(api.openapi, ctx.config.publicUrl))));
  app.use(api.router);
  serveWeb(app);
  app.use(notFoundRoute);
  app.use(problemHandler);
  return app;
}

/** The built front end; any other GET that wants HTML gets index.html so client-side routes work. */
function serveWeb(app: express.Express): void {
  const index = path.join(WEB_DIST, 'index.html');
  app.use(express.static(WEB_DIST, { index: false, maxAge: '1h' }));
  app.get(/.*/, (req, res, next) => {
    const isApi = API_PREFIXES.some((p) => req.path === p.replace(/\/$/, '') || req.path.startsWith(p));
    if (isApi || !req.accepts('html') || !fs.existsSync(index)) return next();
    res.sendFile(index);
  });
}
