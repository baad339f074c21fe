import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { AuraClient, generateIdentity, type Identity } from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { loadConfig } from '../../api/config.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A plain-HTTP site on this machine standing in for the organisation's domain; each test sets how it answers. */
async function localSite() {
  let handler: Handler = (_req, res) => res.writeHead(404).end();
  const sockets = new Set<import('node:net').Socket>();
  const site = http.createServer((req, res) => handler(req, res));
  site.on('connection', (s) => sockets.add(s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => site.listen(0, r));
  return {
    port: (site.address() as AddressInfo).port,
    answer(h: Handler) {
      handler = h;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => site.close(r));
    },
  };
}

const json =
  (body: unknown): Handler =>
  (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describeEachDatabase('domain linkage', (backend) => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof localSite>>;
  let gallery: Identity;
  let galleryClient: AuraClient;
  let artistClient: AuraClient;
  let domain: string;

  const link = (client: AuraClient, d: string, handle = 'linked-gallery') =>
    client.request('POST', `/v1/accounts/${handle}/domains`, { domain: d });
  const treeSize = async () => Number((await server.fetch('/v1/log/checkpoint').then((r) => r.text())).split('\n')[1]);
  /** The request is refused with this code and reason, and nothing is logged. */
  async function refused(request: () => Promise<unknown>, status: number, code: string, reason?: string) {
    const before = await treeSize();
    const err = (await request().then(
      () => undefined,
      (e) => e,
    )) as { status: number; problem: { code: string; reason?: string; detail: string } } | undefined;
    expect(err, 'the request should have been refused').toBeDefined();
    expect(err!.status).toBe(status);
    expect(err!.problem.code).toBe(code);
    if (reason) expect(err!.problem.reason).toBe(reason);
    expect(await treeSize()).toBe(before);
    return err!.problem;
  }

  beforeAll(async () => {
    site = await localSite();
    domain = `localhost:${site.port}`;
    server = await startTestServer(backend, { env: { AURA_TEST_DOMAIN_LINK_LOOPBACK: 'true', AURA_DOMAIN_LINK_TIMEOUT_MS: '1000' } });
    gallery = await generateIdentity();
    const artist = await generateIdentity();
    galleryClient = new AuraClient(server.url);
    artistClient = new AuraClient(server.url);
    await galleryClient.createAccount(gallery, { handle: 'linked-gallery', displayName: 'Linked Gallery', kind: 'organization' });
    await artistClient.createAccount(artist, { handle: 'linked-artist', displayName: 'Linked Artist', kind: 'artist' });
    await galleryClient.signIn(gallery);
    await artistClient.signIn(artist);
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('links a domain that names the handle and its keys: logged, on the profile, and still no level 3', async () => {
    site.answer(json({ handle: 'linked-gallery', keys: [gallery.kid] }));
    const linked = await link(galleryClient, domain);
    expect(linked).toMatchObject({ domain, url: `http://${domain}/.well-known/aura.json`, kids: [gallery.kid] });
    const { entry } = await server.fetch(`/v1/log/entries/${linked.logIndex}`).then((r) => r.json());
    expect(entry).toMatchObject({
      type: 'organization.domain-linked',
      account: { handle: 'linked-gallery' },
      domain,
      document: { handle: 'linked-gallery', keys: [gallery.kid] },
    });
    const profile = await server.fetch('/v1/accounts/linked-gallery').then((r) => r.json());
    expect(profile.organization).toMatchObject({
      verified: false,
      label: 'unverified organisation',
      domains: [{ domain, kids: [gallery.kid], logIndex: linked.logIndex }],
    });

    const artist = await generateIdentity();
    const c = new AuraClient(server.url);
    await c.createAccount(artist, { handle: 'linked-painter', displayName: 'Painter', kind: 'artist' });
    await c.signIn(artist);
    const { workId } = await c.registerWork(
      artist,
      { bytes: await renderArtwork(8080), filename: 'w.png', type: 'image/png' },
      { title: 'Linked' },
    );
    await galleryClient.attest(gallery, workId, { type: 'witnessed-creation' });
    expect((await server.fetch(`/v1/works/${workId}`).then((r) => r.json())).evidenceLevel.level).toBe(1);
  });

  it('follows a redirect within the same host', async () => {
    site.answer((req, res) => {
      if (req.url === '/.well-known/aura.json') res.writeHead(302, { location: '/aura/current.json' }).end();
      else json({ handle: 'linked-gallery', keys: [gallery.kid] })(req, res);
    });
    expect(await link(galleryClient, domain)).toMatchObject({ url: `http://${domain}/aura/current.json` });
  });

  it('refuses a redirect to another host', async () => {
    site.answer((_req, res) => res.writeHead(301, { location: `http://127.0.0.1:${site.port}/.well-known/aura.json` }).end());
    const problem = await refused(() => link(galleryClient, domain), 422, 'domain_refused', 'redirect_to_other_host');
    expect(problem.detail).toContain(`only redirects within ${domain} are followed`);
  });

  it('refuses an oversized answer, announced or streamed', async () => {
    site.answer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 200_000 }).end('x'.repeat(200_000)),
    );
    await refused(() => link(galleryClient, domain), 422, 'domain_fetch_failed', 'too_large');
    site.answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 50; i++) res.write('x'.repeat(4096));
      res.end();
    });
    await refused(() => link(galleryClient, domain), 422, 'domain_fetch_failed', 'too_large');
  });

  it('gives up on a slow answer at the time limit', async () => {
    site.answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"handle":');
      // …and never finishes.
    });
    const started = Date.now();
    await refused(() => link(galleryClient, domain), 422, 'domain_fetch_failed', 'timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses private, link-local and literal addresses even with loopback allowed for tests', async () => {
    await refused(() => link(galleryClient, '10.0.0.7'), 422, 'domain_refused', 'private_address');
    await refused(() => link(galleryClient, '192.168.1.1'), 422, 'domain_refused', 'private_address');
    await refused(() => link(galleryClient, '169.254.169.254'), 422, 'domain_refused', 'linkLocal_address');
    await refused(() => link(galleryClient, '127.0.0.1'), 422, 'domain_refused', 'ip_literal');
    await refused(() => link(galleryClient, 'https://example.org/path'), 422, 'domain_refused', 'not_a_domain');
  });

  it('refuses a document that names another handle or keys that are not the account’s', async () => {
    site.answer(json({ handle: 'someone-else', keys: [gallery.kid] }));
    await refused(() => link(galleryClient, domain), 422, 'domain_document_invalid', 'handle');
    site.answer(json({ handle: 'linked-gallery', keys: [(await generateIdentity()).kid] }));
    await refused(() => link(galleryClient, domain), 422, 'domain_document_invalid', 'keys');
    site.answer((_req, res) => res.writeHead(200).end('<html>not json</html>'));
    await refused(() => link(galleryClient, domain), 422, 'domain_document_invalid', 'json');
  });

  it('only the organisation itself, signed in, links its domain', async () => {
    site.answer(json({ handle: 'linked-gallery', keys: [gallery.kid] }));
    await refused(() => link(new AuraClient(server.url), domain), 401, 'unauthenticated');
    await refused(() => link(artistClient, domain), 403, 'forbidden');
    await refused(() => link(artistClient, domain, 'linked-artist'), 403, 'wrong_account_kind');
  });

  describe('without the test-only setting', () => {
    let strict: TestServer;
    beforeAll(async () => {
      strict = await startTestServer(backend);
    });
    afterAll(async () => strict?.close());

    it('refuses loopback (checked on every resolved address) and any port but https’s', async () => {
      const g = await generateIdentity();
      const c = new AuraClient(strict.url);
      await c.createAccount(g, { handle: 'strict-gallery', displayName: 'Strict', kind: 'organization' });
      await c.signIn(g);
      site.answer(json({ handle: 'strict-gallery', keys: [g.kid] }));
      const attempt = (d: string) =>
        c.request('POST', '/v1/accounts/strict-gallery/domains', { domain: d }).then(
          () => undefined,
          (e) => e.problem,
        );
      expect(await attempt('localhost')).toMatchObject({ code: 'domain_refused', reason: 'loopback_address' });
      expect(await attempt(domain)).toMatchObject({ code: 'domain_refused', reason: 'port' });
      expect((await strict.fetch('/v1/accounts/strict-gallery').then((r) => r.json())).organization.domains).toEqual([]);
    });
  });
});

describe('the test-only domain setting', () => {
  it('is refused outside NODE_ENV=test', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AURA_TEST_DOMAIN_LINK_LOOPBACK: 'true' })).toThrow(/only allowed with NODE_ENV=test/);
    expect(loadConfig({ NODE_ENV: 'test', AURA_TEST_DOMAIN_LINK_LOOPBACK: 'true' }).domainLink.allowLoopbackHttp).toBe(true);
  });
});
