import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cuttableProxy, startApiProcess } from '../helpers/processes.ts';
import { createScratchDatabase } from '../helpers/server.ts';
import { AuraClient, generateIdentity } from '../../scripts/lib/aura-client.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'aura-proc-'));
const waitFor = async (check: () => Promise<boolean>, ms = 30_000) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
};

describe('the server as a process', () => {
  it('refuses a bad configuration with one line naming the variable and a non-zero exit', async () => {
    const s = await startApiProcess({ PORT: 'abc', AURA_DATA_DIR: tmp() }, undefined, 'exit');
    expect(await s.exited).toBe(2);
    expect(s.output().trim()).toMatch(/^invalid configuration: PORT="abc": [^\n]+$/);
  });

  it('a port already in use stops start-up with one line, no stack trace', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const s = await startApiProcess({ AURA_DATA_DIR: tmp() }, port, 'exit');
      expect(await s.exited).toBe(1);
      expect(s.output().trim()).toBe(
        `cannot listen on 127.0.0.1:${port}: it is already in use by another process; stop it or set PORT to a free port`,
      );
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('starts on the embedded database, shuts down gracefully and keeps its data across a restart', async () => {
    const dataDir = tmp();
    const first = await startApiProcess({ AURA_DATA_DIR: dataDir });
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const identity = await generateIdentity();
    await new AuraClient(first.url).createAccount(identity, { handle: 'persisted', displayName: 'Persisted', kind: 'artist' });
    const checkpoint = await (await fetch(`${first.url}/v1/log/checkpoint`)).text();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startApiProcess({ AURA_DATA_DIR: dataDir });
    const account = await new AuraClient(second.url).request('GET', '/v1/accounts/persisted');
    expect(account.keys[0].kid).toBe(identity.kid);
    expect(await (await fetch(`${second.url}/v1/log/checkpoint`)).text()).toBe(checkpoint);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it.runIf(process.env.TEST_DATABASE_URL)('serves with the database down at start, says so on /readyz, and recovers', async () => {
    const scratch = await createScratchDatabase();
    const target = new URL(scratch.url);
    const proxy = await cuttableProxy({ host: target.hostname, port: Number(target.port || 5432) }, { open: false });
    const viaProxy = new URL(scratch.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const s = await startApiProcess({ AURA_DATA_DIR: tmp(), DATABASE_URL: viaProxy.toString(), LOG_LEVEL: 'info' }, undefined, 'serving');
    try {
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      const down = await fetch(`${s.url}/readyz`);
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBeTruthy();
      expect(down.headers.get('content-type')).toContain('application/problem+json');
      expect(s.output()).toMatch(/database unreachable at start/);
      await proxy.open();
      expect(await waitFor(async () => (await fetch(`${s.url}/readyz`)).status === 200)).toBe(true);
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
      await proxy.cut();
      await scratch.drop();
    }
  });
});
