import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { type AuraApiError, AuraClient, generateIdentity } from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { integrityFailures, readContentCredentials, UNTRUSTED_SIGNER_CODES } from '../../api/content-credentials/read.ts';
import { readC2pa } from '../../api/evidence/c2pa.ts';
import { sniffFormat } from '../../api/images/formats.ts';
import { runVerifyBundle } from '../../scripts/cli/verify-bundle.ts';
import { fetchReference } from '../../api/matching/reference-fetch.ts';
import { credentialImage } from '../../api/content-credentials/manifest.ts';
import { loadOrCreateC2paCredentials } from '../../api/content-credentials/signing-credentials.ts';

const IPTC = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
const FORMATS = [
  { format: 'jpeg', type: 'image/jpeg', encode: (s: ReturnType<typeof sharp>) => s.jpeg({ quality: 90 }) },
  { format: 'png', type: 'image/png', encode: (s: ReturnType<typeof sharp>) => s.png() },
  { format: 'webp', type: 'image/webp', encode: (s: ReturnType<typeof sharp>) => s.webp({ quality: 90 }) },
] as const;

const pixels = async (bytes: Buffer) => (await sharp(bytes).raw().toBuffer({ resolveWithObject: true })).data;
const upload = (bytes: Buffer, type: string) => ({ bytes, filename: `w.${type.split('/')[1]}`, type });

describeEachDatabase('Content Credentials out', (backend) => {
  let server: TestServer;
  let artist: AuraClient;
  let other: AuraClient;
  let me: Awaited<ReturnType<typeof generateIdentity>>;
  const works: Record<string, { id: string; original: Buffer; credentialed: Buffer; manifestId: string; pdq: string }> = {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-cc-'));

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { AURA_REFERENCE_FETCH_PRIVATE: 'true' } });
    me = await generateIdentity();
    const them = await generateIdentity();
    artist = new AuraClient(server.url);
    other = new AuraClient(server.url);
    await artist.createAccount(me, { handle: 'painter', displayName: 'Pat Painter', kind: 'artist' });
    await other.createAccount(them, { handle: 'someone', displayName: 'Someone Else', kind: 'artist' });
    await Promise.all([artist.signIn(me), other.signIn(them)]);
    for (const [i, f] of FORMATS.entries()) {
      const original = await f.encode(sharp(await renderArtwork(500 + i))).toBuffer();
      const { workId } = await artist.registerWork(me, upload(original, f.type), {
        title: `Work ${f.format}`,
        digitalSourceType: 'digitalCreation',
      });
      const view = await artist.request('GET', `/v1/works/${workId}`);
      const result = await artist.contentCredentials(workId, upload(original, f.type));
      expect(result.type).toContain(f.type);
      works[f.format] = {
        id: workId,
        original,
        credentialed: result.bytes,
        manifestId: result.manifestId,
        pdq: view.credential?.credentialSubject?.pdq ?? view.pdq,
      };
    }
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const f of FORMATS) {
    it(`returns the same ${f.format} (format, pixels) with a manifest c2pa-rs validates`, async () => {
      const w = works[f.format]!;
      expect(sniffFormat(w.credentialed)).toEqual({ kind: 'supported', format: f.format });
      expect((await pixels(w.credentialed)).equals(await pixels(w.original))).toBe(true);

      const read = await readContentCredentials(w.credentialed);
      expect(read.present).toBe(true);
      expect(read.failures.map((c) => c.code).every((c) => UNTRUSTED_SIGNER_CODES.includes(c))).toBe(true);
      expect(read.failures.map((c) => c.code)).toContain('signingCredential.untrusted');
      expect(read.successes.map((c) => c.code)).toEqual(expect.arrayContaining(['claimSignature.validated']));
      expect(read.validationState).toBe('Valid');

      const m = read.activeManifest!;
      expect(m.label).toBe(w.manifestId);
      expect(m.claimGenerator).toBe('Aura 0.1.0');
      expect(m.signer?.issuer).toBe('Aura registry');
      expect(m.actions).toEqual([expect.objectContaining({ action: 'c2pa.created', digitalSourceType: `${IPTC}digitalCreation` })]);
      expect(m.softBindings).toEqual([
        { alg: 'com.aura.pdq.1', value: Buffer.from(w.pdq, 'hex').toString('base64'), url: server.ctx.config.publicUrl },
      ]);
      expect(m.identities).toHaveLength(1);
      const identity = m.identities[0]!;
      expect(identity.sigType).toBe('cawg.identity_claims_aggregation');
      expect(identity.issuer).toMatch(/^did:jwk:/);
      expect(identity.verifiedIdentities[0]).toMatchObject({
        username: 'painter',
        name: 'Pat Painter',
        uri: `${server.ctx.config.publicUrl}/v1/accounts/painter`,
      });
      expect(identity.aura).toMatchObject({ work: `${server.ctx.config.publicUrl}/v1/works/${w.id}` });
      expect(identity.aura?.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(m.aura).toMatchObject({ format: 'aura-c2pa/1', workId: w.id });
      expect((m.aura!.bundle as { work: { id: string; credential: string } }).work).toMatchObject({
        id: w.id,
        credential: expect.stringMatching(/^ey/),
      });
    });
  }

  it('is read by a second implementation (@trustnxt/c2pa-ts) for JPEG and PNG', async () => {
    for (const format of ['jpeg', 'png']) {
      const summary = await readC2pa(works[format]!.credentialed);
      expect(summary?.present).toBe(true);
      expect(summary?.claimGenerator).toBe('Aura 0.1.0');
      expect(summary?.digitalSourceType).toBe(`${IPTC}digitalCreation`);
      expect(summary).toMatchObject({ signatureValid: true, validationErrors: [] });
    }
    const tampered = Buffer.from(works.png!.credentialed);
    tampered[tampered.length - 40] = tampered[tampered.length - 40]! ^ 0xff;
    expect((await readC2pa(tampered))?.signatureValid).toBe(false);
  });

  it('a stripped copy finds its manifest again: byBinding and byContent → /manifests/{id}', async () => {
    const w = works.jpeg!;
    const stripped = await sharp(w.credentialed).jpeg({ quality: 85 }).toBuffer();
    expect((await readContentCredentials(stripped)).present).toBe(false);

    const byContent = await server.fetch('/matches/byContent', {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: new Uint8Array(stripped),
    });
    const contentMatch = (await byContent.json()).matches[0];
    expect(contentMatch).toMatchObject({ manifestId: w.id, endpoint: server.ctx.config.publicUrl });

    const value = (await readContentCredentials(w.credentialed)).activeManifest!.softBindings[0]!.value;
    const byBinding = await (await server.fetch(`/matches/byBinding?alg=com.aura.pdq.1&value=${encodeURIComponent(value)}`)).json();
    expect(byBinding.matches[0]).toMatchObject({ manifestId: w.id, endpoint: server.ctx.config.publicUrl });

    const manifest = await server.fetch(
      `${new URL(contentMatch.endpoint).pathname.replace(/\/$/, '')}/manifests/${contentMatch.manifestId}`,
    );
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('content-type')).toBe('application/c2pa');
    expect(manifest.headers.get('c2pa-manifest-id')).toBe(w.manifestId);
    const store = Buffer.from(await manifest.arrayBuffer());
    expect(w.credentialed.includes(store)).toBe(true);
    const byLabel = await server.fetch(`/manifests/${encodeURIComponent(w.manifestId)}`);
    expect(Buffer.from(await byLabel.arrayBuffer()).equals(store)).toBe(true);
    const missing = await server.fetch('/manifests/urn:c2pa:00000000-0000-0000-0000-000000000000', { headers: { accept: 'text/html' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });

  it('byReference fetches the asset at a URL and finds the work; private addresses are refused by default', async () => {
    const w = works.png!;
    const stripped = await sharp(w.credentialed).png().toBuffer();
    const host = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(stripped));
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const referenceUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/copy.png`;
    try {
      const res = await server.fetch('/matches/byReference', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ referenceUrl }),
      });
      expect(res.status).toBe(200);
      expect((await res.json()).matches[0]).toMatchObject({ manifestId: w.id, endpoint: server.ctx.config.publicUrl });
      await expect(fetchReference(referenceUrl, { maxBytes: 1e6, timeoutMs: 2000, allowPrivate: false })).rejects.toMatchObject({
        code: 'validation_failed',
      });
      await expect(fetchReference(referenceUrl, { maxBytes: 100, timeoutMs: 2000, allowPrivate: true })).rejects.toMatchObject({
        code: 'payload_too_large',
      });
      const bad = await server.fetch('/matches/byReference', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ referenceUrl: 'file:///etc/passwd' }),
      });
      expect(bad.status).toBe(400);
    } finally {
      host.close();
    }
  });

  it('a tampered credentialed file fails validation', async () => {
    const w = works.png!;
    const tampered = Buffer.from(w.credentialed);
    tampered[tampered.length - 40] = tampered[tampered.length - 40]! ^ 0xff; // inside the image data, past the manifest
    const read = await readContentCredentials(tampered);
    expect(integrityFailures(read).map((f) => f.code)).toContain('assertion.dataHash.mismatch');
    expect(read.validationState).toBe('Invalid');
  });

  it('another artist gets 403, an unregistered image 422, a GIF 415', async () => {
    const w = works.jpeg!;
    await expect(other.contentCredentials(w.id, upload(w.original, 'image/jpeg'))).rejects.toMatchObject({
      status: 403,
      problem: { code: 'forbidden' },
    });
    const unrelated = await sharp(await renderArtwork(999))
      .jpeg()
      .toBuffer();
    await expect(artist.contentCredentials(w.id, upload(unrelated, 'image/jpeg'))).rejects.toMatchObject({
      status: 422,
      problem: { code: 'image_not_of_work' },
    });
    const gif = await sharp(w.original).gif().toBuffer();
    const err = await artist.contentCredentials(w.id, upload(gif, 'image/gif')).catch((e: AuraApiError) => e);
    expect(err).toMatchObject({ status: 415 });
    await expect(new AuraClient(server.url).contentCredentials(w.id, upload(w.original, 'image/jpeg'))).rejects.toMatchObject({
      status: 401,
    });
  });

  it('a revoked work can no longer be credentialed', async () => {
    const image = await sharp(await renderArtwork(777))
      .png()
      .toBuffer();
    const { workId } = await artist.registerWork(me, upload(image, 'image/png'), { title: 'Withdrawn' });
    await artist.revokeWork(me, workId, 'test');
    await expect(artist.contentCredentials(workId, upload(image, 'image/png'))).rejects.toMatchObject({
      status: 409,
      problem: { code: 'already_revoked' },
    });
  });

  it('a resized copy of the work is accepted under the match policy', async () => {
    const w = works.jpeg!;
    const resized = await sharp(w.original).resize(640).jpeg({ quality: 80 }).toBuffer();
    const result = await artist.contentCredentials(w.id, upload(resized, 'image/jpeg'));
    expect((await readContentCredentials(result.bytes)).activeManifest?.aura?.workId).toBe(w.id);
  });

  it('publishes the registry CA that signed the chain', async () => {
    const res = await server.fetch('/.well-known/aura/c2pa-ca.pem');
    expect(res.status).toBe(200);
    const pem = await res.text();
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    // A validator that adds the published CA to its trust anchors trusts the downloads.
    const trusted = await readContentCredentials(works.webp!.credentialed, { trustAnchorsPem: pem });
    expect(trusted.validationState).toBe('Trusted');
    expect(trusted.failures).toEqual([]);
    expect(trusted.successes.map((c) => c.code)).toContain('signingCredential.trusted');
  });

  it('aura verify-bundle checks a credentialed image offline, and fails when one byte of the proof changes', async () => {
    const w = works.jpeg!;
    const file = path.join(tmp, 'credentialed.jpg');
    fs.writeFileSync(file, w.credentialed);
    const lines: string[] = [];
    expect(await runVerifyBundle(file, undefined, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/content credentials: manifest urn:c2pa:.* intact/);
    expect(lines.join('\n')).toMatch(/✓ image: perceptual match: PDQ distance 0/);

    const bundle = (await readContentCredentials(w.credentialed)).activeManifest!.aura!.bundle as {
      work: { entry: { inclusionProof: { hashes: string[] } } };
      checkpoint: string;
    };
    const proofText = bundle.work.entry.inclusionProof.hashes[0] ?? bundle.checkpoint.split('\n')[2]!;
    const at = w.credentialed.indexOf(Buffer.from(proofText));
    expect(at).toBeGreaterThan(0);
    const changed = Buffer.from(w.credentialed);
    changed[at + 5] = changed[at + 5] === 0x41 ? 0x42 : 0x41;
    fs.writeFileSync(file, changed);
    const failed: string[] = [];
    expect(await runVerifyBundle(file, undefined, (l) => failed.push(l))).toBe(1);
    expect(failed.join('\n')).toMatch(/✗ content credentials: the manifest does not validate: .*assertion\.hashedURI\.mismatch/);

    // A validly signed manifest whose embedded proof is wrong by one character fails the proof check itself.
    const credentials = await loadOrCreateC2paCredentials({
      envCert: undefined,
      envKey: undefined,
      dataDir: server.dataDir,
      commonName: 'x',
    });
    const bad = structuredClone(bundle) as typeof bundle;
    const hash = bad.work.entry.inclusionProof.hashes[0]!;
    bad.work.entry.inclusionProof.hashes[0] = (hash[0] === 'A' ? 'B' : 'A') + hash.slice(1);
    const work = {
      id: w.id,
      title: 'x',
      digitalSourceType: 'digitalCreation',
      pdq: w.pdq,
      registeredAt: new Date(),
      artist: { handle: 'painter', displayName: 'P', kid: 'k', keyAddedAt: new Date() },
      bundle: bad as never,
    };
    const resigned = await credentialImage(
      w.original,
      'image/jpeg',
      work,
      { publicUrl: server.ctx.config.publicUrl, name: 'Aura', version: '0.1.0' },
      credentials,
      new Date(),
    );
    fs.writeFileSync(file, resigned.asset);
    const proofFailed: string[] = [];
    expect(await runVerifyBundle(file, undefined, (l) => proofFailed.push(l))).toBe(1);
    expect(proofFailed.join('\n')).toMatch(/✓ content credentials: .* intact/);
    expect(proofFailed.join('\n')).toMatch(
      /✗ inclusion proofs: entry \d+ is not in the log at the checkpoint .*\[inclusion_proof_invalid\]/,
    );
  });

  const verify = async (bytes: Buffer, type: string) => artist.verify(upload(bytes, type));

  it('verify shows the Content Credentials as c2pa-rs validates them, and recognises Aura’s manifest', async () => {
    const w = works.jpeg!;
    const report = await verify(w.credentialed, 'image/jpeg');
    expect(report.contentCredentials).toMatchObject({
      present: true,
      validationState: 'Valid',
      intact: true,
      claimGenerator: 'Aura 0.1.0',
      signer: { issuer: 'Aura registry' },
      actions: [{ action: 'c2pa.created', digitalSourceType: `${IPTC}digitalCreation` }],
      identities: [{ sigType: 'cawg.identity_claims_aggregation', names: ['Pat Painter @painter (Aura)'] }],
      aura: { workId: w.id, known: true, level: { level: 1, name: 'self-declared' }, pixelsMatch: true },
      softBindings: [{ alg: 'com.aura.pdq.1', workIds: [w.id], pixelsMatch: true }],
      warnings: [],
    });
    expect(report.contentCredentials.failures.map((f: { code: string }) => f.code)).toEqual(['signingCredential.untrusted']);
    const plain = await verify(w.original, 'image/jpeg');
    expect(plain.contentCredentials).toMatchObject({ present: false, warnings: [] });
  });

  it('verify says so when the file was tampered with', async () => {
    const w = works.jpeg!;
    const tampered = Buffer.from(w.credentialed);
    const at = tampered.length - 300; // in the entropy-coded scan: still decodes, the pixels differ a little
    tampered[at] = tampered[at] === 0x11 ? 0x22 : 0x11;
    const report = await verify(tampered, 'image/jpeg');
    expect(report.contentCredentials).toMatchObject({ present: true, intact: false, validationState: 'Invalid' });
    expect(report.contentCredentials.warnings.join(' ')).toMatch(/do not validate \(.*assertion\.dataHash\.mismatch.*\)/);
  });

  it('verify flags a manifest whose soft binding points at a different work than the pixels match', async () => {
    // The manifest of the JPEG work, transplanted onto the pixels of the PNG work.
    const store = Buffer.from(await (await server.fetch(`/manifests/${works.jpeg!.id}`)).arrayBuffer());
    const pngPixels = await sharp(works.png!.original).jpeg({ quality: 92 }).toBuffer();
    const transplanted = insertJpegApp11(pngPixels, store);
    const report = await verify(transplanted, 'image/jpeg');
    const cc = report.contentCredentials;
    expect(cc.present).toBe(true);
    expect(cc.intact).toBe(false);
    expect(cc.aura).toMatchObject({ workId: works.jpeg!.id, pixelsMatch: false });
    expect(cc.softBindings).toEqual([{ alg: 'com.aura.pdq.1', workIds: [works.jpeg!.id], pixelsMatch: false }]);
    expect(cc.warnings.join(' ')).toContain(`soft binding points at work ${works.jpeg!.id}, but the pixels match work ${works.png!.id}`);
  });
});

/** Puts a manifest store into a JPEG as C2PA does (JUMBF in APP11 segments), without re-signing. */
function insertJpegApp11(jpeg: Buffer, store: Buffer): Buffer {
  const segments: Buffer[] = [];
  const max = 65_000;
  const header = store.subarray(0, 8); // the superbox's LBox + 'jumb'
  for (let offset = 8, seq = 1; offset < store.length; offset += max, seq++) {
    const body = store.subarray(offset, Math.min(store.length, offset + max));
    const ci = Buffer.from([0x4a, 0x50, 0x00, 0x0b, 0, 0, 0, 0]); // 'JP', box instance 11, sequence number
    ci.writeUInt32BE(seq, 4);
    const payload = Buffer.concat([ci, header, body]);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(payload.length + 2);
    segments.push(Buffer.concat([Buffer.from([0xff, 0xeb]), len, payload]));
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}
