import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLogKey } from '../../api/log/keys.ts';
import { completedNodeHashes, leafHash, mapSource, nodeKey, rootHash } from '../../api/log/merkle.ts';
import { verifyConsistency } from '../../api/log/verify/merkle-proof.ts';
import { openCheckpoint } from '../../api/log/note.ts';
import { parseVerifierKey } from '../../api/log/verify/note.ts';
import { createScratchDatabase, startTestServer, type TestServer } from '../helpers/server.ts';

const TOTAL = 500;
const WORKERS_PER_SERVER = 8;

describe.runIf(process.env.TEST_DATABASE_URL)('transparency log shared by 3 processes on one PostgreSQL', () => {
  let servers: TestServer[] = [];
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  const logKey = exportLogKey(generateKeyPairSync('ed25519').privateKey);
  // Processes sharing a database share the operator key too (docs/trust.md), like the log key.
  const operatorKey = exportLogKey(generateKeyPairSync('ed25519').privateKey);

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    servers = await Promise.all(
      [0, 1, 2].map(() =>
        startTestServer('postgres', { databaseUrl: scratch.url, env: { AURA_LOG_KEY: logKey, AURA_OPERATOR_KEY: operatorKey } }),
      ),
    );
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await scratch?.drop();
  });

  it(`appends ${TOTAL} entries concurrently with dense indices and one consistent history`, async () => {
    expect(new Set(servers.map((s) => s.dataDir)).size).toBe(3);
    expect(new Set(servers.map((s) => s.ctx.log.verifierKey)).size).toBe(1);
    let next = 0;
    const indices: number[] = [];
    const worker = async (server: TestServer, id: string) => {
      for (let n = next++; n < TOTAL; n = next++) {
        const appended = await server.ctx.db
          .transaction()
          .execute((trx) => server.ctx.log.append(trx, { type: 'test.concurrent', n, by: id }));
        indices.push(appended.index);
        // Interleave checkpoint signing with appends, as the registration flow does.
        if (n % 25 === 0) await server.ctx.log.checkpoint();
      }
    };
    await Promise.all(servers.flatMap((s, si) => Array.from({ length: WORKERS_PER_SERVER }, (_, w) => worker(s, `${si}.${w}`))));

    expect(indices.sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));

    const log = servers[0]!.ctx.log;
    const checkpoint = await log.checkpoint();
    expect(checkpoint.size).toBe(TOTAL);
    const nodes = new Map<string, Buffer>();
    const source = mapSource(nodes);
    const seen = new Set<number>();
    for (let start = 0; start < TOTAL; start += 100) {
      const res = await servers[1]!.fetch(`/v1/log/entries?start=${start}&end=${start + 100}`);
      const page = (await res.json()) as { entries: Array<{ index: number; body: string; entry: { n: number } }> };
      for (const e of page.entries) {
        seen.add(e.entry.n);
        for (const node of completedNodeHashes(e.index, leafHash(Buffer.from(e.body, 'base64')), source))
          nodes.set(nodeKey(node), node.hash);
      }
    }
    expect(seen.size).toBe(TOTAL);
    expect(rootHash(TOTAL, source)).toEqual(checkpoint.rootHash);

    // Every checkpoint any process signed verifies with the shared key and is consistent with the final one.
    const verifier = parseVerifierKey(log.verifierKey);
    const stored = await servers[2]!.ctx.db.selectFrom('checkpoints').select(['size', 'note']).orderBy('size').execute();
    expect(stored.length).toBeGreaterThan(3);
    for (const row of stored) {
      const cp = openCheckpoint(row.note, verifier);
      expect(cp.rootHash).toEqual(rootHash(cp.size, source));
      const proof = await log.consistencyProof(cp.size, TOTAL);
      const hashes = proof.hashes.map((h) => Buffer.from(h, 'base64'));
      expect(verifyConsistency(cp.size, TOTAL, cp.rootHash, checkpoint.rootHash, hashes), `checkpoint ${cp.size}`).toBe(true);
    }
  });
});
