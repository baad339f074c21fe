import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { verifyBundle } from '../../api/bundle/verify.ts';
import { LOG_KEY_FILE } from '../../api/log/keys.ts';
import { OPERATOR_KEY_FILE } from '../../api/trust/operator-key.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { fetchCheckpoint, provesConsistent, type SeenCheckpoint } from './audit.ts';
import { pngFile, signedInAccount } from './support.ts';

/** A registry with some history: works, an attestation, a dispute, a revocation, a key rotation. */
async function populate(server: TestServer): Promise<string[]> {
  const artist = await signedInAccount(server.url, 'backup-artist');
  const gallery = await signedInAccount(server.url, 'backup-gallery', 'organization');
  const ids: string[] = [];
  for (const seed of [801, 802, 803])
    ids.push(
      (
        await artist.client.registerWork(artist.identity, pngFile(await renderArtwork(seed, { width: 400, height: 300 })), {
          title: `Backed up ${seed}`,
        })
      ).workId,
    );
  await gallery.client.attest(gallery.identity, ids[0]!, { type: 'exhibited', note: 'Spring show' });
  await gallery.client.dispute(gallery.identity, ids[1]!, 'copied', 'Looks like another piece');
  await artist.client.revokeWork(artist.identity, ids[2]!, 'withdrawn');
  return ids;
}

interface Snapshot {
  checkpoint: SeenCheckpoint;
  vkey: string;
  bundles: Map<string, unknown>;
}

async function snapshot(server: TestServer, ids: string[]): Promise<Snapshot> {
  // Let the log sign a checkpoint over everything appended so far.
  await server.ctx.log.checkpoint();
  const bundles = new Map<string, unknown>();
  for (const id of ids) bundles.set(id, await (await server.fetch(`/v1/works/${id}/bundle`)).json());
  return { checkpoint: await fetchCheckpoint(server.url), vkey: (await (await server.fetch('/v1/log/vkey')).text()).trim(), bundles };
}

async function expectRestored(restored: TestServer, before: Snapshot, ids: string[]): Promise<void> {
  const checkpoint = await fetchCheckpoint(restored.url);
  expect(checkpoint.size).toBe(before.checkpoint.size);
  expect(checkpoint.rootHash.equals(before.checkpoint.rootHash)).toBe(true);
  expect((await (await restored.fetch('/v1/log/vkey')).text()).trim()).toBe(before.vkey);
  for (const id of ids) {
    // The bundle served after the restore verifies offline, pinned to the key known before the backup…
    const bundle = await (await restored.fetch(`/v1/works/${id}/bundle`)).json();
    const results = await verifyBundle(bundle, { trustedVkey: before.vkey });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    // …and so does the one downloaded before it.
    expect((await verifyBundle(before.bundles.get(id), { trustedVkey: before.vkey })).every((r) => r.ok)).toBe(true);
  }
  // The restored registry carries on the same log: new entries extend the old tree.
  const next = await signedInAccount(restored.url, 'after-restore');
  await next.client.registerWork(next.identity, pngFile(await renderArtwork(809, { width: 400, height: 300 })), {
    title: 'After the restore',
  });
  await restored.ctx.log.checkpoint();
  const later = await fetchCheckpoint(restored.url);
  expect(later.size).toBeGreaterThan(before.checkpoint.size);
  expect(await provesConsistent(restored.url, before.checkpoint, later)).toBe(true);
}

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe.runIf(process.env.TEST_DATABASE_URL)('backup and restore with pg_dump and psql (docs/backup.md)', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('restores into a fresh database with the log key: same root, every bundle verifies', async () => {
    const source = await startTestServer('postgres');
    cleanup.push(() => source.close());
    const ids = await populate(source);
    const before = await snapshot(source, ids);

    const backupDir = tmp('aura-backup-');
    cleanup.push(() => fs.rmSync(backupDir, { recursive: true, force: true }));
    const dump = path.join(backupDir, 'aura.sql');
    // The commands of docs/backup.md: a consistent dump while the registry keeps running, plus the key.
    execFileSync('pg_dump', ['--no-owner', '--no-privileges', '--file', dump, source.databaseUrl!]);
    for (const key of [LOG_KEY_FILE, OPERATOR_KEY_FILE]) fs.copyFileSync(path.join(source.dataDir, key), path.join(backupDir, key));

    const target = await createScratchDatabase();
    cleanup.push(() => target.drop());
    execFileSync('psql', ['--quiet', '--set', 'ON_ERROR_STOP=1', '--file', dump, target.url], { stdio: ['ignore', 'ignore', 'pipe'] });
    const dataDir = tmp('aura-restored-');
    cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    for (const key of [LOG_KEY_FILE, OPERATOR_KEY_FILE]) fs.copyFileSync(path.join(backupDir, key), path.join(dataDir, key));

    const restored = await startTestServer('postgres', { databaseUrl: target.url, dataDir });
    cleanup.push(() => restored.close());
    await expectRestored(restored, before, ids);
  }, 120_000);
});

describe('backup and restore of the embedded database by copying the data directory (docs/backup.md)', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('restores a stopped server’s data directory elsewhere: same root, every bundle verifies', async () => {
    const original = tmp('aura-embedded-');
    cleanup.push(() => fs.rmSync(original, { recursive: true, force: true }));
    const source = await startTestServer('pglite', { dataDir: original });
    const ids = await populate(source);
    const before = await snapshot(source, ids);
    await source.close(); // stop the server first: PGlite's files are only consistent when it is closed

    const copy = tmp('aura-embedded-copy-');
    cleanup.push(() => fs.rmSync(copy, { recursive: true, force: true }));
    fs.cpSync(original, copy, { recursive: true });
    expect(fs.existsSync(path.join(copy, LOG_KEY_FILE))).toBe(true);
    fs.rmSync(original, { recursive: true, force: true }); // the original is gone: only the copy remains

    const restored = await startTestServer('pglite', { dataDir: copy });
    cleanup.push(() => restored.close());
    await expectRestored(restored, before, ids);
  }, 120_000);
});
