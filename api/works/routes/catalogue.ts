import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import { handleSchema } from '../../identity/schemas.ts';
import { workListSchema, workViewSchema } from '../schemas.ts';
import { workParams, type WorkRouteDeps } from './inputs.ts';

const page = (defaultLimit: number) => ({
  limit: z.coerce.number().int().min(1).max(100).default(defaultLimit),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** Public reads: browsing works, one work, its timeline, and what an organisation attested. */
export function registerCatalogueRoutes(api: ApiRouter, { reader }: WorkRouteDeps): void {
  api.route(
    {
      method: 'get',
      path: '/v1/works',
      summary: 'Browse and search registered works by title or artist',
      tags: ['works'],
      query: z.object({
        q: z.string().max(200).optional(),
        artist: z.string().max(64).optional(),
        ...page(24),
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
      query: z.object(page(50)),
      responses: { 200: { description: 'attestations issued' } },
    },
    ({ params, query }) => reader.attestationsIssuedBy(params.handle, query.limit, query.offset),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/works/:id',
      summary: 'A work: credential, artist, evidence level, attestations, disputes',
      tags: ['works'],
      params: workParams,
      responses: { 200: { description: 'the work', schema: workViewSchema } },
    },
    ({ params }) => reader.getWork(params.id),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/works/:id/timeline',
      summary: 'The log entries about a work, in log order',
      tags: ['works'],
      params: workParams,
      responses: { 200: { description: 'timeline' } },
    },
    async ({ params }) => ({ entries: await reader.timeline(params.id) }),
  );
}
