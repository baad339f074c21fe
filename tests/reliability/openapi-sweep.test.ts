import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { countRows, signedInAccount, type SignedIn } from './support.ts';

/**
 * Every route of the OpenAPI document, every path and query parameter, hostile values: never a 5xx,
 * every refusal an application/problem+json, and nothing written.
 */
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
}

/** Already URL-encoded, as an attacker would put them on the wire. */
const HOSTILE: Record<string, string> = {
  NUL: '%00',
  'NUL inside': 'a%00b',
  'lone surrogate (UTF-8 bytes of U+D800)': '%ED%A0%80',
  'lone surrogate (%uD800)': '%uD800',
  'truncated UTF-8': '%F0%9F',
  'malformed escape': '%ZZ',
  '10 kB string': 'x'.repeat(10_240),
  'dot-dot-slash': '..%2F..%2F..%2Fetc%2Fpasswd',
  backslashes: '..%5C..%5Cwindows',
  negative: '-1',
  'huge integer': '99999999999999999999999',
  'overflowing float': '1e309',
  NaN: 'NaN',
  fraction: '1.5',
  hex: '0x10',
  empty: '',
  JSON: '%7B%22%24ne%22%3A1%7D',
  SQL: "'%20OR%201%3D1--",
};
/** Only for query parameters: the same name twice, and bracket syntax (arrays and objects where scalars are expected). */
const QUERY_SHAPES: Record<string, (name: string) => string> = {
  'array (repeated)': (n) => `${n}=1&${n}=2`,
  'array (brackets)': (n) => `${n}[]=1&${n}[]=2`,
  'object (brackets)': (n) => `${n}[a]=1`,
};

describeEachDatabase('OpenAPI sweep', (backend) => {
  let server: TestServer;
  let artist: SignedIn;
  let operations: Operation[];

  beforeAll(async () => {
    server = await startTestServer(backend);
    artist = await signedInAccount(server.url, 'sweep-artist');
    const doc = (await (await server.fetch('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path: p,
        parameters: (op.parameters ?? []).filter((x) => x.in === 'path' || x.in === 'query'),
      })),
    );
  }, 120_000);
  afterAll(async () => server?.close());

  /** A well-formed value for every other path parameter, so only the one under test is hostile. */
  const plausible = (name: string) => (name === 'handle' ? artist.handle : /kid/i.test(name) ? `k${'A'.repeat(42)}` : randomUUID());

  function requestsFor(op: Operation): { label: string; url: string }[] {
    const fill = (hostileName: string, hostileValue: string) =>
      op.path.replace(/\{([^}]+)\}/g, (_, name: string) => (name === hostileName ? hostileValue : encodeURIComponent(plausible(name))));
    const out: { label: string; url: string }[] = [];
    for (const param of op.parameters) {
      for (const [what, value] of Object.entries(HOSTILE)) {
        const url = param.in === 'path' ? fill(param.name, value) : `${fill('', '')}?${param.name}=${value}`;
        out.push({ label: `${op.method} ${op.path} ${param.in} ${param.name}: ${what}`, url });
      }
      if (param.in === 'query') {
        for (const [what, shape] of Object.entries(QUERY_SHAPES))
          out.push({ label: `${op.method} ${op.path} query ${param.name}: ${what}`, url: `${fill('', '')}?${shape(param.name)}` });
      }
    }
    return out;
  }

  it('answers every hostile parameter of every route with 2xx or a 4xx problem+json, and writes nothing', async () => {
    expect(operations.length).toBeGreaterThan(20);
    const requests = operations.flatMap((op) => requestsFor(op).map((r) => ({ ...r, method: op.method })));
    expect(requests.length).toBeGreaterThan(300);
    const before = await countRows(server.ctx.db);
    const failures: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < requests.length) {
          const r = requests[next++]!;
          const init: RequestInit = { method: r.method, headers: { authorization: `Bearer ${artist.client.token}` } };
          if (r.method !== 'GET' && r.method !== 'HEAD') {
            init.body = '{}';
            (init.headers as Record<string, string>)['content-type'] = 'application/json';
          }
          const res = await fetch(server.url + r.url, init);
          const type = res.headers.get('content-type') ?? '';
          await res.arrayBuffer();
          if (res.status >= 500) failures.push(`${r.label} → ${res.status}`);
          else if (res.status >= 400 && !type.includes('application/problem+json')) failures.push(`${r.label} → ${res.status} ${type}`);
        }
      }),
    );
    console.info(`OpenAPI sweep [${backend}]: ${requests.length} hostile requests over ${operations.length} operations`);
    expect(failures).toEqual([]);
    expect(await countRows(server.ctx.db)).toEqual(before);
    expect((await server.fetch('/healthz')).status).toBe(200);
  }, 300_000);
});
