import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { AuraClient, generateIdentity } from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { verifyBundle } from '../../api/bundle/verify.ts';
import { runVerifyBundle } from '../../scripts/cli/verify-bundle.ts';
import { operatorVerifies, operatorWithdraws } from '../helpers/operator.ts';

const png = (bytes: Buffer) => ({ bytes, filename: 'w.png', type: 'image/png' });

// biome-ignore lint/suspicious/noExplicitAny: a bundle is walked and mutated leaf by leaf as plain JSON
type JsonTree = any;

/** Every leaf of a JSON value, as a path and a function that returns a copy with that leaf changed. */
function mutations(value: unknown, at: (string | number)[] = []): Array<{ path: string; mutate: (root: JsonTree) => JsonTree }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => mutations(v, [...at, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => mutations(v, [...at, k]));
  return [
    {
      path: at.join('.'),
      mutate: (root) => {
        const copy = structuredClone(root);
        let node = copy;
        for (const key of at.slice(0, -1)) node = node[key];
        const last = at[at.length - 1]!;
        const old = node[last];
        node[last] = typeof old === 'number' ? old + 1 : typeof old === 'string' ? flipChar(old) : !old;
        return copy;
      },
    },
  ];
}
// Changes one character in the middle, keeping the alphabet (so base64 stays base64).
const flipChar = (s: string) => {
  if (!s.length) return 'x';
  const i = Math.floor(s.length / 2);
  const c = s[i]!;
  return s.slice(0, i) + (c === 'A' ? 'B' : c === '1' ? '2' : /[a-z]/.test(c) ? 'Q' : 'A') + s.slice(i + 1);
};

describeEachDatabase('offline proof bundles', (backend) => {
  let server: TestServer;
  let bundle: JsonTree;
  let image: Buffer;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const artist = await generateIdentity();
    const gallery = await generateIdentity();
    const critic = await generateIdentity();
    const a = new AuraClient(server.url);
    const g = new AuraClient(server.url);
    const c = new AuraClient(server.url);
    await a.createAccount(artist, { handle: 'bundler', displayName: 'Bundle Artist', kind: 'artist' });
    await g.createAccount(gallery, { handle: 'museum', displayName: 'Museum', kind: 'organization' });
    await c.createAccount(critic, { handle: 'doubter', displayName: 'Doubter', kind: 'artist' });
    await Promise.all([a.signIn(artist), g.signIn(gallery), c.signIn(critic)]);
    const next = await generateIdentity();
    await a.addKey(artist, 'bundler', next);
    image = await renderArtwork(77);
    const { workId } = await a.registerWork(next, png(image), { title: 'Bundled' });
    await a.addProcessImage(next, png(await renderArtwork(77, { stage: 0.5 })), workId);
    const issued = await g.attest(gallery, workId, { type: 'studio-visit', note: 'visited' });
    await g.attest(gallery, workId, { type: 'exhibited' });
    await g.revokeAttestation(gallery, issued.attestationId);
    // One verified organisation (verified, withdrawn, verified again) and one the operator never verified.
    await operatorVerifies(server, 'museum');
    await operatorWithdraws(server, 'museum', 'testing a withdrawal');
    await operatorVerifies(server, 'museum', { note: 'verified again' });
    const popUp = await generateIdentity();
    const p = new AuraClient(server.url);
    await p.createAccount(popUp, { handle: 'pop-up', displayName: 'Totally Real Museum', kind: 'organization' });
    await p.signIn(popUp);
    await p.attest(popUp, workId, { type: 'witnessed-creation' });
    await c.dispute(critic, workId, 'copied', 'looks like a print I own');
    await a.revokeKey(next, artist.kid);
    const res = await server.fetch(`/v1/works/${workId}/bundle`);
    expect(res.headers.get('content-type')).toContain('application/vnd.aura.bundle+json');
    bundle = await res.json();
  });
  afterAll(async () => server?.close());

  it('verifies offline, step by step', async () => {
    const results = await verifyBundle(bundle);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.step)).toContain('key history');
    expect(results.find((r) => r.step === 'attestations')!.detail).toMatch(
      /studio-visit by @museum \(revoked\).*exhibited by @museum \(valid\)/,
    );
    expect(bundle.organizations).toHaveLength(3);
    expect(results.find((r) => r.step === 'organisations')!.detail).toMatch(
      /@museum verified; @pop-up unverified organisation, judged by the operator key in the bundle/,
    );
    expect(results.find((r) => r.step === 'evidence level')!.detail).toMatch(
      /^level 3 \(witnessed\): attested by @museum .*operator key in the bundle — pass --trust/,
    );
  });

  it("judges organisations by the viewer's own trust list when given one", async () => {
    const theirs = bundle.registry.operator;
    const own = await verifyBundle(bundle, { trustedOperatorKeys: [{ kty: 'OKP', crv: 'Ed25519', x: theirs.x }] });
    expect(own.every((r) => r.ok)).toBe(true);
    expect(own.find((r) => r.step === 'evidence level')!.detail).toMatch(/^level 3 .*judged by your trust list/);
    const stranger = (await generateIdentity()).publicJwk as { kty: 'OKP'; crv: 'Ed25519'; x: string };
    const other = await verifyBundle(bundle, { trustedOperatorKeys: [stranger] });
    expect(other.find((r) => r.step === 'organisations')!.detail).toMatch(
      /@museum unverified organisation.*3 statement\(s\) by keys not trusted ignored/,
    );
    expect(other.find((r) => r.step === 'evidence level')!.detail).toMatch(/^level 1 \(self-declared\)/);
  });

  it('checks an image against the bundle: the file, a resized copy, and an unrelated image', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-bundle-'));
    const bundlePath = path.join(dir, 'b.json');
    fs.writeFileSync(bundlePath, JSON.stringify(bundle));
    const write = async (name: string, bytes: Buffer) => {
      fs.writeFileSync(path.join(dir, name), bytes);
      return path.join(dir, name);
    };
    const lines: string[] = [];
    expect(await runVerifyBundle(bundlePath, await write('same.png', image), (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('SHA-256 identical');
    const resized = await sharp(image).resize({ width: 400 }).jpeg({ quality: 70 }).toBuffer();
    expect(await runVerifyBundle(bundlePath, await write('small.jpg', resized), () => {})).toBe(0);
    expect(await runVerifyBundle(bundlePath, await write('other.png', await renderArtwork(78)), () => {})).toBe(1);
  });

  it('fails when any field of the bundle is edited', async () => {
    const survivors: string[] = [];
    for (const m of mutations(bundle)) {
      const results = await verifyBundle(m.mutate(bundle));
      if (results.every((r) => r.ok)) survivors.push(m.path);
    }
    expect(survivors).toEqual([]);
  });
});
