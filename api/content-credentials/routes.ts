import { z } from 'zod';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { loadOrCreateC2paCredentials } from './signing-credentials.ts';
import { ContentCredentialsService } from './service.ts';

export const C2PA_MEDIA_TYPE = 'application/c2pa';
export const CA_CERTIFICATE_PATH = '/.well-known/aura/c2pa-ca.pem';
export const AURA_VERSION = '0.1.0';

/** Credentialed downloads (POST /v1/works/:id/content-credentials), /manifests/{id} and the published CA. */
export async function registerContentCredentialRoutes(api: ApiRouter, ctx: AppContext): Promise<void> {
  const credentials = await loadOrCreateC2paCredentials({
    envCert: ctx.config.c2paCert,
    envKey: ctx.config.c2paKey,
    dataDir: ctx.config.dataDir,
    commonName: new URL(ctx.config.publicUrl).host,
  });
  ctx.logger.info({ source: credentials.source, signer: credentials.chain[0]!.subject }, 'C2PA signing certificate loaded');
  const service = new ContentCredentialsService(ctx, credentials, { publicUrl: ctx.config.publicUrl, name: 'Aura', version: AURA_VERSION });
  registerCredentialedDownloadRoute(api, ctx, service);
  registerManifestRoute(api, service);
  registerCaCertificateRoute(api, credentials.trustAnchorsPem);
}

function registerCredentialedDownloadRoute(api: ApiRouter, ctx: AppContext, service: ContentCredentialsService): void {
  api.route(
    {
      method: 'post',
      path: '/v1/works/:id/content-credentials',
      summary:
        'The artist’s own file of a work (multipart `image`: the registered file, or a copy that matches it) returned with an embedded C2PA manifest signed by the registry',
      tags: ['works', 'c2pa'],
      auth: true,
      upload: true,
      params: z.object({ id: z.string().min(1).max(100) }),
      before: [ctx.limits.register],
      responses: {
        200: {
          description: 'the same image, same format, with Content Credentials (header C2PA-Manifest-Id names the manifest)',
          contentType: 'image/*',
        },
      },
    },
    async ({ req, res, params, file }) => {
      if (!file) throw new AppError('bad_request', 'attach the image in the multipart field "image"');
      const download = await service.credential(await ctx.sessions.require(req), params.id, file.buffer);
      res.setHeader('C2PA-Manifest-Id', download.manifestId);
      res.setHeader('Content-Disposition', `attachment; filename="aura-${params.id}.c2pa.${download.extension}"`);
      res.setHeader('Cache-Control', 'no-store');
      res.type(download.mimeType).send(Buffer.from(download.bytes));
    },
  );
}

function registerManifestRoute(api: ApiRouter, service: ContentCredentialsService): void {
  api.route(
    {
      method: 'get',
      path: '/manifests/:manifestId',
      summary: 'A C2PA manifest store (C2PA soft-binding resolution API): by manifest label (urn:c2pa:…) or by work id (its newest)',
      tags: ['c2pa soft binding'],
      params: z.object({ manifestId: z.string().min(1).max(200) }),
      responses: { 200: { description: 'the manifest store (JUMBF)', contentType: C2PA_MEDIA_TYPE } },
    },
    async ({ params, res }) => {
      const stored = await service.manifest(params.manifestId);
      res.setHeader('Cache-Control', 'public, max-age=86400, immutable');
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      res.setHeader('C2PA-Manifest-Id', stored.manifestId);
      res.type(C2PA_MEDIA_TYPE).send(stored.manifestStore);
    },
  );
}

function registerCaCertificateRoute(api: ApiRouter, trustAnchorsPem: string): void {
  api.route(
    {
      method: 'get',
      path: CA_CERTIFICATE_PATH,
      summary: 'The certificate a C2PA validator adds to its trust anchors to trust this registry’s manifests (PEM)',
      tags: ['c2pa'],
      responses: { 200: { description: 'PEM certificate(s)', contentType: 'application/x-pem-file' } },
    },
    ({ res }) => {
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.type('application/x-pem-file').send(trustAnchorsPem);
    },
  );
}
