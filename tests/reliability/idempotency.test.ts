import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { accountProofPayload, generateIdentity, nowSeconds, sign, signCredential } from '../../scripts/lib/aura-client.ts';
import { fixedClock } from '../../api/clock.ts';
import { decide, parseIdempotencyKey, requestFingerprint, RETENTION_MS, type StoredAnswer } from '../../api/http/idempotency.ts';
import { countRows, pngFile, signedInAccount, type SignedIn } from './support.ts';

describe('idempotency rules', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  const stored = (over: Partial<StoredAnswer> = {}): StoredAnswer => ({
    fingerprint: 'f1',
    status: 201,
    content_type: 'application/json',
    response: Buffer.from('{"ok":true}'),
    locked_until: new Date(now.getTime() - 1000),
    expires_at: new Date(now.getTime() + RETENTION_MS),
    ...over,
  });

  it('replays a finished answer to the same request and refuses a different one', () => {
    expect(decide(stored(), 'f1', now)).toMatchObject({ kind: 'replay', status: 201, body: Buffer.from('{"ok":true}') });
    expect(decide(stored(), 'f2', now)).toEqual({ kind: 'conflict' });
  });

  it('waits for a live claim, takes over a dead one, forgets an expired one', () => {
    const inFlight = { status: null, response: null, content_type: null };
    expect(decide(stored({ ...inFlight, locked_until: new Date(now.getTime() + 5000) }), 'f1', now)).toEqual({ kind: 'in-flight' });
    expect(decide(stored({ ...inFlight }), 'f1', now)).toEqual({ kind: 'take-over' });
    expect(decide(stored({ expires_at: now }), 'f2', now)).toEqual({ kind: 'claim-expired' });
  });

  it('accepts keys of visible ASCII only', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('0b0a8c3e-retry-1')).toBe('0b0a8c3e-retry-1');
    for (const bad of ['', 'has space', 'x'.repeat(256), 'é', ['a', 'b']])
      expect(() => parseIdempotencyKey(bad)).toThrow(/Idempotency-Key/);
  });

  it('fingerprints method, path, body and uploaded file', () => {
    const base = { method: 'POST', originalUrl: '/v1/works', body: { a: 1 }, file: undefined };
    const fp = requestFingerprint(base)!;
    expect(requestFingerprint({ ...base })).toBe(fp);
    expect(requestFingerprint({ ...base, body: { a: 2 } })).not.toBe(fp);
    expect(requestFingerprint({ ...base, originalUrl: '/v1/process' })).not.toBe(fp);
    const file = (bytes: string) => ({ fieldname: 'image', buffer: Buffer.from(bytes) }) as Express.Multer.File;
    expect(requestFingerprint({ ...base, file: file('x') })).not.toBe(requestFingerprint({ ...base, file: file('y') }));
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(requestFingerprint({ ...base, body: deep })).toBeUndefined();
  });
});

describeEachDatabase('Idempotency-Key', (backend) => {
  let server: TestServer;
  let artist: SignedIn;
  const clock = fixedClock(new Date());

  beforeAll(async () => {
    server = await startTestServer(backend, { clock });
    artist = await signedInAccount(server.url, 'idem-artist');
  });
  afterAll(async () => server?.close());

  const post = (path: string, body: unknown, key: string | undefined, token = artist.client.token) =>
    server.fetch(path, {
      method: 'POST',
      headers: {
        ...(body instanceof FormData ? {} : { 'content-type': 'application/json' }),
        ...(key ? { 'idempotency-key': key } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body instanceof FormData ? body : JSON.stringify(body),
    });

  it('replays account creation instead of failing on the taken handle', async () => {
    const identity = await generateIdentity();
    const account = { handle: 'idem-new', displayName: 'New', kind: 'artist' as const };
    const proof = await sign(identity, accountProofPayload(identity, account, nowSeconds()), 'aura-account+jwt');
    const body = { ...account, jwk: identity.publicJwk, proof };
    const first = await post('/v1/accounts', body, 'acct-1', undefined);
    expect(first.status).toBe(201);
    const firstBody = await first.text();
    const before = await countRows(server.ctx.db);
    const retry = await post('/v1/accounts', body, 'acct-1', undefined);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.text()).toBe(firstBody);
    expect(await countRows(server.ctx.db)).toEqual(before);
    // Without the key the retry really runs again, and fails: the handle is taken.
    expect((await post('/v1/accounts', body, undefined, undefined)).status).toBe(409);
  });

  it('a registration retried after a lost response does not duplicate the work or its log entry', async () => {
    const image = pngFile(await renderArtwork(401));
    const form = () => artist.client.form(image, { title: 'Retried' });
    const draftRes = await post('/v1/works/drafts', form(), 'draft-401');
    expect(draftRes.status).toBe(201);
    const draft = await draftRes.json();
    const draftAgain = await post('/v1/works/drafts', form(), 'draft-401');
    expect(draftAgain.headers.get('idempotent-replayed')).toBe('true');
    expect((await draftAgain.json()).draftId).toBe(draft.draftId);

    const jws = await signCredential(artist.identity, draft.payload);
    const before = await countRows(server.ctx.db);
    // The first attempt is cut off by the client right after sending: its answer is lost.
    const lost = post('/v1/works', { draftId: draft.draftId, jws }, 'commit-401');
    await lost.then((r) => r.body?.cancel()).catch(() => {});
    let receipt: Response | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      receipt = await post('/v1/works', { draftId: draft.draftId, jws }, 'commit-401');
      if (receipt.status !== 409) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(receipt!.status).toBe(201);
    expect(receipt!.headers.get('idempotent-replayed')).toBe('true');
    const body = await receipt!.json();
    const again = await (await post('/v1/works', { draftId: draft.draftId, jws }, 'commit-401')).json();
    expect(again).toEqual(body);
    const after = await countRows(server.ctx.db);
    expect(after.works).toBe(before.works! + 1);
    expect(after.log_entries).toBe(before.log_entries! + 1);
    const entries = await server.ctx.db
      .selectFrom('log_entries')
      .select('idx')
      .where('subject_id', '=', body.workId)
      .where('type', '=', 'work.registered')
      .execute();
    expect(entries).toEqual([{ idx: body.logIndex }]);
  });

  it('refuses the same key on a different request with 409 idempotency_conflict', async () => {
    const { workId } = await artist.client.registerWork(artist.identity, pngFile(await renderArtwork(402)), { title: 'Disputed' });
    const critic = await signedInAccount(server.url, 'idem-critic');
    const dispute = async (text: string) => ({
      jws: await sign(critic.identity, { action: 'work.dispute', workId, reason: 'copied', text, iat: nowSeconds() }, 'aura-action+jwt'),
    });
    expect((await post(`/v1/works/${workId}/disputes`, await dispute('first'), 'dispute-1', critic.client.token)).status).toBe(201);
    const other = await post(`/v1/works/${workId}/disputes`, await dispute('second'), 'dispute-1', critic.client.token);
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect((await other.json()).code).toBe('idempotency_conflict');
    // The key is per account: another account may use the same one.
    const second = await signedInAccount(server.url, 'idem-critic-2');
    const theirs = {
      jws: await sign(
        second.identity,
        { action: 'work.dispute', workId, reason: 'copied', text: 'mine', iat: nowSeconds() },
        'aura-action+jwt',
      ),
    };
    expect((await post(`/v1/works/${workId}/disputes`, theirs, 'dispute-1', second.client.token)).status).toBe(201);
    const rows = await server.ctx.db.selectFrom('disputes').select('text').where('work_id', '=', workId).orderBy('text').execute();
    expect(rows.map((r) => r.text)).toEqual(['first', 'mine']);
  });

  it('concurrent duplicates produce one dispute and the same answer for all', async () => {
    const { workId } = await artist.client.registerWork(artist.identity, pngFile(await renderArtwork(403)), { title: 'Raced' });
    const body = {
      jws: await sign(
        artist.identity,
        { action: 'work.dispute', workId, reason: 'copied', text: 'race', iat: nowSeconds() },
        'aura-action+jwt',
      ),
    };
    const before = await countRows(server.ctx.db);
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(`/v1/works/${workId}/disputes`, body, 'race-1')));
    const texts = await Promise.all(answers.map((a) => a.text()));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(texts).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    const after = await countRows(server.ctx.db);
    expect(after.disputes).toBe(before.disputes! + 1);
    expect(after.log_entries).toBe(before.log_entries! + 1);
  });

  it('takes over the claim of a request whose process died, and forgets keys after 24 hours', async () => {
    const { workId } = await artist.client.registerWork(artist.identity, pngFile(await renderArtwork(404)), { title: 'Orphaned' });
    const now = clock.now();
    await server.ctx.db
      .insertInto('idempotency_keys')
      .values({
        scope: (await server.ctx.db.selectFrom('accounts').select('id').where('handle', '=', 'idem-artist').executeTakeFirstOrThrow()).id,
        key: 'dead-1',
        fingerprint: 'x',
        status: null,
        content_type: null,
        response: null,
        locked_until: new Date(now.getTime() - 1),
        expires_at: new Date(now.getTime() + RETENTION_MS),
      })
      .execute();
    const revoke = { jws: await sign(artist.identity, { action: 'work.revoke', workId, iat: nowSeconds() }, 'aura-action+jwt') };
    // A different fingerprint under a live record is a conflict, even when the claim is dead.
    expect((await post(`/v1/works/${workId}/revoke`, revoke, 'dead-1')).status).toBe(409);
    await server.ctx.db
      .updateTable('idempotency_keys')
      .set({ fingerprint: await fingerprintOf(`/v1/works/${workId}/revoke`, revoke) })
      .where('key', '=', 'dead-1')
      .execute();
    const taken = await post(`/v1/works/${workId}/revoke`, revoke, 'dead-1');
    expect(taken.status).toBe(200);
    expect(taken.headers.get('idempotent-replayed')).toBeNull();

    clock.advance(RETENTION_MS + 1000);
    await artist.client.signIn(artist.identity);
    const other = {
      jws: await sign(
        artist.identity,
        { action: 'work.dispute', workId, reason: 'copied', text: 'later', iat: Math.floor(clock.now().getTime() / 1000) },
        'aura-action+jwt',
      ),
    };
    const reused = await post(`/v1/works/${workId}/disputes`, other, 'dead-1');
    expect(reused.status).toBe(201);
  });

  it('refuses a malformed key', async () => {
    const res = await post('/v1/works', { draftId: crypto.randomUUID(), jws: 'a.b.c' }, 'bad key with spaces');
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toMatch(/Idempotency-Key/);
  });

  it('documents the header in the OpenAPI document', async () => {
    const doc = await (await server.fetch('/openapi.json')).json();
    const params = doc.paths['/v1/works'].post.parameters as Array<{ name: string; in: string }>;
    expect(params).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
    expect(doc.paths['/v1/verify'].post.parameters ?? []).not.toContainEqual(expect.objectContaining({ name: 'Idempotency-Key' }));
  });
});

async function fingerprintOf(path: string, body: unknown): Promise<string> {
  return requestFingerprint({ method: 'POST', originalUrl: path, body, file: undefined })!;
}
