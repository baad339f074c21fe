import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compactVerify, importJWK, type JWK } from 'jose';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScratchDatabase, describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import {
  accountProofPayload,
  AuraClient,
  generateIdentity,
  nowSeconds,
  sign,
  signCredential,
  type Identity,
} from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { signInAudiences } from '../../api/identity/account-signatures.ts';
import { openDatabase } from '../../db/open.ts';
import { migrations } from '../../db/migrations/index.ts';
import { countRows } from '../reliability/support.ts';

const png = (bytes: Buffer) => ({ bytes, filename: 'w.png', type: 'image/png' });

/** Issue 18, findings 2-5, through HTTP: each of these was accepted on main before the fix. */
describeEachDatabase('signed actions are accepted once, for this registry, by a revocable session', (backend) => {
  let server: TestServer;
  let artist: Identity;
  let critic: Identity;
  let gallery: Identity;
  let artistClient: AuraClient;
  let criticClient: AuraClient;
  let galleryClient: AuraClient;
  let workId: string;
  let before: Record<string, number>;

  beforeAll(async () => {
    server = await startTestServer(backend);
    [artist, critic, gallery] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
    artistClient = new AuraClient(server.url);
    criticClient = new AuraClient(server.url);
    galleryClient = new AuraClient(server.url);
    await artistClient.createAccount(artist, { handle: 'replay-artist', displayName: 'Artist', kind: 'artist' });
    await criticClient.createAccount(critic, { handle: 'replay-critic', displayName: 'Critic', kind: 'artist' });
    await galleryClient.createAccount(gallery, { handle: 'replay-gallery', displayName: 'Gallery', kind: 'organization' });
    await Promise.all([artistClient.signIn(artist), criticClient.signIn(critic), galleryClient.signIn(gallery)]);
    workId = (await artistClient.registerWork(artist, png(await renderArtwork(1801)), { title: 'Replayed' })).workId;
  });
  afterAll(async () => server?.close());
  beforeEach(async () => {
    before = await countRows(server.ctx.db);
  });

  const send = (method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}) =>
    server.fetch(pathname, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const bearer = (client: AuraClient) => ({ authorization: `Bearer ${client.token}` });

  /** The replay is refused as problem+json and leaves every table as it was. */
  async function expectReplayRefused(res: Response, unchanged: Record<string, number>) {
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).code).toBe('jws_replayed');
    expect(await countRows(server.ctx.db)).toEqual(unchanged);
  }

  const disputeJws = (by: Identity, text: string) =>
    sign(by, { action: 'work.dispute', workId, reason: 'copied', text, iat: nowSeconds() }, 'aura-action+jwt');

  describe('finding 2: replay', () => {
    it('accepts a dispute once; the same JWS twice more gets 409 and writes no dispute and no log entry', async () => {
      const body = { jws: await disputeJws(critic, 'copied from my sketchbook') };
      const first = await send('POST', `/v1/works/${workId}/disputes`, body, bearer(criticClient));
      expect(first.status).toBe(201);
      const afterFirst = await countRows(server.ctx.db);
      expect(afterFirst.disputes).toBe(before.disputes! + 1);
      expect(afterFirst.log_entries).toBe(before.log_entries! + 1);
      for (let i = 0; i < 2; i++)
        await expectReplayRefused(await send('POST', `/v1/works/${workId}/disputes`, body, bearer(criticClient)), afterFirst);
    });

    it('refuses the JWS taken from the public log, sent with another session of the account', async () => {
      const { logIndex } = await criticClient.dispute(critic, workId, 'copied', 'logged, then replayed');
      const entry = await (await server.fetch(`/v1/log/entries/${logIndex}`)).json();
      const logged = JSON.parse(Buffer.from(entry.body, 'base64').toString('utf8')) as { jws: string };
      const stolen = new AuraClient(server.url);
      await stolen.signIn(critic);
      const unchanged = await countRows(server.ctx.db);
      await expectReplayRefused(await send('POST', `/v1/works/${workId}/disputes`, { jws: logged.jws }, bearer(stolen)), unchanged);
    });

    it('refuses a replay whose signature is spelled differently (spare base64url bits)', async () => {
      const jws = await disputeJws(critic, 'respelled');
      expect((await send('POST', `/v1/works/${workId}/disputes`, { jws }, bearer(criticClient))).status).toBe(201);
      const last = jws.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const respelled = jws.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
      expect(respelled).not.toBe(jws);
      // Still a valid signature: only a hash of what is signed, not of the JWS text, catches it.
      await compactVerify(respelled, await importJWK(critic.publicJwk as JWK, 'EdDSA'));
      await expectReplayRefused(
        await send('POST', `/v1/works/${workId}/disputes`, { jws: respelled }, bearer(criticClient)),
        await countRows(server.ctx.db),
      );
    });

    it('lets concurrent copies of one JWS through exactly once', async () => {
      const body = { jws: await disputeJws(critic, 'raced without a key') };
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => send('POST', `/v1/works/${workId}/disputes`, body, bearer(criticClient))),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
      const after = await countRows(server.ctx.db);
      expect(after.disputes).toBe(before.disputes! + 1);
      expect(after.log_entries).toBe(before.log_entries! + 1);
    });

    it('still answers a retry carrying the same Idempotency-Key with the stored answer', async () => {
      const body = { jws: await disputeJws(critic, 'retried with a key') };
      const first = await send('POST', `/v1/works/${workId}/disputes`, body, {
        ...bearer(criticClient),
        'idempotency-key': 'i18-dispute-1',
      });
      expect(first.status).toBe(201);
      const firstBody = await first.text();
      const afterFirst = await countRows(server.ctx.db);
      const retry = await send('POST', `/v1/works/${workId}/disputes`, body, {
        ...bearer(criticClient),
        'idempotency-key': 'i18-dispute-1',
      });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await retry.text()).toBe(firstBody);
      expect(await countRows(server.ctx.db)).toEqual(afterFirst);
      // A new key does not make the same signature new (the layer keeps that 409 as key 2's answer).
      await expectReplayRefused(
        await send('POST', `/v1/works/${workId}/disputes`, body, { ...bearer(criticClient), 'idempotency-key': 'i18-dispute-2' }),
        { ...afterFirst, idempotency_keys: afterFirst.idempotency_keys! + 1 },
      );
    });

    it('refuses replays of attestations, their revocation, work-in-progress images and work revocation', async () => {
      const attestationDraft = await galleryClient.request('POST', `/v1/works/${workId}/attestations/drafts`, { type: 'exhibited' });
      const attestation = { draftId: attestationDraft.draftId, jws: await signCredential(gallery, attestationDraft.payload) };
      expect((await send('POST', `/v1/works/${workId}/attestations`, attestation, bearer(galleryClient))).status).toBe(201);
      await expectReplayRefused(
        await send('POST', `/v1/works/${workId}/attestations`, attestation, bearer(galleryClient)),
        await countRows(server.ctx.db),
      );

      const attestationId = attestationDraft.attestationId as string;
      const revokeAttestation = {
        jws: await sign(gallery, { action: 'attestation.revoke', attestationId, iat: nowSeconds() }, 'aura-action+jwt'),
      };
      expect((await send('POST', `/v1/attestations/${attestationId}/revoke`, revokeAttestation, bearer(galleryClient))).status).toBe(200);
      await expectReplayRefused(
        await send('POST', `/v1/attestations/${attestationId}/revoke`, revokeAttestation, bearer(galleryClient)),
        await countRows(server.ctx.db),
      );

      const processDraft = await artistClient.request(
        'POST',
        `/v1/works/${workId}/process/drafts`,
        artistClient.form(png(await renderArtwork(1802))),
      );
      const processBody = { draftId: processDraft.draftId, jws: await signCredential(artist, processDraft.payload) };
      expect((await send('POST', `/v1/works/${workId}/process`, processBody, bearer(artistClient))).status).toBe(201);
      await expectReplayRefused(
        await send('POST', `/v1/works/${workId}/process`, processBody, bearer(artistClient)),
        await countRows(server.ctx.db),
      );

      const { workId: doomed } = await artistClient.registerWork(artist, png(await renderArtwork(1803)), { title: 'Withdrawn' });
      const revokeWork = { jws: await sign(artist, { action: 'work.revoke', workId: doomed, iat: nowSeconds() }, 'aura-action+jwt') };
      expect((await send('POST', `/v1/works/${doomed}/revoke`, revokeWork, bearer(artistClient))).status).toBe(200);
      await expectReplayRefused(
        await send('POST', `/v1/works/${doomed}/revoke`, revokeWork, bearer(artistClient)),
        await countRows(server.ctx.db),
      );
    });

    it('refuses replays of key additions, key revocations, account creation and sign-in', async () => {
      const owner = await generateIdentity();
      const spare = await generateIdentity();
      const client = new AuraClient(server.url);
      const account = { handle: 'replay-keys', displayName: 'Keys', kind: 'artist' as const };
      const create = {
        ...account,
        jwk: owner.publicJwk,
        proof: await sign(owner, accountProofPayload(owner, account, nowSeconds()), 'aura-account+jwt'),
      };
      expect((await send('POST', '/v1/accounts', create)).status).toBe(201);
      await expectReplayRefused(await send('POST', '/v1/accounts', create), await countRows(server.ctx.db));

      const { nonce } = await client.request('POST', '/v1/auth/challenge', {});
      const signIn = { jws: await sign(owner, { nonce, aud: server.url, iat: nowSeconds() }, 'aura-auth+jwt') };
      expect((await send('POST', '/v1/auth/session', signIn)).status).toBe(201);
      await expectReplayRefused(await send('POST', '/v1/auth/session', signIn), await countRows(server.ctx.db));

      const addKey = {
        jwk: spare.publicJwk,
        jws: await sign(owner, { action: 'key.add', handle: 'replay-keys', kid: spare.kid, iat: nowSeconds() }, 'aura-action+jwt'),
      };
      expect((await send('POST', '/v1/accounts/replay-keys/keys', addKey)).status).toBe(201);
      const revokeKey = { jws: await sign(owner, { action: 'key.revoke', kid: spare.kid, iat: nowSeconds() }, 'aura-action+jwt') };
      expect((await send('POST', `/v1/keys/${spare.kid}/revoke`, revokeKey)).status).toBe(200);
      const unchanged = await countRows(server.ctx.db);
      // Before this fix a revoked key could be added back by replaying its addition (while iat was fresh).
      await expectReplayRefused(await send('POST', '/v1/accounts/replay-keys/keys', addKey), unchanged);
      await expectReplayRefused(await send('POST', `/v1/keys/${spare.kid}/revoke`, revokeKey), unchanged);
    });
  });

  describe('finding 3: sign-in names this registry', () => {
    async function signInWith(payload: (nonce: string) => Record<string, unknown>) {
      const { nonce } = await (await send('POST', '/v1/auth/challenge', {})).json();
      return send('POST', '/v1/auth/session', { jws: await sign(artist, payload(nonce), 'aura-auth+jwt') });
    }

    it('refuses a sign-in signed for another registry, or for none, and gives no session', async () => {
      for (const aud of ['https://phishing.example', `${server.url}.phishing.example`, ['https://phishing.example', server.url]]) {
        const res = await signInWith((nonce) => ({ nonce, aud, iat: nowSeconds() }));
        expect(res.status).toBe(401);
        expect((await res.json()).code).toBe('invalid_signature');
        expect(res.headers.get('set-cookie')).toBeNull();
      }
      const none = await signInWith((nonce) => ({ nonce, iat: nowSeconds() }));
      expect(none.status).toBe(401);
      expect((await none.json()).detail).toContain(`aud must be "${server.url}"`);
      expect(await countRows(server.ctx.db)).toMatchObject({ sessions: before.sessions });
    });

    it('accepts the public URL, with or without a trailing slash', async () => {
      expect((await signInWith((nonce) => ({ nonce, aud: server.url, iat: nowSeconds() }))).status).toBe(201);
      expect((await signInWith((nonce) => ({ nonce, aud: `${server.url}/`, iat: nowSeconds() }))).status).toBe(201);
    });
  });

  describe('finding 4: sign-out ends the session on the server', () => {
    it('refuses the bearer token and the cookie of a session once it is signed out with the bearer token', async () => {
      const client = new AuraClient(server.url);
      const session = await client.signIn(artist);
      const other = new AuraClient(server.url);
      await other.signIn(artist);
      const cookie = { cookie: `aura_session=${session.token}` };
      expect((await send('GET', '/v1/auth/session', undefined, cookie)).status).toBe(200);
      expect((await send('DELETE', '/v1/auth/session', undefined, bearer(client))).status).toBe(204);
      for (const headers of [bearer(client), cookie]) {
        const res = await send('GET', '/v1/auth/session', undefined, headers);
        expect(res.status).toBe(401);
        expect((await res.json()).code).toBe('unauthenticated');
      }
      // Acting with it is refused too, and writes nothing.
      const unchanged = await countRows(server.ctx.db);
      const res = await send('POST', `/v1/works/${workId}/disputes`, { jws: await disputeJws(artist, 'after sign-out') }, bearer(client));
      expect(res.status).toBe(401);
      expect(await countRows(server.ctx.db)).toEqual(unchanged);
      // Only that session ended.
      expect((await send('GET', '/v1/auth/session', undefined, bearer(other))).status).toBe(200);
    });

    it('signing out with the cookie the browser holds ends it as a bearer token too', async () => {
      const { nonce } = await (await send('POST', '/v1/auth/challenge', {})).json();
      const signedIn = await send('POST', '/v1/auth/session', {
        jws: await sign(artist, { nonce, aud: server.url, iat: nowSeconds() }, 'aura-auth+jwt'),
      });
      const setCookie = signedIn.headers.get('set-cookie')!;
      const cookie = { cookie: setCookie.split(';')[0]! };
      const token = (await signedIn.json()).token as string;
      const signedOut = await send('DELETE', '/v1/auth/session', undefined, cookie);
      expect(signedOut.status).toBe(204);
      expect(signedOut.headers.get('set-cookie')).toMatch(/aura_session=;/);
      expect((await send('GET', '/v1/auth/session', undefined, cookie)).status).toBe(401);
      expect((await send('GET', '/v1/auth/session', undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
      // Signing out twice, or without a session, is not an error.
      expect((await send('DELETE', '/v1/auth/session', undefined, cookie)).status).toBe(204);
      expect((await send('DELETE', '/v1/auth/session')).status).toBe(204);
    });
  });

  describe('finding 5: the profile is signed', () => {
    const proofFor = (identity: Identity, payload: Record<string, unknown>) =>
      sign(identity, { ...payload, iat: nowSeconds() }, 'aura-account+jwt');

    it('refuses a display name, bio or website the key did not sign, and writes nothing', async () => {
      const identity = await generateIdentity();
      const request = {
        handle: 'museum',
        kind: 'organization',
        displayName: 'Totally Real Museum',
        bio: 'Since 1820.',
        website: 'https://museum.example',
      };
      const signedFor = {
        handle: 'museum',
        kind: 'organization',
        jwk: identity.publicJwk,
        displayName: 'Totally Real Museum',
        bio: 'Since 1820.',
        website: 'https://museum.example',
      };
      const cases = [
        { handle: 'museum', kind: 'organization', jwk: identity.publicJwk }, // the proof main accepted: no profile
        { ...signedFor, displayName: 'Small Studio' },
        { ...signedFor, bio: 'Since 2026.' },
        { ...signedFor, website: 'https://elsewhere.example' },
      ];
      for (const payload of cases) {
        const res = await send('POST', '/v1/accounts', { ...request, jwk: identity.publicJwk, proof: await proofFor(identity, payload) });
        expect(res.status).toBe(401);
        expect((await res.json()).code).toBe('invalid_signature');
      }
      expect(await countRows(server.ctx.db)).toEqual(before);

      const created = await send('POST', '/v1/accounts', {
        ...request,
        jwk: identity.publicJwk,
        proof: await proofFor(identity, signedFor),
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({
        displayName: 'Totally Real Museum',
        bio: 'Since 1820.',
        website: 'https://museum.example',
        profileSigned: true,
      });
      // The account.created entry carries the JWS that covers the profile.
      const account = await (await server.fetch('/v1/accounts/museum')).json();
      const entry = await (await server.fetch(`/v1/log/entries/${account.logIndex}`)).json();
      const logged = JSON.parse(Buffer.from(entry.body, 'base64').toString('utf8')) as { type: string; jws: string };
      expect(logged.type).toBe('account.created');
      const { payload } = await compactVerify(logged.jws, await importJWK(identity.publicJwk as JWK, 'EdDSA'));
      expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
        displayName: 'Totally Real Museum',
        bio: 'Since 1820.',
        website: 'https://museum.example',
      });
    });

    it('accepts a profile without bio and website when the proof leaves them out', async () => {
      const identity = await generateIdentity();
      const res = await new AuraClient(server.url).createAccount(identity, { handle: 'plain', displayName: '  Plain  ', kind: 'artist' });
      expect(res).toMatchObject({ displayName: 'Plain', bio: '', website: null, profileSigned: true });
    });
  });
});

describeEachDatabase('accounts created before profiles were signed', (backend) => {
  let server: TestServer | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it('stay readable after the migration and are shown as not signed', async () => {
    let location: { dataDir?: string; databaseUrl?: string };
    if (backend === 'postgres') {
      const scratch = await createScratchDatabase();
      drop = scratch.drop;
      location = { databaseUrl: scratch.url };
    } else {
      location = { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'aura-i18-profile-')) };
    }
    // The schema as it was before issue 18, with an account as the old code wrote it.
    const old = await openDatabase({ url: location.databaseUrl, dataDir: location.dataDir ?? os.tmpdir() });
    const migrator = new Migrator({ db: old.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
    const { error } = await migrator.migrateTo('0010_match_query_function');
    expect(error).toBeUndefined();
    const identity = await generateIdentity();
    await sql`insert into accounts (id, handle, kind, display_name, bio, website, created_at)
              values ('00000000-0000-4000-8000-000000000018', 'veteran', 'artist', 'Veteran', 'Old bio', 'https://veteran.example', now())`.execute(
      old.db,
    );
    await sql`insert into keys (kid, account_id, jwk, status, added_at)
              values (${identity.kid}, '00000000-0000-4000-8000-000000000018', ${JSON.stringify(identity.publicJwk)}, 'active', now())`.execute(
      old.db,
    );
    await old.close();

    server = await startTestServer(backend, location);
    const account = await (await server.fetch('/v1/accounts/veteran')).json();
    expect(account).toMatchObject({
      handle: 'veteran',
      displayName: 'Veteran',
      bio: 'Old bio',
      website: 'https://veteran.example',
      profileSigned: false,
    });
    // Its key still signs in.
    const client = new AuraClient(server.url);
    await client.signIn(identity);
    expect((await client.request('GET', '/v1/auth/session')).account.profileSigned).toBe(false);
  });
});

describe('sign-in audiences', () => {
  it('is the public URL alone when AURA_PUBLIC_URL is set', () => {
    expect(signInAudiences({ publicUrl: 'https://aura.example/', publicUrlExplicit: true, port: 8080 })).toEqual(['https://aura.example']);
  });

  it('is the port it listens on, in its loopback spellings, for a local registry', () => {
    expect(signInAudiences({ publicUrl: 'http://localhost:0', publicUrlExplicit: false, port: 8080 })).toEqual([
      'http://localhost:8080',
      'http://127.0.0.1:8080',
      'http://[::1]:8080',
    ]);
  });
});
