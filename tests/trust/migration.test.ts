import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { createScratchDatabase, describeEachDatabase, startTestServer } from '../helpers/server.ts';
import { operatorVerifies } from '../helpers/operator.ts';
import { AuraClient, generateIdentity } from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { openDatabase } from '../../db/open.ts';
import { migrations } from '../../db/migrations/index.ts';

/**
 * Upgrading a registry from before issue 18: its organisations were never vetted, so migration 0017 leaves every
 * one of them unverified, and works that were level 3 through their attestations show their new level at once.
 */
describeEachDatabase('migration 0017 on an existing registry', (backend) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-upgrade-'));
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => drop?.());

  it('makes existing organisations unverified and lowers the works that relied on them', async () => {
    let databaseUrl: string | undefined;
    if (backend === 'postgres') ({ url: databaseUrl, drop } = await createScratchDatabase());
    const options = { dataDir, ...(databaseUrl ? { databaseUrl } : {}) };
    let server = await startTestServer(backend, options);
    const artist = await generateIdentity();
    const gallery = await generateIdentity();
    const a = new AuraClient(server.url);
    const g = new AuraClient(server.url);
    await a.createAccount(artist, { handle: 'old-artist', displayName: 'Old Artist', kind: 'artist' });
    await g.createAccount(gallery, { handle: 'old-gallery', displayName: 'Old Gallery', kind: 'organization' });
    await a.signIn(artist);
    await g.signIn(gallery);
    const { workId } = await a.registerWork(
      artist,
      { bytes: await renderArtwork(1717), filename: 'w.png', type: 'image/png' },
      { title: 'Before the upgrade' },
    );
    await g.attest(gallery, workId, { type: 'exhibited' });
    await operatorVerifies(server, 'old-gallery');
    expect((await server.fetch(`/v1/works/${workId}`).then((r) => r.json())).evidenceLevel.level).toBe(3);
    await server.close();

    // Back to the schema before issue 18 (what an existing registry has), then start the new server on it.
    const database = await openDatabase({ url: databaseUrl, dataDir });
    const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
    const down = await migrator.migrateTo('0016_profile_signature_and_log_key');
    expect(down.error).toBeUndefined();
    expect(down.results).toContainEqual(
      expect.objectContaining({ migrationName: '0017_organization_trust', direction: 'Down', status: 'Success' }),
    );
    await database.close();

    server = await startTestServer(backend, options);
    try {
      const work = await server.fetch(`/v1/works/${workId}`).then((r) => r.json());
      expect(work.evidenceLevel.level).toBe(1);
      expect(work.attestations).toMatchObject([
        { type: 'exhibited', valid: true, countsTowardLevel: false, issuer: { handle: 'old-gallery', label: 'unverified organisation' } },
      ]);
      expect((await server.fetch('/v1/accounts/old-gallery').then((r) => r.json())).organization).toMatchObject({
        verified: false,
        verification: null,
      });
      // The operator verifies it again, and the attestation made long before counts again.
      await operatorVerifies(server, 'old-gallery', { note: 're-checked after the upgrade' });
      expect((await server.fetch(`/v1/works/${workId}`).then((r) => r.json())).evidenceLevel.level).toBe(3);
    } finally {
      await server.close();
    }
  });
});
