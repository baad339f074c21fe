import { z } from 'zod';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { AppendedEntry } from './types.ts';
import { MAX_ENTRIES_PAGE, type TransparencyLogService } from './service.ts';
import { registryJwks } from '../trust/operator-key.ts';

const count = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .regex(/^(0|[1-9][0-9]{0,15})$/, `${name} must be a non-negative integer`)
    .transform(Number)
    .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER, `${name} is too large`));

const entrySchema = z
  .object({
    index: z.number().int(),
    body: z.string().meta({ description: 'base64 of the exact bytes that were leaf-hashed (RFC 8785 JSON)' }),
    entry: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'LogEntry' });

const inclusionSchema = z
  .object({ index: z.number().int(), size: z.number().int(), hashes: z.array(z.string()).meta({ description: 'base64, RFC 6962 order' }) })
  .meta({ id: 'InclusionProof' });

const consistencySchema = z
  .object({ from: z.number().int(), to: z.number().int(), hashes: z.array(z.string()) })
  .meta({ id: 'ConsistencyProof' });

const entriesPageSchema = z.object({
  entries: z.array(entrySchema),
  start: z.number().int(),
  end: z.number().int().meta({ description: 'exclusive end of the returned entries' }),
  size: z.number().int().meta({ description: 'current number of entries in the log' }),
  next: z.string().optional().meta({ description: 'the URL of the next page, when there is one' }),
});

const entryWithProofSchema = entrySchema.extend({
  leafHash: z.string(),
  inclusionProof: inclusionSchema,
  checkpoint: z.string().meta({ description: 'the signed note the proof is against' }),
});

const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.string())) });

const toJson = (e: AppendedEntry) => ({ index: e.index, body: e.body.toString('base64'), entry: e.entry });

export function registerLogRoutes(api: ApiRouter, ctx: AppContext): void {
  // Read at request time: the log is created by startServer before features are registered.
  const log = () => ctx.log as TransparencyLogService;
  const tags = ['log'];

  api.route(
    {
      method: 'get',
      path: '/v1/log/checkpoint',
      summary: 'The latest checkpoint: a C2SP tlog-checkpoint signed as a C2SP signed note',
      tags,
      responses: { 200: { description: 'the signed note', contentType: 'text/plain' } },
    },
    async ({ res }) => {
      const checkpoint = await log().checkpoint();
      res.setHeader('Cache-Control', 'no-cache');
      res.type('text/plain; charset=utf-8').send(checkpoint.note);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/log/vkey',
      summary: 'The log verifier key in note form <name>+<hex key id>+<base64(0x01 ‖ public key)>',
      tags,
      responses: { 200: { description: 'the verifier key', contentType: 'text/plain' } },
    },
    ({ res }) => {
      res.type('text/plain; charset=utf-8').send(`${log().verifierKey}\n`);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/log/entries',
      summary: `Entries [start, end), at most ${MAX_ENTRIES_PAGE} per page`,
      tags,
      query: z.object({ start: count('start'), end: count('end').optional() }),
      responses: { 200: { description: 'a page of entries', schema: entriesPageSchema } },
    },
    async ({ query }) => {
      const end = query.end ?? query.start + MAX_ENTRIES_PAGE;
      if (end < query.start) throw new AppError('invalid_log_range', `end (${end}) is before start (${query.start})`);
      const size = await log().size();
      const stop = Math.max(query.start, Math.min(end, size));
      const entries = await log().getEntries(query.start, stop);
      const returnedEnd = query.start + entries.length;
      const next = returnedEnd < stop ? `/v1/log/entries?start=${returnedEnd}&end=${end}` : undefined;
      return { entries: entries.map(toJson), start: query.start, end: returnedEnd, size, ...(next ? { next } : {}) };
    },
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
      const entry = await log().getEntry(params.index);
      if (!entry) throw new AppError('not_found', `log entry ${params.index} not found`);
      const checkpoint = await log().checkpoint();
      const inclusionProof = await log().inclusionProof(entry.index, checkpoint.size);
      return { ...toJson(entry), leafHash: entry.leafHash.toString('base64'), inclusionProof, checkpoint: checkpoint.note };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/log/proof/inclusion',
      summary: 'Inclusion proof of entry `index` in the tree of `size` entries (RFC 9162 §2.1.3)',
      tags,
      query: z.object({ index: count('index'), size: count('size') }),
      responses: { 200: { description: 'the proof', schema: inclusionSchema } },
    },
    ({ query }) => log().inclusionProof(query.index, query.size),
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
    ({ query }) => log().consistencyProof(query.from, query.to),
  );

  api.route(
    {
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: "The registry's public keys: the log key, and the operator key (aura_role operator) that verifies organisations; kid = RFC 7638 thumbprint",
      tags,
      responses: { 200: { description: 'a JWK set', schema: jwksSchema } },
    },
    ({ res }) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      return registryJwks(log().publicJwk, ctx.operator);
    },
  );
}
