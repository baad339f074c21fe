import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { AuraClient, generateIdentity } from '../../scripts/lib/aura-client.ts';
import { pngFile } from './support.ts';

describeEachDatabase('abuse limits', (backend) => {
  let server: TestServer;
  let image: Buffer;

  beforeAll(async () => {
    server = await startTestServer(backend, {
      env: {
        AURA_RATE_LIMIT_PER_MINUTE: '3',
        AURA_RATE_LIMIT_SIGNIN_PER_MINUTE: '4',
        AURA_RATE_LIMIT_REGISTER_PER_MINUTE: '2',
        AURA_REQUEST_TIMEOUT_MS: '1000',
      },
    });
    image = await renderArtwork(901, { width: 200, height: 150 });
  });
  afterAll(async () => server?.close());

  const expectLimited = async (res: Response) => {
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.json();
    expect(body.code).toBe('rate_limited');
    expect(body.detail).toMatch(/retry after \d+ seconds/);
  };

  it('limits verify, inspect and C2PA byContent together per client', async () => {
    const client = new AuraClient(server.url);
    const upload = (path: string) => server.fetch(path, { method: 'POST', body: client.form(pngFile(image)) });
    expect((await upload('/v1/verify')).status).toBe(200);
    expect((await upload('/v1/inspect')).status).toBe(200);
    expect((await upload('/matches/byContent')).status).toBe(200);
    await expectLimited(await upload('/v1/verify'));
    await expectLimited(await upload('/v1/inspect'));
    await expectLimited(await upload('/matches/byContent'));
    // Reads that cost nothing are not limited.
    expect((await server.fetch('/v1/log/checkpoint')).status).toBe(200);
  });

  it('limits sign-in and account creation', async () => {
    const identity = await generateIdentity();
    const client = new AuraClient(server.url);
    await client.createAccount(identity, { handle: 'limited', displayName: 'Limited', kind: 'artist' });
    await client.signIn(identity); // challenge + session: 3 of 4
    expect((await server.fetch('/v1/auth/challenge', { method: 'POST' })).status).toBe(201);
    await expectLimited(await server.fetch('/v1/auth/challenge', { method: 'POST' }));

    const err = await client.signIn(identity).catch((e) => e);
    expect(err.status).toBe(429);
    // The session obtained before still works: limits slow clients down, they do not sign them out.
    expect((await client.request('GET', '/v1/auth/session')).account.handle).toBe('limited');

    const drafts = () =>
      server.fetch('/v1/works/drafts', {
        method: 'POST',
        headers: { authorization: `Bearer ${client.token}` },
        body: client.form(pngFile(image), { title: 'x'.repeat(300) }),
      });
    expect((await drafts()).status).toBe(400);
    expect((await drafts()).status).toBe(400);
    await expectLimited(await drafts());
  });

  it('drops a client that sends its request too slowly', async () => {
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const started = Date.now();
    socket.write(
      'POST /v1/auth/challenge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"kid":',
    );
    let answer = '';
    socket.on('data', (d) => (answer += d));
    const closed = new Promise((r) => socket.once('close', r));
    const giveUp = setTimeout(() => socket.destroy(), 8_000);
    await closed;
    clearTimeout(giveUp);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(5_000);
    expect(answer === '' || /^HTTP\/1\.1 408/.test(answer)).toBe(true);
    expect((await server.fetch('/healthz')).status).toBe(200);
  }, 15_000);
});
