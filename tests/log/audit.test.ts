import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawPublicKey } from '../../api/log/keys.ts';
import { formatVerifierKey } from '../../api/log/note.ts';
import type { LogEventInput } from '../../api/log/types.ts';
import { runAudit } from '../../scripts/cli/audit.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { AuraClient, generateIdentity } from '../../scripts/lib/aura-client.ts';

async function artistKey() {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  const sign = (payload: object, signer = privateKey) =>
    new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg: 'EdDSA', kid }).sign(signer);
  return { jwk, kid, sign, privateKey };
}

describe('aura audit', () => {
  let server: TestServer;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-audit-'));
  const statePath = (name: string) => path.join(dir, `${name}.json`);
  const append = (events: LogEventInput[]) =>
    server.ctx.db.transaction().execute(async (trx) => {
      for (const e of events) await server.ctx.log.append(trx, e);
    });
  const audit = async (state: string, options = {}) => {
    const lines: string[] = [];
    const code = await runAudit(server.url, statePath(state), (l) => lines.push(l), options);
    return { code, out: lines.join('\n') };
  };

  beforeAll(async () => {
    server = await startTestServer('pglite');
    const artist = await artistKey();
    await append([
      { type: 'key.added', subjectId: artist.kid, kid: artist.kid, jwk: artist.jwk, jws: await artist.sign({ action: 'account.create' }) },
      ...(await Promise.all(
        Array.from({ length: 29 }, async (_, i) => ({ type: 'work.registered', subjectId: `w${i}`, jws: await artist.sign({ work: i }) })),
      )),
    ]);
  });
  afterAll(async () => server?.close());

  it('passes on a healthy log, pins the key, and then audits only what is new', async () => {
    const first = await audit('healthy');
    expect(first.out).toContain('trusting the log key on first use');
    expect(first.out).toMatch(/^entry signatures: 30 valid$/m);
    expect(first.code).toBe(0);
    const state = JSON.parse(fs.readFileSync(statePath('healthy'), 'utf8'));
    expect(state.checkpoint).toContain('\n30\n');

    await append(Array.from({ length: 12 }, (_, i) => ({ type: 'test.more', i })));
    const second = await audit('healthy');
    expect(second.code).toBe(0);
    expect(second.out).toContain('consistent with the last checkpoint seen (size 30)');
    expect(second.out).toContain('the new entries hash to the signed root (12 checked)');
    expect(second.out).toMatch(/\d+ older entries re-checked/);
  });

  it('raises the alarm when the pinned key and the served key differ', async () => {
    const state = JSON.parse(fs.readFileSync(statePath('healthy'), 'utf8'));
    const other = generateKeyPairSync('ed25519').privateKey;
    state.vkey = formatVerifierKey(server.ctx.config.logOrigin, rawPublicKey(other));
    fs.writeFileSync(statePath('other-key'), JSON.stringify(state));
    const result = await audit('other-key');
    expect(result.code).toBe(1);
    expect(result.out).toContain('ALARM: the log now publishes another verifier key');
  });

  it('catches an entry signature that does not verify with the key the log published', async () => {
    const artist = await artistKey();
    const forger = await artistKey();
    fs.copyFileSync(statePath('healthy'), statePath('forged'));
    await append([
      { type: 'key.added', subjectId: artist.kid, kid: artist.kid, jwk: artist.jwk, jws: await artist.sign({ a: 1 }) },
      // Claims the artist's kid but is signed by another key.
      { type: 'work.registered', subjectId: 'forged', jws: await artist.sign({ work: 'forged' }, forger.privateKey) },
    ]);
    const result = await audit('forged');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/ALARM: entry \d+ \(work.registered\) carries a signature that does not verify/);
  });

  it('catches a history rewritten in the database', async () => {
    const tampered = Buffer.from(JSON.stringify({ receivedAt: '2025-01-01T00:00:00.000Z', subjectId: 'w3', type: 'work.revoked' }));
    await sql`update log_entries set body = ${tampered} where idx = 5`.execute(server.ctx.db);

    // A monitor that syncs from scratch re-hashes everything and sees the rewritten entry.
    const full = await audit('rewrite');
    expect(full.code).toBe(1);
    expect(full.out).toContain('do not hash to the signed root');
    expect(full.out).toContain('carries a signature that does not verify'); // the forged entry above, reported too

    // A monitor with earlier state sees it when it re-checks old entries against the new checkpoint.
    fs.copyFileSync(statePath('healthy'), statePath('rewrite-incremental'));
    const incremental = await audit('rewrite-incremental', { sample: 1000 });
    expect(incremental.code).toBe(1);
    expect(incremental.out).toContain('older entry 5 no longer matches the log');
  });
});

describe('aura audit on a forked log', () => {
  let server: TestServer;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-fork-'));
  const state = path.join(dir, 'state.json');
  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(async () => server?.close());

  const appendMany = (n: number, tag: string) =>
    server.ctx.db.transaction().execute(async (trx) => {
      for (let i = 0; i < n; i++) await server.ctx.log.append(trx, { type: 'test.entry', tag, i });
    });

  it('reports a fork when the operator rebuilds the log with another history and re-signs it', async () => {
    await appendMany(20, 'original');
    const lines: string[] = [];
    expect(await runAudit(server.url, state, (l) => lines.push(l))).toBe(0);

    // The operator (who holds the key) replaces the history wholesale and signs a longer checkpoint.
    await server.ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('checkpoints').execute();
      await trx.deleteFrom('log_nodes').execute();
      await trx.deleteFrom('log_entries').execute();
    });
    await appendMany(25, 'rewritten');
    const after: string[] = [];
    const code = await runAudit(server.url, state, (l) => after.push(l));
    expect(code).toBe(1);
    expect(after.join('\n')).toContain('FORK OR REWRITE');
    expect(after.join('\n')).toContain('last checkpoint seen (keep it as evidence)');
    // The state still holds the last good checkpoint: the alarm repeats until someone looks.
    expect(await runAudit(server.url, state, () => {})).toBe(1);
  });

  it('reports a rollback to a smaller log', async () => {
    const fresh = path.join(dir, 'rollback.json');
    expect(await runAudit(server.url, fresh, () => {})).toBe(0);
    await server.ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('checkpoints').execute();
      await trx.deleteFrom('log_nodes').execute();
      await trx.deleteFrom('log_entries').execute();
    });
    await appendMany(3, 'short');
    const lines: string[] = [];
    expect(await runAudit(server.url, fresh, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('shrank');
  });

  it('fails with exit code 4 (the CLI\'s "server unreachable") when the server cannot be reached', async () => {
    const lines: string[] = [];
    expect(await runAudit('http://127.0.0.1:9', path.join(dir, 'none.json'), (l) => lines.push(l))).toBe(4);
    expect(lines).toEqual(['error: cannot reach the server http://127.0.0.1:9']);
  });

  it('checks account creations against the key in their own signed payload, leaving no signature unchecked', async () => {
    const own = await startTestServer('pglite');
    try {
      for (const handle of ['audit-ada', 'audit-grace']) {
        await new AuraClient(own.url).createAccount(await generateIdentity(), { handle, displayName: handle, kind: 'artist' });
      }
      const lines: string[] = [];
      expect(await runAudit(own.url, path.join(dir, 'accounts.json'), (l) => lines.push(l))).toBe(0);
      // Each account: its account.created entry (self-signed) and its key.added entry.
      expect(lines).toContain('entry signatures: 4 valid');

      const victim = await artistKey();
      const forger = await artistKey();
      const forged = await new CompactSign(Buffer.from(JSON.stringify({ handle: 'audit-forged', kind: 'artist', jwk: victim.jwk })))
        .setProtectedHeader({ alg: 'EdDSA', typ: 'aura-account+jwt', kid: victim.kid })
        .sign(forger.privateKey);
      const renamed = await victim.sign({ handle: 'someone-else', kind: 'artist', jwk: victim.jwk });
      await own.ctx.db.transaction().execute(async (trx) => {
        await own.ctx.log.append(trx, {
          type: 'account.created',
          subjectId: 'f1',
          account: { id: 'f1', handle: 'audit-forged' },
          jws: forged,
        });
        await own.ctx.log.append(trx, {
          type: 'account.created',
          subjectId: 'f2',
          account: { id: 'f2', handle: 'audit-renamed' },
          jws: renamed,
        });
      });
      const after: string[] = [];
      expect(await runAudit(own.url, path.join(dir, 'accounts.json'), (l) => after.push(l))).toBe(1);
      const out = after.join('\n');
      expect(out).toMatch(/entry \d+ \(account.created\): the signature does not verify with the key in its own payload/);
      expect(out).toMatch(/entry \d+ \(account.created\): signed for the handle "someone-else", logged as "audit-renamed"/);
    } finally {
      await own.close();
    }
  });
});
