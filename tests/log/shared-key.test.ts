import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { exportLogKey } from '../../api/log/keys.ts';
import { openCheckpoint } from '../../api/log/note.ts';
import { parseVerifierKey } from '../../api/log/verify/note.ts';
import { AuraClient, generateIdentity } from '../../scripts/lib/aura-client.ts';
import { createScratchDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { startApiProcess, type ApiProcess } from '../helpers/processes.ts';

const newLogKey = () => exportLogKey(generateKeyPairSync('ed25519').privateKey);
// Processes sharing a database share the operator key too (docs/trust.md): only the log key differs here.
const operatorKey = exportLogKey(generateKeyPairSync('ed25519').privateKey);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'aura-i18-key-'));

/** Issue 18, finding 6 (one log key per database) and finding 4 across processes. */
describe.runIf(process.env.TEST_DATABASE_URL)('processes sharing one PostgreSQL', () => {
  const servers: TestServer[] = [];
  const processes: ApiProcess[] = [];
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  afterAll(async () => {
    for (const p of processes) await p.kill();
    for (const s of servers) await s.close();
    await scratch?.drop();
  });

  it('refuses to start a process whose log key differs from the one stored by the first, with one line naming AURA_LOG_KEY', async () => {
    scratch = await createScratchDatabase();
    const firstKey = newLogKey();
    // Processes behind one load balancer: one public URL, hence one log origin.
    const shared = { DATABASE_URL: scratch.url, AURA_PUBLIC_URL: 'http://aura.shared.invalid', AURA_OPERATOR_KEY: operatorKey };
    const first = await startApiProcess({ ...shared, AURA_DATA_DIR: tmp(), AURA_LOG_KEY: firstKey });
    processes.push(first);
    const client = new AuraClient(first.url);
    await client.createAccount(await generateIdentity(), { handle: 'keyed', displayName: 'Keyed', kind: 'artist' });
    const vkey = await (await fetch(`${first.url}/v1/log/vkey`)).text();

    // Its own data directory, hence its own freshly created key: what every process did by default on main.
    const other = await startApiProcess({ ...shared, AURA_DATA_DIR: tmp() }, undefined, 'serving');
    processes.push(other);
    const outcome = await Promise.race([other.exited, new Promise((r) => setTimeout(() => r('still running after 60 s'), 60_000))]);
    expect(outcome).toBe(2);
    const lines = other
      .output()
      .split('\n')
      .filter((l) => l.includes('AURA_LOG_KEY'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(vkey.trim());

    // The same key joins; every checkpoint in the database verifies with it, and the log says so.
    const second = await startApiProcess({ ...shared, AURA_DATA_DIR: tmp(), AURA_LOG_KEY: firstKey });
    processes.push(second);
    await new AuraClient(second.url).createAccount(await generateIdentity(), { handle: 'keyed-2', displayName: 'Keyed 2', kind: 'artist' });
    expect((await (await fetch(`${second.url}/v1/log/vkey`)).text()).trim()).toBe(vkey.trim());
    const note = await (await fetch(`${second.url}/v1/log/checkpoint`)).text();
    expect(openCheckpoint(note, parseVerifierKey(vkey.trim())).size).toBeGreaterThanOrEqual(4);
  }, 180_000);

  it('ends a signed-out session in every process at once, bearer and cookie', async () => {
    const shared = await createScratchDatabase();
    const logKey = newLogKey();
    try {
      const [a, b] = await Promise.all(
        [0, 1].map(() =>
          startTestServer('postgres', { databaseUrl: shared.url, env: { AURA_LOG_KEY: logKey, AURA_OPERATOR_KEY: operatorKey } }),
        ),
      );
      servers.push(a!, b!);
      const identity = await generateIdentity();
      const client = new AuraClient(a!.url);
      await client.createAccount(identity, { handle: 'everywhere', displayName: 'Everywhere', kind: 'artist' });
      const { token } = await client.signIn(identity);
      const onB = (headers: Record<string, string>) => b!.fetch('/v1/auth/session', { headers });
      expect((await onB({ authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await a!.fetch('/v1/auth/session', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
      expect((await onB({ authorization: `Bearer ${token}` })).status).toBe(401);
      expect((await onB({ cookie: `aura_session=${token}` })).status).toBe(401);
    } finally {
      for (const s of servers.splice(0)) await s.close();
      await shared.drop();
    }
  }, 120_000);
});

describe('a registry restarted with another log key (embedded database)', () => {
  const dataDir = tmp();
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to start, naming AURA_LOG_KEY, and keeps serving with the first key', async () => {
    const first = await startTestServer('pglite', { dataDir });
    const vkey = first.ctx.log.verifierKey;
    await first.close();
    await expect(startTestServer('pglite', { dataDir, env: { AURA_LOG_KEY: newLogKey() } })).rejects.toThrow(/^AURA_LOG_KEY: .*\n?$/);
    const again = await startTestServer('pglite', { dataDir });
    expect(again.ctx.log.verifierKey).toBe(vkey);
    await again.close();
  }, 120_000);
});
