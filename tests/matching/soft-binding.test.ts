import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, readFixture, startTestServer, type TestServer } from '../helpers/server.ts';
import { fingerprintImage } from '../../api/images/fingerprint.ts';
import { indexWorkHashes } from '../../api/matching/service.ts';
import { storedHashes } from '../../api/matching/policy.ts';
import { flipBits } from '../../api/matching/hashes.ts';
import type { Fingerprint } from '../../api/images/types.ts';
import { insertWorks } from './fixtures.ts';

const ALG = 'com.aura.pdq.1';
const LIMITS = { maxBytes: 40 * 1024 * 1024, maxPixels: 100_000_000 };
const bytes = (relative: string) => new Uint8Array(readFixture(relative));
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describeEachDatabase('C2PA soft-binding resolution', (backend) => {
  let server: TestServer;
  let bridge: Fingerprint;
  let camera: Fingerprint;

  beforeAll(async () => {
    server = await startTestServer(backend);
    bridge = await fingerprintImage(readFixture('pdq/bridge-mods/aaa-orig.jpg'), LIMITS);
    camera = await fingerprintImage(readFixture('camera/canon-dslr.jpg'), LIMITS);
    await insertWorks(server.ctx.db, [
      { id: 'sb-bridge', sha256: bridge.sha256 },
      { id: 'sb-camera', sha256: camera.sha256, status: 'revoked' },
    ]);
    await indexWorkHashes(server.ctx.db, 'sb-bridge', storedHashes(bridge));
    await indexWorkHashes(server.ctx.db, 'sb-camera', storedHashes(camera));
  });
  afterAll(async () => server?.close());

  const getJson = async (path: string) => {
    const res = await server.fetch(path);
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
  };

  it('lists the supported algorithm', async () => {
    const { status, body } = await getJson('/services/supportedAlgorithms');
    expect(status).toBe(200);
    expect(body).toEqual({ watermarks: [], fingerprints: [{ alg: ALG }] });
  });

  it('resolves a PDQ binding value to the work, with a similarity score', async () => {
    const exact = await getJson(`/matches/byBinding?alg=${ALG}&value=${encodeURIComponent(b64(bridge.pdq))}`);
    expect(exact.status).toBe(200);
    expect(exact.body.matches[0]).toMatchObject({
      manifestId: 'sb-bridge',
      similarityScore: 100,
      aura: { distance: 0, exact: false, kind: 'same', revoked: false },
    });
    expect(exact.body.matches[0].aura.workUrl).toMatch(/\/v1\/works\/sb-bridge$/);

    const near = flipBits(
      bridge.pdq,
      Array.from({ length: 20 }, (_, i) => i * 12),
    );
    const similar = await getJson(`/matches/byBinding?alg=${ALG}&value=${encodeURIComponent(b64(near))}`);
    expect(similar.body.matches).toEqual([expect.objectContaining({ manifestId: 'sb-bridge', similarityScore: 92 })]);
    expect(similar.body.matches[0].aura).toMatchObject({ distance: 20, kind: 'similar' });

    const far = flipBits(
      bridge.pdq,
      Array.from({ length: 40 }, (_, i) => i * 6),
    );
    expect((await getJson(`/matches/byBinding?alg=${ALG}&value=${encodeURIComponent(b64(far))}`)).body).toEqual({ matches: [] });
  });

  it('accepts URL-safe base64 and a "+" that arrived unencoded', async () => {
    const standard = b64(bridge.pdq);
    const urlSafe = standard.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect((await getJson(`/matches/byBinding?alg=${ALG}&value=${urlSafe}`)).body.matches[0]?.manifestId).toBe('sb-bridge');
    const unencoded = await getJson(`/matches/byBinding?alg=${ALG}&value=${standard.replace(/=/g, '%3D')}`);
    expect(unencoded.body.matches[0]?.manifestId).toBe('sb-bridge');
  });

  it('takes the binding in a JSON body too', async () => {
    const res = await server.fetch('/matches/byBinding?maxResults=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ alg: ALG, value: b64(camera.pdq) }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).matches).toEqual([
      expect.objectContaining({ manifestId: 'sb-camera', aura: expect.objectContaining({ revoked: true }) }),
    ]);
  });

  it('answers bad queries with problem+json 400', async () => {
    const unsupported = await getJson(`/matches/byBinding?alg=com.example.other&value=${encodeURIComponent(b64(bridge.pdq))}`);
    expect(unsupported).toMatchObject({ status: 400, body: { code: 'unsupported_algorithm', supported: [ALG] } });
    expect(unsupported.type).toContain('application/problem+json');
    expect((await getJson(`/matches/byBinding?alg=${ALG}&value=AAAA`)).body.code).toBe('validation_failed');
    expect((await getJson(`/matches/byBinding?alg=${ALG}&value=${encodeURIComponent('not*base64')}`)).body.code).toBe('validation_failed');
    expect((await getJson(`/matches/byBinding?alg=${ALG}`)).body.code).toBe('validation_failed');
    expect((await getJson(`/matches/byBinding?alg=${ALG}&value=${encodeURIComponent(b64(bridge.pdq))}&maxResults=0`)).status).toBe(400);
  });

  it('matches uploaded content: the file itself exactly, a modified copy by PDQ', async () => {
    const original = await server.fetch(`/matches/byContent?alg=${ALG}`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: bytes('pdq/bridge-mods/aaa-orig.jpg'),
    });
    expect(original.status).toBe(200);
    expect((await original.json()).matches[0]).toMatchObject({
      manifestId: 'sb-bridge',
      similarityScore: 100,
      aura: { exact: true, kind: 'exact' },
    });

    const form = new FormData();
    form.append('image', new Blob([bytes('pdq/bridge-mods/blur-a-little.jpg')], { type: 'image/jpeg' }), 'copy.jpg');
    const copy = await server.fetch('/matches/byContent', { method: 'POST', body: form });
    expect(copy.status).toBe(200);
    const [best] = (await copy.json()).matches;
    expect(best).toMatchObject({ manifestId: 'sb-bridge', aura: { exact: false } });
    expect(best.similarityScore).toBeGreaterThan(88);

    const unrelated = await server.fetch('/matches/byContent', {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: bytes('c2pa/no_manifest.jpg'),
    });
    expect((await unrelated.json()).matches.map((m: { manifestId: string }) => m.manifestId)).not.toContain('sb-bridge');
  });

  it('rejects non-images and unsupported algorithms on byContent', async () => {
    const text = await server.fetch('/matches/byContent', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(text.status).toBe(415);
    expect((await text.json()).code).toBe('unsupported_media_type');
    const garbage = await server.fetch('/matches/byContent', {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: new TextEncoder().encode('not really a jpeg'),
    });
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
    const empty = await server.fetch('/matches/byContent', { method: 'POST', headers: { 'content-type': 'image/png' } });
    expect(empty.status).toBe(400);
    const wrongAlg = await server.fetch('/matches/byContent?alg=org.atsc.a336', {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: bytes('pdq/bridge-mods/aaa-orig.jpg'),
    });
    expect((await wrongAlg.json()).code).toBe('unsupported_algorithm');
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = (await getJson('/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/services/supportedAlgorithms', '/matches/byBinding', '/matches/byContent']),
    );
  });
});
