import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `node --import tsx api/main.ts`, the way `npm start` runs it. Resolves once it is ready (`until: 'ready'`),
 * once it prints that it serves (`'serving'`, even with its database down), or once it exits (`'exit'`).
 */
export async function startApiProcess(
  env: Record<string, string>,
  port?: number,
  until: 'ready' | 'serving' | 'exit' = 'ready',
): Promise<ApiProcess> {
  const listen = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      AURA_RATE_LIMIT_PER_MINUTE: '1000000',
      AURA_RATE_LIMIT_SIGNIN_PER_MINUTE: '1000000',
      AURA_RATE_LIMIT_REGISTER_PER_MINUTE: '1000000',
      PORT: String(listen),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${listen}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (until === 'exit') {
      await exited;
      break;
    }
    // Checked before the exit: a process may print that it serves and stop right after (a refused key).
    if (until === 'serving' && out.includes('Aura is serving on')) break;
    if (child.exitCode !== null) throw new Error(`the API process exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the API process did not become ready:\n${out}`);
    }
    const ready =
      until === 'ready' &&
      (await fetch(`${url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      ));
    if (ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    output: () => out,
    exited,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** A TCP proxy in front of PostgreSQL that a test cuts and restores: the database "goes away" honestly. */
export async function cuttableProxy(target: { host: string; port: number }, options: { open?: boolean } = {}) {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const open = async () => {
    if (server) return;
    server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
  };
  const cut = async () => {
    const closing = server ? new Promise((r) => server!.close(r)) : Promise.resolve();
    for (const s of sockets) s.destroy();
    sockets.clear();
    server = undefined;
    await closing;
  };
  if (options.open ?? true) await open();
  return { port, open, cut };
}
