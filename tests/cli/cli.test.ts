import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../scripts/aura.mjs');

describe('the aura command line', () => {
  let server: TestServer;
  let home: string;
  let work: string;
  let workId = '';
  const aura = async (args: string[], env: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, '--server', server.url, ...args], {
        env: { PATH: process.env.PATH ?? '', AURA_HOME: home, AURA_PASSPHRASE: 'correct horse battery', ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    server = await startTestServer('pglite');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-cli-'));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-cli-work-'));
  });
  afterAll(async () => server?.close());

  it('creates a key, an account, signs in and registers a work', async () => {
    expect((await aura(['keygen'])).stdout).toMatch(/^key [A-Za-z0-9_-]{43} saved to /);
    expect(fs.statSync(path.join(home, 'key.json')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(home, 'key.json'), 'utf8')).not.toMatch(/"d"/);
    expect((await aura(['keygen'])).code).toBe(2);
    expect((await aura(['account', 'create', '--handle', 'cli-artist', '--name', 'CLI Artist'])).stdout).toContain(
      'account @cli-artist created',
    );
    expect((await aura(['whoami'])).code).toBe(3);
    expect((await aura(['login'])).stdout).toContain('signed in to');
    expect((await aura(['whoami'])).stdout).toContain('@cli-artist (artist)');
    const image = path.join(work, 'harbour.png');
    fs.writeFileSync(image, await renderArtwork(31));
    const registered = await aura(['register', image, '--title', 'Harbour', '--year', '2026']);
    expect(registered.stdout).toMatch(/registered http.*\/w\/[0-9a-f-]{36} \(log index \d+\)/);
    workId = /\/w\/([0-9a-f-]{36})/.exec(registered.stdout)![1]!;
    expect((await aura(['register', image, '--title', 'Harbour'])).stdout).toContain('already registered');
  });

  it('verifies a copy, as text and as JSON', async () => {
    const copy = path.join(work, 'copy.jpg');
    fs.writeFileSync(
      copy,
      await sharp(await renderArtwork(31))
        .resize({ width: 300 })
        .jpeg({ quality: 70 })
        .toBuffer(),
    );
    const text = await aura(['verify', copy]);
    expect(text.stdout).toContain('"Harbour" by CLI Artist (@cli-artist)');
    const json = JSON.parse((await aura(['verify', copy, '--json'])).stdout);
    expect(json.matches[0].work.title).toBe('Harbour');
  });

  it('downloads the work with Content Credentials, which verify-bundle checks offline', async () => {
    const out = path.join(work, 'harbour.c2pa.png');
    const downloaded = await aura(['content-credentials', workId, path.join(work, 'harbour.png'), '--out', out]);
    expect(downloaded.stdout).toMatch(/^wrote .*harbour\.c2pa\.png \(image\/png, \d+ bytes\) with C2PA manifest urn:c2pa:/);
    const offline = await aura(['verify-bundle', out], { AURA_SERVER: 'http://127.0.0.1:9' });
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain('bundle verified');
    const unrelated = path.join(work, 'unrelated.png');
    fs.writeFileSync(unrelated, await renderArtwork(32));
    const refused = await aura(['content-credentials', workId, unrelated, '--out', path.join(work, 'x.png')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('image_not_of_work');
  });

  it('imports a folder with a summary, and resumes without duplicates', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-import-'));
    for (const seed of [41, 42, 43]) fs.writeFileSync(path.join(folder, `piece-${seed}.png`), await renderArtwork(seed));
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not an image');
    fs.writeFileSync(path.join(folder, 'broken.jpg'), Buffer.from('not really a jpeg'));
    const first = await aura(['import', folder]);
    expect(first.stdout).toContain('3 registered, 0 already done earlier, 1 failed (of 4 images)');
    expect(first.code).toBe(1);
    fs.rmSync(path.join(folder, 'broken.jpg'));
    const second = await aura(['import', folder]);
    expect(second.stdout).toContain('0 registered, 3 already done earlier, 0 failed (of 3 images)');
    expect(second.code).toBe(0);
  });

  it('exits with the codes the README lists: 2 usage, 3 not signed in', async () => {
    const signedOut = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-cli-out-'));
    const image = path.join(work, 'harbour.png');
    for (const args of [
      ['whoami'],
      ['register', image, '--title', 'T'],
      ['process', image],
      ['attest', 'w', '--type', 'exhibited'],
      ['revoke', 'w'],
      ['dispute', 'w', '--reason', 'copied', '--text', 't'],
      ['import', work],
    ]) {
      const r = await aura(args, { AURA_HOME: signedOut });
      expect([args[0], r.code, r.stderr.trim()]).toEqual([args[0], 3, 'error: not logged in; run `aura login` first']);
    }
    // An expired or unknown session: the server answers 401, which is "not signed in" too.
    fs.writeFileSync(
      path.join(signedOut, 'session.json'),
      JSON.stringify({ server: server.url, token: 'not-a-token', handle: 'x', expiresAt: new Date().toISOString() }),
    );
    expect((await aura(['whoami'], { AURA_HOME: signedOut })).code).toBe(3);

    for (const args of [
      [],
      ['no-such-command'],
      ['register', image],
      ['verify'],
      ['audit'],
      ['keygen', '--no-such-option'],
      ['account', 'create', '--handle', 'h'],
    ]) {
      const r = await aura(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    }
    expect((await aura(['--help'])).code).toBe(0);
    expect((await aura(['verify-bundle', path.join(work, 'no-bundle.json')])).code).toBe(2);
    const noKey = await aura(['key-info', path.join(work, 'no-key.json')]);
    expect([noKey.code, noKey.stderr.trim()]).toEqual([
      2,
      `error: no key file at ${path.join(work, 'no-key.json')}; run \`aura keygen\` first`,
    ]);
  });

  it('aura audit keeps its state under AURA_HOME (one file per server), never in the current folder', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-cli-cwd-'));
    const auditHome = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-cli-audit-'));
    const audit = () =>
      run(process.execPath, [CLI, 'audit', server.url], { cwd, env: { PATH: process.env.PATH ?? '', AURA_HOME: auditHome } }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
    const first = await audit();
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('trusting the log key on first use');
    expect(fs.readdirSync(cwd)).toEqual([]);
    const state = path.join(auditHome, 'audit', `${encodeURIComponent(server.url)}.json`);
    expect(JSON.parse(fs.readFileSync(state, 'utf8')).server).toBe(server.url);
    const second = await audit();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('consistent with the last checkpoint seen');
    expect(second.stdout).not.toContain('trusting the log key on first use');
  });

  it('fails clearly: wrong passphrase, missing file, unreachable server', async () => {
    const wrong = await aura(['login'], { AURA_PASSPHRASE: 'not the passphrase' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('wrong passphrase');
    const missing = await aura(['verify', path.join(work, 'nope.png')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const { stderr, code } = await run(
      process.execPath,
      [CLI, '--server', 'http://127.0.0.1:9', 'verify', path.join(work, 'harbour.png')],
      {
        env: { PATH: process.env.PATH ?? '', AURA_HOME: home },
      },
    ).then(
      () => ({ stderr: '', code: 0 }),
      (e) => e,
    );
    expect(code).toBe(4);
    expect(stderr).toContain('cannot reach the server');
  });

  it('signs in only for this registry, and logs out on the server', async () => {
    const phished = await aura(['login', '--audience', 'https://phishing.example']);
    expect(phished.code).toBe(3);
    expect(phished.stderr).toContain(`aud must be "${server.url}"`);
    expect((await aura(['login'])).code).toBe(0);
    const { token } = JSON.parse(fs.readFileSync(path.join(home, 'session.json'), 'utf8')) as { token: string };
    const asBearer = () => server.fetch('/v1/auth/session', { headers: { authorization: `Bearer ${token}` } });
    expect((await asBearer()).status).toBe(200);
    expect((await aura(['logout'])).stdout).toContain('signed out');
    expect(fs.existsSync(path.join(home, 'session.json'))).toBe(false);
    // The token a thief copied from session.json is dead on the server too.
    expect((await asBearer()).status).toBe(401);
    expect((await aura(['whoami'])).code).toBe(3);
  });
});
