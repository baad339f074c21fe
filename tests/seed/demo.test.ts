import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/**
 * `npm run demo`'s own command line after its build step, through `sh -c` as npm runs it, so that what a
 * signal to that shell does is what a user gets (the build is left out: it rewrites web/dist, which
 * browser tests running alongside read).
 */
function startDemo(env: Record<string, string>, args: string[]) {
  const script = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { demo: string } }).scripts.demo;
  const command = script.replace(/^npm run build --silent && /, '');
  expect(command).not.toBe(script);
  const child = spawn('sh', ['-c', `${command} "$@"`, 'sh', ...args], {
    cwd: ROOT,
    env: { PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const until = async (pattern: RegExp) => {
    const deadline = Date.now() + 90_000;
    while (!pattern.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the demo did not print ${pattern}:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return pattern.exec(out)!;
  };
  return { child, exited, until, output: () => out };
}

const portOpen = async (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => true,
    () => false,
  );

describe('npm run demo', () => {
  it('stopped with SIGTERM mid-seeding, as with Ctrl+C, it stops serving and deletes its temporary database', async () => {
    const port = await freePort();
    const demo = startDemo({}, ['--port', String(port), '--works', '8', '--out', tmp('aura-demo-out-')]);
    const [, dataDir] = await demo.until(/embedded database in a temporary folder, ([^)\n]+)\)/);
    expect(fs.existsSync(dataDir!)).toBe(true);
    demo.child.kill('SIGTERM'); // the shell npm started, not the node process
    expect(await demo.exited).not.toBeNull();
    const deadline = Date.now() + 20_000;
    while ((fs.existsSync(dataDir!) || (await portOpen(port))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await portOpen(port)).toBe(false);
    expect(fs.existsSync(dataDir!)).toBe(false);
  }, 120_000);

  it('keeps its database in AURA_DATA_DIR when set, and leaves it there when stopped', async () => {
    const port = await freePort();
    const dataDir = tmp('aura-demo-data-');
    const demo = startDemo({ AURA_DATA_DIR: dataDir }, ['--port', String(port), '--works', '8', '--out', tmp('aura-demo-out-')]);
    await demo.until(/Aura demo is serving on/);
    expect(demo.output()).toContain(`(embedded database in ${dataDir})`);
    expect(demo.output()).not.toContain('temporary');
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
    expect(fs.readdirSync(dataDir)).toContain('log-key.json');
  }, 120_000);
});
