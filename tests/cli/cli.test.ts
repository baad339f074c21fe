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
    expect((await aura(['account', 'create', '--handle', 'cli-artist', '--name', 'CLI Artist'])).stdout).toContain('account @cli-artist created');
    expect((await aura(['whoami'])).code).toBe(2);
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
    fs.writeFileSync(copy, await sharp(await renderArtwork(31)).resize({ width: 300 }).jpeg({ quality: 70 }).toBuffer());
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

  it('fails clearly: wrong passphrase, missing file, unreachable server', async () => {
    const wrong = await aura(['login'], { AURA_PASSPHRASE: 'not the passphrase' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('wrong passphrase');
    const missing = await aura(['verify', path.join(work, 'nope.png')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const { stderr, code } = await run(process.execPath, [CLI, '--server', 'http://127.0.0.1:9', 'verify', path.join(work, 'harbour.png')], {
      env: { PATH: process.env.PATH ?? '', AURA_HOME: home },
    }).then(
      () => ({ stderr: '', code: 0 }),
      (e) => e,
    );
    expect(code).toBe(4);
    expect(stderr).toContain('cannot reach the server');
  });
});
