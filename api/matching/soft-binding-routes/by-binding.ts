import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import { AURA_PDQ_ALG, decodePdqBindingValue, requireSupportedAlgorithm, type SoftBindingResolver } from '../soft-binding.ts';
import { alg, maxResults, queryResultSchema, TAGS, value } from './schemas.ts';

/** /matches/byBinding: the PDQ hash given as a soft-binding value, in the query or a JSON body. */
export function registerByBindingRoutes(api: ApiRouter, resolver: SoftBindingResolver): void {
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
}
