import { CompactSign, SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { AuraClient, generateIdentity, nowSeconds, sign, signCredential, type Identity } from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { fixedClock } from '../../api/clock.ts';
import { tEXt, withPngChunks } from '../helpers/png.ts';

const png = (bytes: Buffer) => ({ bytes, filename: 'w.png', type: 'image/png' });
const enc = (o: unknown) => base64url.encode(JSON.stringify(o));

describeEachDatabase('attacks are refused and leave nothing behind', (backend) => {
  let server: TestServer;
  const clock = fixedClock(new Date());
  let artist: Identity;
  let other: Identity;
  let gallery: Identity;
  let artistClient: AuraClient;
  let otherClient: AuraClient;
  let galleryClient: AuraClient;
  let workId: string;
  let counts: Record<string, number>;

  const tables = ['works', 'attestations', 'disputes', 'keys', 'process_images', 'log_entries'] as const;
  const snapshot = async () => {
    const out: Record<string, number> = {};
    for (const t of tables) {
      out[t] = Number(
        (
          await server.ctx.db
            .selectFrom(t)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    }
    return out;
  };
  async function refused(promise: Promise<unknown>, status: number, code?: string) {
    const err = (await promise.then(
      () => undefined,
      (e) => e,
    )) as { status: number; problem: { code: string } } | undefined;
    expect(err, 'the request should have been refused').toBeDefined();
    expect(err!.status).toBe(status);
    if (code) expect(err!.problem.code).toBe(code);
    expect(await snapshot()).toEqual(counts);
  }

  beforeAll(async () => {
    server = await startTestServer(backend, { clock });
    [artist, other, gallery] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
    artistClient = new AuraClient(server.url);
    otherClient = new AuraClient(server.url);
    galleryClient = new AuraClient(server.url);
    await artistClient.createAccount(artist, { handle: 'artist', displayName: 'Artist', kind: 'artist' });
    await otherClient.createAccount(other, { handle: 'other', displayName: 'Other', kind: 'artist' });
    await galleryClient.createAccount(gallery, { handle: 'gallery', displayName: 'Gallery', kind: 'organization' });
    await Promise.all([artistClient.signIn(artist), otherClient.signIn(other), galleryClient.signIn(gallery)]);
    workId = (await artistClient.registerWork(artist, png(await renderArtwork(5)), { title: 'Original' })).workId;
  });
  beforeEach(async () => {
    counts = await snapshot();
  });
  afterAll(async () => server?.close());

  async function draft(seed: number) {
    return artistClient.request('POST', '/v1/works/drafts', artistClient.form(png(await renderArtwork(seed)), { title: `Work ${seed}` }));
  }

  it('refuses alg none', async () => {
    const d = await draft(100);
    const jws = `${enc({ alg: 'none', typ: 'vc+jwt', cty: 'vc', kid: artist.kid })}.${enc(d.payload)}.`;
    await refused(artistClient.request('POST', '/v1/works', { draftId: d.draftId, jws: `${jws}AAAA` }), 401, 'invalid_signature');
  });

  it('refuses HS256 keyed with the public key', async () => {
    const d = await draft(101);
    const secret = new TextEncoder().encode(JSON.stringify(artist.publicJwk));
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(d.payload)))
      .setProtectedHeader({ alg: 'HS256', typ: 'vc+jwt', cty: 'vc', kid: artist.kid })
      .sign(secret);
    await refused(artistClient.request('POST', '/v1/works', { draftId: d.draftId, jws }), 401, 'invalid_signature');
  });

  it("refuses a JWS by another account's key", async () => {
    const d = await draft(102);
    const jws = await signCredential(other, d.payload);
    await refused(artistClient.request('POST', '/v1/works', { draftId: d.draftId, jws }), 403, 'forbidden');
  });

  it('refuses a payload changed after the server issued it', async () => {
    const d = await draft(103);
    const changed = { ...d.payload, validFrom: '1999-01-01T00:00:00.000Z' };
    const jws = await signCredential(artist, changed);
    await refused(artistClient.request('POST', '/v1/works', { draftId: d.draftId, jws }), 401, 'invalid_signature');
  });

  it('refuses a key embedded in the header', async () => {
    const d = await draft(104);
    const jws = await sign(artist, d.payload, 'vc+jwt', { cty: 'vc', jku: 'https://evil.example/keys' });
    await refused(artistClient.request('POST', '/v1/works', { draftId: d.draftId, jws }), 401, 'invalid_signature');
  });

  it('refuses a replayed challenge and an expired one', async () => {
    const client = new AuraClient(server.url);
    const { nonce } = await client.request('POST', '/v1/auth/challenge', {});
    const jws = await sign(artist, { nonce, aud: server.url, iat: nowSeconds() }, 'aura-auth+jwt');
    await client.request('POST', '/v1/auth/session', { jws });
    await refused(client.request('POST', '/v1/auth/session', { jws }), 409, 'jws_replayed');
    const again = await sign(artist, { nonce, aud: server.url, iat: nowSeconds() + 1 }, 'aura-auth+jwt');
    await refused(client.request('POST', '/v1/auth/session', { jws: again }), 401, 'challenge_invalid');
    const late = await client.request('POST', '/v1/auth/challenge', {});
    clock.advance(6 * 60 * 1000);
    const lateJws = await sign(artist, { nonce: late.nonce, aud: server.url, iat: nowSeconds() }, 'aura-auth+jwt');
    await refused(client.request('POST', '/v1/auth/session', { jws: lateJws }), 401, 'challenge_invalid');
    clock.set(new Date());
  });

  it('refuses an expired session and a forged one', async () => {
    const client = new AuraClient(server.url);
    await client.signIn(artist);
    clock.advance(2 * 3600 * 1000);
    await refused(client.request('GET', '/v1/auth/session'), 401, 'unauthenticated');
    client.token = await new SignJWT({ kid: artist.kid, handle: 'artist' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('whoever')
      .setIssuer('aura')
      .setAudience('aura-session')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('guessed-secret-guessed-secret-guessed'));
    await refused(client.request('GET', '/v1/auth/session'), 401, 'unauthenticated');
    clock.set(new Date());
    await artistClient.signIn(artist);
    await otherClient.signIn(other);
    await galleryClient.signIn(gallery);
  });

  it('refuses acting for another account', async () => {
    await refused(otherClient.revokeWork(other, workId), 403, 'forbidden');
    await refused(otherClient.revokeWork(artist, workId), 403, 'forbidden');
    const intruder = await generateIdentity();
    await refused(otherClient.addKey(other, 'artist', intruder), 403, 'forbidden');
    await refused(otherClient.revokeKey(other, artist.kid), 403, 'forbidden');
  });

  it('refuses an organisation-only action by an artist', async () => {
    await refused(otherClient.attest(other, workId, { type: 'exhibited' }), 403, 'wrong_account_kind');
  });

  it('refuses a revoked key', async () => {
    const spare = await generateIdentity();
    const client = new AuraClient(server.url);
    const tmp = await generateIdentity();
    await client.createAccount(tmp, { handle: 'rotating', displayName: 'Rotating', kind: 'artist' });
    await client.signIn(tmp);
    await client.addKey(tmp, 'rotating', spare);
    await client.revokeKey(spare, tmp.kid);
    counts = await snapshot();
    await refused(client.addKey(tmp, 'rotating', await generateIdentity()), 403, 'key_revoked');
    await refused(new AuraClient(server.url).signIn(tmp), 403, 'key_revoked');
  });

  it('refuses an AI-marked image as human-made, listing the markers', async () => {
    const sharp = (await import('sharp')).default;
    const marked = await sharp(await renderArtwork(200))
      .png()
      .withMetadata()
      .toBuffer();
    // A PNG carrying Automatic1111 generation parameters in a tEXt chunk.
    const withText = withPngChunks(marked, tEXt('parameters', 'a castle, Steps: 20, Sampler: Euler a, CFG scale: 7'));
    const err = await artistClient
      .request('POST', '/v1/works/drafts', artistClient.form(png(withText), { title: 'Castle' }))
      .catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.problem.code).toBe('ai_markers_found');
    expect(err.problem.aiMarkers.length).toBeGreaterThan(0);
    expect(await snapshot()).toEqual(counts);
  });
});
