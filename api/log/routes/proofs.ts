import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import type { TransparencyLogService } from '../service.ts';
import { consistencySchema, count, inclusionSchema } from '../schemas.ts';

/** Inclusion and consistency proofs between any two tree sizes. */
export function registerProofRoutes(api: ApiRouter, log: TransparencyLogService, tags: string[]): void {
  api.route(
    {
      method: 'get',
      path: '/v1/log/proof/inclusion',
      summary: 'Inclusion proof of entry `index` in the tree of `size` entries (RFC 9162 §2.1.3)',
      tags,
      query: z.object({ index: count('index'), size: count('size') }),
      responses: { 200: { description: 'the proof', schema: inclusionSchema } },
    },
    ({ query }) => log.inclusionProof(query.index, query.size),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/log/proof/consistency',
      summary: 'Consistency proof between the trees of `from` and `to` entries (RFC 9162 §2.1.4)',
      tags,
      query: z.object({ from: count('from'), to: count('to') }),
      responses: { 200: { description: 'the proof', schema: consistencySchema } },
    },
    ({ query }) => log.consistencyProof(query.from, query.to),
  );
}
