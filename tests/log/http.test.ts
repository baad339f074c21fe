import { calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { leafHash } from '../../api/log/merkle.ts';
import { verifyConsistency, verifyInclusion } from '../../api/log/verify/merkle-proof.ts';
import { openCheckpoint } from '../../api/log/note.ts';
import { parseVerifierKey } from '../../api/log/verify/note.ts';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';

const b64 = (hashes: string[]) => hashes.map((h) => Buffer.from(h, 'base64'));

describeEachDatabase('transparency log over HTTP', (backend) => {
  let server: TestServer;
  const getJson = async (path: string) => {
    const res = await server.fetch(path);
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
  };
  const append = (count: number, type = 'test.http') =>
    server.ctx.db.transaction().execute(async (trx) => {
      for (let i = 0; i < count; i++) await server.ctx.log.append(trx, { type, subjectId: `s${i}`, i });
    });

  beforeAll(async () => {
    server = await startTestServer(backend);
    await append(150);
  });
  afterAll(async () => server?.close());

  it('publishes the verifier key, the JWKS and a checkpoint signed by that key', async () => {
    const vkeyRes = await server.fetch('/v1/log/vkey');
    expect(vkeyRes.headers.get('content-type')).toContain('text/plain');
    const vkey = (await vkeyRes.text()).trim();
    const verifier = parseVerifierKey(vkey);
    expect(verifier.name).toBe(server.ctx.config.logOrigin);

    const cpRes = await server.fetch('/v1/log/checkpoint');
    expect(cpRes.status).toBe(200);
    expect(cpRes.headers.get('content-type')).toContain('text/plain');
    const checkpoint = openCheckpoint(await cpRes.text(), verifier);
    expect(checkpoint.size).toBe(150);

    const jwks = await getJson('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const [key] = jwks.body.keys as JWK[];
    expect(key).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      use: 'sig',
      alg: 'EdDSA',
      x: Buffer.from(verifier.publicKey).toString('base64url'),
    });
    expect(key!.kid).toBe(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: key!.x! }, 'sha256'));
    expect(key).not.toHaveProperty('d');
  });

  it('pages entries with a bounded page size; bodies hash to the checkpoint root', async () => {
    const first = await getJson('/v1/log/entries?start=0&end=150');
    expect(first.status).toBe(200);
    expect(first.body.entries).toHaveLength(100);
    expect(first.body).toMatchObject({ start: 0, end: 100, size: 150, next: '/v1/log/entries?start=100&end=150' });
    const second = await getJson(first.body.next);
    expect(second.body.entries.map((e: { index: number }) => e.index)).toEqual(Array.from({ length: 50 }, (_, i) => i + 100));
    expect(second.body.next).toBeUndefined();
    const entry = second.body.entries[7];
    const body = Buffer.from(entry.body, 'base64');
    expect(JSON.parse(body.toString())).toEqual(entry.entry);
    expect(entry.entry).toMatchObject({ type: 'test.http', i: 107 });
    const beyond = await getJson('/v1/log/entries?start=500');
    expect(beyond.body).toMatchObject({ entries: [], start: 500, size: 150 });
  });

  it('serves one entry with an inclusion proof against a signed checkpoint', async () => {
    const verifier = parseVerifierKey((await (await server.fetch('/v1/log/vkey')).text()).trim());
    const { status, body } = await getJson('/v1/log/entries/42');
    expect(status).toBe(200);
    const checkpoint = openCheckpoint(body.checkpoint, verifier);
    const leaf = leafHash(Buffer.from(body.body, 'base64'));
    expect(body.leafHash).toBe(leaf.toString('base64'));
    expect(body.inclusionProof).toMatchObject({ index: 42, size: checkpoint.size });
    expect(verifyInclusion(leaf, 42, checkpoint.size, b64(body.inclusionProof.hashes), checkpoint.rootHash)).toBe(true);
    expect((await getJson('/v1/log/entries/150')).body.code).toBe('not_found');
  });

  it('serves inclusion and consistency proofs that verify', async () => {
    const verifier = parseVerifierKey((await (await server.fetch('/v1/log/vkey')).text()).trim());
    const old = openCheckpoint(await (await server.fetch('/v1/log/checkpoint')).text(), verifier);
    await append(9, 'test.more');
    const now = openCheckpoint(await (await server.fetch('/v1/log/checkpoint')).text(), verifier);
    expect(now.size).toBe(159);
    const consistency = await getJson(`/v1/log/proof/consistency?from=${old.size}&to=${now.size}`);
    expect(consistency.body).toMatchObject({ from: 150, to: 159 });
    expect(verifyConsistency(old.size, now.size, old.rootHash, now.rootHash, b64(consistency.body.hashes))).toBe(true);
    const inclusion = await getJson(`/v1/log/proof/inclusion?index=155&size=${now.size}`);
    const { body: e } = await getJson('/v1/log/entries/155');
    expect(verifyInclusion(leafHash(Buffer.from(e.body, 'base64')), 155, now.size, b64(inclusion.body.hashes), now.rootHash)).toBe(true);
  });

  it('answers every bad argument with a 4xx problem', async () => {
    const bad = [
      '/v1/log/entries?start=-1',
      '/v1/log/entries?start=abc',
      '/v1/log/entries?start=1.5',
      '/v1/log/entries?start=10&end=5',
      '/v1/log/entries?start=99999999999999999999',
      '/v1/log/entries?start=1&start=2',
      '/v1/log/entries',
      '/v1/log/entries/-1',
      '/v1/log/entries/abc',
      '/v1/log/entries/99999999999999999999',
      '/v1/log/proof/inclusion?index=5',
      '/v1/log/proof/inclusion?index=5&size=5',
      '/v1/log/proof/inclusion?index=0&size=100000',
      '/v1/log/proof/inclusion?index=x&size=10',
      '/v1/log/proof/consistency?from=10&to=5',
      '/v1/log/proof/consistency?from=1&to=100000',
      '/v1/log/proof/consistency?from=-3&to=5',
      '/v1/log/proof/consistency?from=0x10&to=50',
      '/v1/log/proof/consistency?from=1e3&to=5000',
    ];
    for (const path of bad) {
      const res = await server.fetch(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers.get('content-type'), path).toContain('application/problem+json');
      const body = await res.json();
      expect(['validation_failed', 'invalid_log_range', 'not_found'], path).toContain(body.code);
    }
  });

  it('lists the log routes in the OpenAPI document', async () => {
    const doc = (await getJson('/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/log/checkpoint',
        '/v1/log/vkey',
        '/v1/log/entries',
        '/v1/log/entries/{index}',
        '/v1/log/proof/inclusion',
        '/v1/log/proof/consistency',
        '/.well-known/jwks.json',
      ]),
    );
  });
});
