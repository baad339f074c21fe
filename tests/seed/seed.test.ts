import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { operatorVerifies } from '../helpers/operator.ts';
import { createDemoClock } from '../../scripts/lib/seed-clock.ts';
import { formatSeedReport, seedRegistry, type SeedResult } from '../../scripts/seed.ts';
import { DAY } from '../../scripts/lib/seed-plan.ts';
import { DEMO_PASSPHRASE } from '../../scripts/lib/seed-keys.ts';
import { decryptKey, readKeyFile } from '../../scripts/lib/key-file.ts';
import { AuraClient } from '../../scripts/lib/aura-client.ts';
import { CompactRange, leafHash } from '../../api/log/merkle.ts';
import { openCheckpoint } from '../../api/log/note.ts';
import { parseVerifierKey } from '../../api/log/verify/note.ts';

const WORKS = 12;

describe('demo seed on a server with a simulated clock', () => {
  let server: TestServer;
  let out: string;
  let result: SeedResult;
  const clock = createDemoClock(-6 * DAY);

  beforeAll(async () => {
    server = await startTestServer('pglite', { clock });
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-seed-'));
    result = await seedRegistry({
      url: server.url,
      out,
      works: WORKS,
      time: clock,
      operator: (handle, note) => operatorVerifies(server, handle, { note }).then(() => {}),
    });
  });
  afterAll(async () => {
    await server?.close();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  const count = async (table: 'accounts' | 'works' | 'attestations' | 'disputes' | 'log_entries' | 'process_images', revoked = false) => {
    let query = server.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
    if (revoked) query = query.where('status' as never, '=', 'revoked' as never);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };

  it('creates the accounts, works, attestations, dispute and revocation of the plan', async () => {
    const plannedAttestations = result.plan.works.filter((w) => w.attestation).length;
    expect(await count('accounts')).toBe(6);
    expect(await count('works')).toBe(WORKS);
    expect(await count('attestations')).toBe(plannedAttestations);
    expect(plannedAttestations).toBeGreaterThanOrEqual(3);
    expect(new Set(result.plan.works.flatMap((w) => (w.attestation ? [w.attestation.type] : []))).size).toBeGreaterThanOrEqual(3);
    expect(await count('disputes')).toBe(1);
    expect(await count('works', true)).toBe(1);
    expect(await count('process_images')).toBe(2 * 4);
    expect(result.created).toEqual({
      accounts: 6,
      works: WORKS,
      processImages: 8,
      attestations: plannedAttestations,
      disputes: 1,
      revocations: 1,
      keyRotations: 1,
      verifications: 1,
    });
    const gallery = await (await server.fetch(`/v1/accounts/${result.plan.gallery}`)).json();
    expect(gallery.kind).toBe('organization');
    expect(gallery.organization).toMatchObject({ verified: true, verification: { note: result.plan.galleryVerification.note } });
  });

  it('leaves the server clock at real time afterwards', () => {
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1000);
  });

  it('gives every evidence level 0..3, as the work pages report them', async () => {
    const client = new AuraClient(server.url);
    const levels = new Map<number, string[]>();
    for (const seeded of result.works) {
      const work = await client.request('GET', `/v1/works/${seeded.id}`);
      levels.set(work.evidenceLevel.level, [...(levels.get(work.evidenceLevel.level) ?? []), seeded.work.key]);
      if (work.evidenceLevel.level === 2) {
        const times = work.processImages.map((p: { loggedAt: string }) => Date.parse(p.loggedAt));
        expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(DAY);
        expect(work.processImages.every((p: { beforeRegistration: boolean }) => p.beforeRegistration)).toBe(true);
      }
    }
    expect([...levels.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(levels.get(0)).toEqual(result.plan.works.filter((w) => w.revoke).map((w) => w.key));
    expect(levels.get(2)).toEqual(result.plan.works.filter((w) => w.processStages.length).map((w) => w.key));
    const report = formatSeedReport(result);
    for (const level of [0, 1, 2, 3]) expect(report).toContain(`level ${level} `);
    expect(report).toContain(`${server.url}/@${result.plan.gallery}`);
    expect(report).toContain('matches the signed checkpoint');
  });

  it('writes sample images whose re-posted copies verify to their work', async () => {
    const client = new AuraClient(server.url);
    expect(result.copies.length).toBeGreaterThanOrEqual(3 * 4);
    const outcomes: string[] = [];
    for (const copy of result.copies) {
      const expected = result.works.find((w) => w.work.key === copy.workKey)!;
      const report = await client.verify({ bytes: fs.readFileSync(copy.file), filename: path.basename(copy.file), type: 'image/jpeg' });
      outcomes.push(`${copy.transform}:${report.matches[0]?.workId === expected.id ? 'ok' : 'miss'}`);
      expect(report.matches[0]?.workId, `${copy.transform} copy of ${copy.workKey}`).toBe(expected.id);
      expect(report.matches[0].evidenceLevel.level).toBe(expected.level);
    }
    const nothing = await client.verify({ bytes: fs.readFileSync(result.unregistered), filename: 'u.png', type: 'image/png' });
    expect(nothing.matches).toEqual([]);
    expect(fs.readdirSync(path.join(out, 'works'))).toHaveLength(WORKS);
  });

  it('keeps each account key in an encrypted file only its owner can read, and rotated one key', async () => {
    const client = new AuraClient(server.url);
    for (const account of result.plan.accounts) {
      const file = path.join(out, 'keys', `${account.handle}.json`);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const identity = await decryptKey(readKeyFile(file), DEMO_PASSPHRASE);
      const onServer = await client.request('GET', `/v1/accounts/${account.handle}`);
      expect(onServer.keys.find((k: { kid: string }) => k.kid === identity.kid)?.status).toBe('active');
    }
    const rotated = await client.request('GET', `/v1/accounts/${result.plan.keyRotation}`);
    expect(rotated.keys.map((k: { status: string }) => k.status).sort()).toEqual(['active', 'revoked']);
  });

  it('leaves a log whose recomputed root equals the signed checkpoint', async () => {
    const vkey = (await (await server.fetch('/v1/log/vkey')).text()).trim();
    const checkpoint = openCheckpoint(await (await server.fetch('/v1/log/checkpoint')).text(), parseVerifierKey(vkey));
    expect(checkpoint.size).toBe(await count('log_entries'));
    const tree = new CompactRange();
    while (tree.size < checkpoint.size) {
      const page = await (await server.fetch(`/v1/log/entries?start=${tree.size}&end=${checkpoint.size}`)).json();
      expect(page.entries.length).toBeGreaterThan(0);
      for (const entry of page.entries) {
        expect(entry.index).toBe(tree.size);
        tree.append(leafHash(Buffer.from(entry.body, 'base64')));
      }
    }
    expect(tree.root().equals(checkpoint.rootHash)).toBe(true);
    expect(result.log).toEqual({ size: checkpoint.size, rootMatches: true, dense: true });
  });

  it('adds nothing when run a second time', async () => {
    const before = { accounts: await count('accounts'), works: await count('works'), log: await count('log_entries') };
    const again = await seedRegistry({
      url: server.url,
      out,
      works: WORKS,
      time: clock,
      operator: () => Promise.reject(new Error('verified twice')),
    });
    expect(again.created).toEqual({
      accounts: 0,
      works: 0,
      processImages: 0,
      attestations: 0,
      disputes: 0,
      revocations: 0,
      keyRotations: 0,
      verifications: 0,
    });
    expect({ accounts: await count('accounts'), works: await count('works'), log: await count('log_entries') }).toEqual(before);
    expect(again.works.map((w) => w.id)).toEqual(result.works.map((w) => w.id));
  });
});

describe('demo seed on a server whose clock it cannot move', () => {
  let server: TestServer;
  let out: string;
  // The seeder may read this clock (as it reads the time of any server) but is not given the hook to move it.
  const serverClock = createDemoClock(0);

  beforeAll(async () => {
    server = await startTestServer('pglite', { clock: serverClock });
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-seed-url-'));
  });
  afterAll(async () => {
    await server?.close();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('holds back the works with process images until a day has passed, then registers them at level 2', async () => {
    const first = await seedRegistry({ url: server.url, out, works: 8, clock: serverClock });
    const processWorks = first.plan.works.filter((w) => w.processStages.length);
    expect(first.waiting.map((w) => w.work.key)).toEqual(processWorks.map((w) => w.key));
    expect(first.works).toHaveLength(8 - processWorks.length);
    // Without the operator's hand the gallery stays unverified: its attestations do not give level 3, and the report says what to run.
    expect(first.galleryVerified).toBe(false);
    expect(first.works.map((w) => w.level).sort()).toEqual([0, 1, 1, 1, 1, 1]);
    expect(formatSeedReport(first)).toContain('Run this same command');
    expect(formatSeedReport(first)).toContain(`aura operator verify-organization ${first.plan.gallery}`);
    await operatorVerifies(server, first.plan.gallery);

    const early = await seedRegistry({ url: server.url, out, works: 8, clock: serverClock });
    expect(early.created).toEqual({
      accounts: 0,
      works: 0,
      processImages: 0,
      attestations: 0,
      disputes: 0,
      revocations: 0,
      keyRotations: 0,
      verifications: 0,
    });
    expect(early.galleryVerified).toBe(true);
    expect(early.works.map((w) => w.level).sort()).toEqual([0, 1, 1, 3, 3, 3]);

    serverClock.advance(DAY + 60_000);
    const later = await seedRegistry({ url: server.url, out, works: 8, clock: serverClock });
    expect(later.waiting).toEqual([]);
    expect(later.created).toMatchObject({ accounts: 0, works: processWorks.length, processImages: processWorks.length, attestations: 0 });
    expect(later.works.filter((w) => w.level === 2).map((w) => w.work.key)).toEqual(processWorks.map((w) => w.key));
    expect(formatSeedReport(later)).toContain('Level 2 (process evidence): 2 works.');
  });

  it('refuses to act for an existing account whose key it does not hold', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-seed-other-'));
    try {
      await expect(seedRegistry({ url: server.url, out: elsewhere, works: 8, clock: serverClock })).rejects.toThrow(
        /already exists .* holds no active key/,
      );
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
