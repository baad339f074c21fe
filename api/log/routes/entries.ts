import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import { AppError } from '../../errors.ts';
import { MAX_ENTRIES_PAGE, type TransparencyLogService } from '../service.ts';
import { count, entriesPageSchema, entryWithProofSchema, toJson } from '../schemas.ts';

/** Log entries: a page of them, or one with its inclusion proof. */
export function registerEntryRoutes(api: ApiRouter, log: TransparencyLogService, tags: string[]): void {
  api.route(
    {
      method: 'get',
      path: '/v1/log/entries',
      summary: `Entries [start, end), at most ${MAX_ENTRIES_PAGE} per page`,
      tags,
      query: z.object({ start: count('start'), end: count('end').optional() }),
      responses: { 200: { description: 'a page of entries', schema: entriesPageSchema } },
    },
    ({ query }) => entriesPage(log, query.start, query.end ?? query.start + MAX_ENTRIES_PAGE),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/log/entries/:index',
      summary: 'One entry with its inclusion proof against the latest checkpoint',
      tags,
      params: z.object({ index: count('index') }),
      responses: { 200: { description: 'the entry and its proof', schema: entryWithProofSchema } },
    },
    async ({ params }) => {
      const entry = await log.getEntry(params.index);
      if (!entry) throw new AppError('not_found', `log entry ${params.index} not found`);
      const checkpoint = await log.checkpoint();
      const inclusionProof = await log.inclusionProof(entry.index, checkpoint.size);
      return { ...toJson(entry), leafHash: entry.leafHash.toString('base64'), inclusionProof, checkpoint: checkpoint.note };
    },
  );
}

/** Entries [start, min(end, size)), at most one page; `next` links the rest of the requested range. */
async function entriesPage(log: TransparencyLogService, start: number, end: number) {
  if (end < start) throw new AppError('invalid_log_range', `end (${end}) is before start (${start})`);
  const size = await log.size();
  const stop = Math.max(start, Math.min(end, size));
  const entries = await log.getEntries(start, stop);
  const returnedEnd = start + entries.length;
  const next = returnedEnd < stop ? `/v1/log/entries?start=${returnedEnd}&end=${end}` : undefined;
  return { entries: entries.map(toJson), start, end: returnedEnd, size, ...(next ? { next } : {}) };
}
