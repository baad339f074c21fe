import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixedClock } from '../../api/clock.ts';
import { AppError } from '../../api/errors.ts';
import { leafHash, rootHash, mapSource, completedNodeHashes, nodeKey } from '../../api/log/merkle.ts';
import { verifyConsistency, verifyInclusion } from '../../api/log/verify/merkle-proof.ts';
import { openCheckpoint } from '../../api/log/note.ts';
import { parseVerifierKey } from '../../api/log/verify/note.ts';
import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { loadOrCreateLogKey, rawPublicKey } from '../../api/log/keys.ts';
import { TransparencyLogService } from '../../api/log/service.ts';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';

const b64 = (hashes: string[]) => hashes.map((h) => Buffer.from(h, 'base64'));

function rootOf(bodies: Buffer[]): Buffer {
  const nodes = new Map<string, Buffer>();
  const source = mapSource(nodes);
  bodies.forEach((body, i) => {
    for (const n of completedNodeHashes(i, leafHash(body), source)) nodes.set(nodeKey(n), n.hash);
  });
  return rootHash(bodies.length, source);
}

describeEachDatabase('transparency log service', (backend) => {
  let server: TestServer;
  let log: TransparencyLogService;
  const clock = fixedClock(new Date('2025-03-01T12:00:00.000Z'));
  beforeAll(async () => {
    server = await startTestServer(backend, { clock });
    log = server.ctx.log as TransparencyLogService;
  });
  afterAll(async () => server?.close());

  it('signs a checkpoint of the empty tree', async () => {
    const cp = await log.checkpoint();
    expect(cp.size).toBe(0);
    expect(cp.rootHash.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(openCheckpoint(cp.note, parseVerifierKey(log.verifierKey)).size).toBe(0);
  });

  it('appends dense canonical entries inside the caller transaction', async () => {
    const first = await server.ctx.db
      .transaction()
      .execute((trx) => log.append(trx, { type: 'test.event', subjectId: 's-1', zeta: 1, alpha: { b: 2, a: [3, 'x'] } }));
    expect(first.index).toBe(0);
    expect(first.body.toString()).toBe(
      '{"alpha":{"a":[3,"x"],"b":2},"receivedAt":"2025-03-01T12:00:00.000Z","subjectId":"s-1","type":"test.event","zeta":1}',
    );
    expect(first.leafHash).toEqual(leafHash(first.body));
    const batch = await server.ctx.db.transaction().execute(async (trx) => {
      const out = [];
      for (let i = 0; i < 20; i++) out.push(await log.append(trx, { type: 'test.event', n: i }));
      return out;
    });
    expect(batch.map((e) => e.index)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const many = await server.ctx.db.transaction().execute((trx) =>
      log.appendMany(
        trx,
        Array.from({ length: 13 }, (_, i) => ({ type: 'test.many', i })),
      ),
    );
    expect(many.map((e) => e.index)).toEqual(Array.from({ length: 13 }, (_, i) => i + 21));
    expect(await server.ctx.db.transaction().execute((trx) => log.appendMany(trx, []))).toEqual([]);
    expect((await log.getEntry(5))?.entry).toMatchObject({ type: 'test.event', n: 4 });
    expect(await log.getEntry(34)).toBeUndefined();
  });

  it('leaves nothing behind when the caller transaction fails', async () => {
    const before = await log.size();
    await expect(
      server.ctx.db.transaction().execute(async (trx) => {
        await log.append(trx, { type: 'test.rolled-back' });
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect(await log.size()).toBe(before);
    const next = await server.ctx.db.transaction().execute((trx) => log.append(trx, { type: 'test.after' }));
    expect(next.index).toBe(before);
  });

  it('rejects events that are not loggable', async () => {
    for (const bad of [
      { type: '' },
      { type: 'Has Spaces' },
      { type: 'ok', value: Number.NaN },
      { type: 'ok', big: 'x'.repeat(1024 * 1024) },
    ]) {
      const attempt = server.ctx.db.transaction().execute((trx) => log.append(trx, bad));
      await expect(attempt).rejects.toBeInstanceOf(AppError);
    }
  });

  it('checkpoints the whole tree; proofs from the database verify against it', async () => {
    const earlier = await log.checkpoint();
    const cp = await log.checkpoint();
    expect(cp.size).toBe(35);
    const all = await log.getEntries(0, 100);
    expect(all.map((e) => e.index)).toEqual(Array.from({ length: 35 }, (_, i) => i));
    expect(cp.rootHash).toEqual(rootOf(all.map((e) => e.body)));
    for (const index of [0, 1, 17, 33, 34]) {
      const proof = await log.inclusionProof(index, cp.size);
      expect(verifyInclusion(all[index]!.leafHash, index, cp.size, b64(proof.hashes), cp.rootHash)).toBe(true);
    }
    const small = rootOf(all.slice(0, 7).map((e) => e.body));
    const consistency = await log.consistencyProof(7, 35);
    expect(verifyConsistency(7, 35, small, cp.rootHash, b64(consistency.hashes))).toBe(true);
    expect(earlier.size).toBe(35);
  });

  it('never signs two checkpoints for one size and rejects proofs beyond the tree', async () => {
    const a = await log.checkpoint();
    const b = await log.checkpoint();
    expect(b.note).toBe(a.note);
    await expect(log.inclusionProof(3, 36)).rejects.toMatchObject({ code: 'invalid_log_range' });
    await expect(log.inclusionProof(35, 35)).rejects.toMatchObject({ code: 'invalid_log_range' });
    await expect(log.consistencyProof(10, 9)).rejects.toMatchObject({ code: 'invalid_log_range' });
    await expect(log.consistencyProof(1, 99)).rejects.toMatchObject({ code: 'invalid_log_range' });
  });

  it('signs a checkpoint in the background about a second after an append', async () => {
    await server.ctx.db.transaction().execute((trx) => log.append(trx, { type: 'test.background' }));
    const deadline = Date.now() + 5000;
    let latest = await log.latestCheckpoint();
    while ((latest?.size ?? 0) < 36 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      latest = await log.latestCheckpoint();
    }
    expect(latest?.size).toBe(36);
  });

  it('warns loudly when a new or different key takes over a log that has entries', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = { privateKey, publicKey: rawPublicKey(privateKey), source: 'created' as const };
    const deps = { db: server.ctx.db, clock, logger, origin: server.ctx.config.logOrigin };
    const replacement = await TransparencyLogService.create({ ...deps, key });
    await replacement.checkKeyContinuity();
    expect(lines.join('')).toContain('A NEW LOG KEY WAS CREATED but the log already holds');
    expect(lines.join('')).toContain('WAS NOT SIGNED BY THIS LOG KEY');

    lines.length = 0;
    const sameKey = await TransparencyLogService.create({
      ...deps,
      key: loadOrCreateLogKey({ envKey: undefined, dataDir: server.dataDir }),
    });
    await sameKey.checkKeyContinuity();
    expect(lines).toEqual([]);
  });

  it('appends a batch larger than one INSERT and keeps the tree exact', async () => {
    const before = await log.size();
    const batch = await server.ctx.db.transaction().execute((trx) =>
      log.appendMany(
        trx,
        Array.from({ length: 2100 }, (_, i) => ({ type: 'test.bulk', i })),
      ),
    );
    expect(batch.at(-1)!.index).toBe(before + 2099);
    const bodies: Buffer[] = [];
    for (let start = 0; start < before + 2100; start += 100) bodies.push(...(await log.getEntries(start, start + 100)).map((e) => e.body));
    expect((await log.checkpoint()).rootHash).toEqual(rootOf(bodies));
  });
});
