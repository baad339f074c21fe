import { afterAll, beforeAll, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';

interface DocumentedOperation {
  parameters?: Array<{ in: string; name: string }>;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

describeEachDatabase('foundation over HTTP', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  it('answers liveness and readiness', async () => {
    const health = await server.fetch('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(200);
    expect((await ready.json()).database).toBe(backend);
  });

  it('echoes a safe X-Request-Id and makes one up otherwise', async () => {
    const mine = await server.fetch('/healthz', { headers: { 'X-Request-Id': 'abc-123' } });
    expect(mine.headers.get('x-request-id')).toBe('abc-123');
    const hostile = await server.fetch('/healthz', { headers: { 'X-Request-Id': 'bad id <script>' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown API routes with problem+json 404', async () => {
    const res = await server.fetch('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ status: 404, code: 'route_not_found' });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers malformed JSON with problem+json 400', async () => {
    const res = await server.fetch('/v1/auth/challenge', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken": ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).code).toBe('invalid_json');
  });

  it('serves security headers', async () => {
    const res = await server.fetch('/healthz');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('publishes an OpenAPI 3.1 document listing every route, and a docs page without CDN', async () => {
    const doc = await (await server.fetch('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const validation = await new Validator().validate(doc);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/readyz',
        '/v1/verify',
        '/v1/works/drafts',
        '/v1/works/{id}/bundle',
        '/v1/log/checkpoint',
        '/v1/accounts',
      ]),
    );
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'code', 'detail']);
    for (const [path, ops] of Object.entries<Record<string, DocumentedOperation>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(
          Object.keys(op.responses).filter((status) => /^[23]\d\d$/.test(status)),
          `${where} declares its success`,
        ).not.toEqual([]);
        expect(op.responses.default?.content?.['application/problem+json']?.schema, `${where} answers errors as problem+json`).toEqual({
          $ref: '#/components/schemas/Problem',
        });
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared, `${where} declares its path parameters`).toEqual(inPath);
      }
    }
    const docs = await (await server.fetch('/docs')).text();
    expect(docs).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(docs).not.toMatch(/https?:\/\/(?!localhost)/);
    expect((await server.fetch('/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });
});
