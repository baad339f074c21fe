import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { AuraClient, generateIdentity, type Identity } from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../scripts/aura.mjs');
const png = (bytes: Buffer) => ({ bytes, filename: 'w.png', type: 'image/png' });

/**
 * Finding 1 of issue 18 and the operator's answer to it, end to end: HTTP for everyone else, the real `aura` command
 * line for the operator, run where the server's data is.
 */
describeEachDatabase('trust that cannot be self-issued', (backend) => {
  let server: TestServer;
  let dataDir: string;
  let databaseUrl: string | undefined;
  let artist: Identity;
  let museum: Identity;
  let artistClient: AuraClient;
  let museumClient: AuraClient;
  let workId: string;
  let bundleDir: string;

  const cli = async (args: string[], env: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH ?? '', AURA_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  /** `aura operator …`; the embedded database is single-process, so on PGlite the server stops meanwhile. */
  const operator = async (args: string[], env: Record<string, string> = {}) => {
    if (backend === 'pglite') await server.close();
    try {
      return await cli(['operator', ...args], env);
    } finally {
      if (backend === 'pglite') server = await startTestServer('pglite', { dataDir });
    }
  };
  const work = () => server.fetch(`/v1/works/${workId}`).then((r) => r.json());
  const profile = (handle: string) => server.fetch(`/v1/accounts/${handle}`).then((r) => r.json());
  const timeline = () => server.fetch(`/v1/works/${workId}/timeline`).then((r) => r.json());
  const badge = () => server.fetch(`/v1/works/${workId}/badge.svg`).then((r) => r.text());

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-trust-'));
    server = await startTestServer(backend, backend === 'pglite' ? { dataDir } : {});
    databaseUrl = server.databaseUrl;
    dataDir = server.dataDir;
    bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-trust-bundle-'));
    artist = await generateIdentity();
    museum = await generateIdentity();
    artistClient = new AuraClient(server.url);
    museumClient = new AuraClient(server.url);
    await artistClient.createAccount(artist, { handle: 'self-made', displayName: 'Self Made', kind: 'artist' });
    await museumClient.createAccount(museum, { handle: 'totally-real-museum', displayName: 'Totally Real Museum', kind: 'organization' });
    await artistClient.signIn(artist);
    await museumClient.signIn(museum);
    ({ workId } = await artistClient.registerWork(artist, png(await renderArtwork(2718)), { title: 'Vouched for by myself' }));
    await museumClient.attest(museum, workId, { type: 'witnessed-creation', note: 'we watched ourselves make it' });
  });
  afterAll(async () => server?.close());

  it('finding 1: a self-made organisation attesting gives no level 3, and says it is unverified', async () => {
    const w = await work();
    expect(w.evidenceLevel.level).toBe(1);
    expect(w.attestations).toHaveLength(1);
    expect(w.attestations[0]).toMatchObject({
      type: 'witnessed-creation',
      valid: true,
      countsTowardLevel: false,
      issuer: { handle: 'totally-real-museum', verified: false, label: 'unverified organisation', verification: null },
    });
    expect((await profile('totally-real-museum')).organization).toEqual({
      verified: false,
      label: 'unverified organisation',
      verification: null,
      domains: [],
    });
    expect(await badge()).toContain('attested by @totally-real-museum · unverified organisation');
    const report = await new AuraClient(server.url).verify(png(await renderArtwork(2718)));
    expect(report.matches[0]).toMatchObject({
      evidenceLevel: { level: 1 },
      attestations: [{ issuer: { label: 'unverified organisation' } }],
    });
  });

  it('publishes the operator key in the JWKS and in every bundle', async () => {
    const jwks = await server.fetch('/.well-known/jwks.json').then((r) => r.json());
    const op = jwks.keys.find((k: { aura_role?: string }) => k.aura_role === 'operator');
    expect(op).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA' });
    expect(jwks.keys).toHaveLength(2);
    const bundle = await server.fetch(`/v1/works/${workId}/bundle`).then((r) => r.json());
    expect(bundle.registry.operator).toEqual(op);
    fs.writeFileSync(path.join(bundleDir, 'jwks.json'), JSON.stringify(jwks));
  });

  it('refuses operator commands run in the wrong place or with the wrong key, writing nothing', async () => {
    const before = (await server.fetch('/v1/log/checkpoint').then((r) => r.text())).split('\n')[1];
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-nowhere-'));
    const lost = await cli(['operator', 'verify-organization', 'totally-real-museum'], { AURA_DATA_DIR: elsewhere });
    expect(lost.code).toBe(2);
    expect(lost.stderr).toMatch(/no operator key: set AURA_OPERATOR_KEY or run where the server's data is/);
    const stranger = JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));
    const wrongKey = await operator(['verify-organization', 'totally-real-museum'], { AURA_OPERATOR_KEY: stranger });
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(
      /AURA_OPERATOR_KEY: this process's operator key \(.+\) is not the registry's operator key stored in the database/,
    );
    if (backend === 'pglite') {
      // The embedded database is single-process: never opened beside the running server.
      const beside = await cli(['operator', 'verify-organization', 'totally-real-museum']);
      expect(beside.code).toBe(2);
      expect(beside.stderr).toContain('is open (a server is running on it');
    }
    const artistToo = await operator(['verify-organization', 'self-made']);
    expect(artistToo.code).toBe(1);
    expect(artistToo.stderr).toContain('@self-made is an artist account');
    expect((await work()).evidenceLevel.level).toBe(1);
    expect((await server.fetch('/v1/log/checkpoint').then((r) => r.text())).split('\n')[1]).toBe(before);
  });

  it('a process with another operator key on the same database refuses to start, naming AURA_OPERATOR_KEY', async () => {
    if (backend === 'pglite') await server.close();
    const stranger = JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));
    const starting = startTestServer(backend, { dataDir, ...(databaseUrl ? { databaseUrl } : {}), env: { AURA_OPERATOR_KEY: stranger } });
    await expect(starting).rejects.toThrow(/^AURA_OPERATOR_KEY: this process's operator key/);
    if (backend === 'pglite') server = await startTestServer('pglite', { dataDir });
  });

  it('aura operator verify-organization: a signed organization.verified entry, and the attestation made before it counts', async () => {
    const verified = await operator([
      'verify-organization',
      'totally-real-museum',
      '--note',
      'visited their premises',
      '--domain',
      'totally-real-museum.example',
    ]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    const index = Number(/log index (\d+) \(organization\.verified\)/.exec(verified.stdout)![1]);

    const w = await work();
    expect(w.evidenceLevel.level).toBe(3);
    expect(w.attestations[0]).toMatchObject({ countsTowardLevel: true, issuer: { verified: true, label: 'verified organisation' } });
    const org = (await profile('totally-real-museum')).organization;
    const jwks = JSON.parse(fs.readFileSync(path.join(bundleDir, 'jwks.json'), 'utf8'));
    const op = jwks.keys.find((k: { aura_role?: string }) => k.aura_role === 'operator');
    expect(org).toMatchObject({
      verified: true,
      verification: {
        status: 'verified',
        by: { role: 'registry operator', kid: op.kid },
        note: 'visited their premises',
        domain: 'totally-real-museum.example',
        logIndex: index,
      },
    });
    expect(await badge()).toMatch(/attested by @totally-real-museum · verified organisation since \d{4}-\d\d-\d\d/);

    // The entry (docs/formats.md): the operator's JWS verifies under the published operator key and says what the entry says.
    const { entry } = await server.fetch(`/v1/log/entries/${index}`).then((r) => r.json());
    expect(entry).toMatchObject({
      type: 'organization.verified',
      account: { handle: 'totally-real-museum' },
      operatorKid: op.kid,
      note: 'visited their premises',
    });
    const { payload, protectedHeader } = await compactVerify(entry.jws, await importJWK(op, 'EdDSA'));
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'aura-operator+jwt', kid: op.kid });
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
      action: 'organization.verify',
      account: entry.account,
      domain: 'totally-real-museum.example',
    });
    expect((await timeline()).entries.map((e: { type: string }) => e.type)).toEqual([
      'work.registered',
      'attestation.issued',
      'organization.verified',
    ]);

    const again = await operator(['verify-organization', 'totally-real-museum']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already verified');
  });

  it('aura verify-bundle: level 3 by the key in the bundle (and says so), or by the viewer’s own --trust list', async () => {
    const file = path.join(bundleDir, 'bundle.json');
    fs.writeFileSync(file, await server.fetch(`/v1/works/${workId}/bundle`).then((r) => r.text()));
    const plain = await cli(['verify-bundle', file]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/✓ organisations: @totally-real-museum verified, judged by the operator key in the bundle/);
    expect(plain.stdout).toMatch(/✓ evidence level: level 3 \(witnessed\).*pass --trust <operator key> to use your own trust list/);

    const own = await cli(['verify-bundle', file, '--trust', path.join(bundleDir, 'jwks.json')]);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/✓ evidence level: level 3 \(witnessed\).*judged by your trust list/);

    const strangerKey = JSON.stringify((await generateIdentity()).publicJwk);
    const foreign = await cli(['verify-bundle', file, '--trust', strangerKey]);
    expect(foreign.code).toBe(0);
    expect(foreign.stdout).toMatch(
      /✓ organisations: @totally-real-museum unverified organisation, judged by your trust list \(1 operator key\); 1 statement\(s\) by keys not trusted ignored/,
    );
    expect(foreign.stdout).toMatch(/✓ evidence level: level 1 \(self-declared\)/);

    const image = path.join(bundleDir, 'work.png');
    fs.writeFileSync(image, await renderArtwork(2718));
    const report = await cli(['--server', server.url, 'verify', image]);
    expect(report.stdout).toMatch(/evidence level 3 – witnessed/);
    expect(report.stdout).toMatch(
      /✓ witnessed-creation by @totally-real-museum — verified organisation since \d{4}-\d\d-\d\d, by the registry's operator/,
    );

    const unreadable = await cli(['verify-bundle', file, '--trust', '{"kty":"RSA"}']);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stdout).toContain('✗ trust list');
  });

  it('aura operator withdraw-organization: the level drops, and the timeline shows when', async () => {
    expect((await operator(['withdraw-organization', 'totally-real-museum'])).code).not.toBe(0); // --reason is required
    const withdrawn = await operator(['withdraw-organization', 'totally-real-museum', '--reason', 'the premises were a parking lot']);
    expect(withdrawn.code).toBe(0);
    expect(withdrawn.stdout).toMatch(/verification of @totally-real-museum withdrawn at .*organization\.withdrawn/);
    const w = await work();
    expect(w.evidenceLevel.level).toBe(1);
    expect(w.attestations[0]).toMatchObject({
      valid: true,
      countsTowardLevel: false,
      issuer: {
        verified: false,
        label: 'unverified organisation',
        verification: { status: 'withdrawn', withdrawalReason: 'the premises were a parking lot' },
      },
    });
    const entries = (await timeline()).entries;
    expect(entries.map((e: { type: string }) => e.type)).toEqual([
      'work.registered',
      'attestation.issued',
      'organization.verified',
      'organization.withdrawn',
    ]);
    expect(Date.parse(entries[3].at)).toBeGreaterThanOrEqual(Date.parse(entries[2].at));
    expect(await badge()).toContain('unverified organisation');

    const file = path.join(bundleDir, 'after.json');
    fs.writeFileSync(file, await server.fetch(`/v1/works/${workId}/bundle`).then((r) => r.text()));
    const offline = await cli(['verify-bundle', file]);
    expect(offline.stdout).toMatch(/✓ evidence level: level 1 \(self-declared\)/);
    expect((await operator(['withdraw-organization', 'totally-real-museum', '--reason', 'twice'])).stderr).toContain('is not verified');
  });
});
