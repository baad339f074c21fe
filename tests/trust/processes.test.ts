import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startApiProcess } from '../helpers/processes.ts';
import { createScratchDatabase } from '../helpers/server.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'aura-op-proc-'));
const privateJwk = () => JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));

/** Processes sharing one PostgreSQL must vouch with one operator key, or the JWKS and the levels would differ between them. */
describe.skipIf(!process.env.TEST_DATABASE_URL)('API processes sharing one PostgreSQL', () => {
  it('serve one operator key; a process with another refuses to start with one line naming AURA_OPERATOR_KEY', async () => {
    const db = await createScratchDatabase();
    const shared = { DATABASE_URL: db.url, AURA_LOG_KEY: privateJwk() };
    const operatorKey = privateJwk();
    const first = await startApiProcess({ ...shared, AURA_DATA_DIR: tmp(), AURA_OPERATOR_KEY: operatorKey });
    const second = await startApiProcess({ ...shared, AURA_DATA_DIR: tmp(), AURA_OPERATOR_KEY: operatorKey });
    try {
      const jwks = await Promise.all([first, second].map((p) => fetch(`${p.url}/.well-known/jwks.json`).then((r) => r.json())));
      expect(jwks[0]).toEqual(jwks[1]);
      // Its own data directory, hence its own freshly created operator-key.json: refused.
      const stranger = await startApiProcess({ ...shared, AURA_DATA_DIR: tmp() }, undefined, 'exit');
      expect(await stranger.exited).toBe(2);
      expect(stranger.output()).toMatch(
        /^AURA_OPERATOR_KEY: this process's operator key \(\S+\) is not the registry's operator key stored in the database \(\S+\); [^\n]+$/m,
      );
    } finally {
      await Promise.all([first.kill('SIGTERM'), second.kill('SIGTERM')]);
      await db.drop();
    }
  });
});
