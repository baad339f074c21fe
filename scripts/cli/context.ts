import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline/promises';
import { AuraClient, type Identity } from '../lib/aura-client.ts';
import { decryptKey, readKeyFile } from '../lib/key-file.ts';

/** Where the CLI keeps its key file and session: AURA_HOME, default ~/.aura. */
export const auraHome = () => process.env.AURA_HOME ?? path.join(os.homedir(), '.aura');
export const keyPath = (override?: string) => override ?? path.join(auraHome(), 'key.json');
const sessionPath = () => path.join(auraHome(), 'session.json');
/** `aura audit` keeps one state file per audited server under AURA_HOME. */
export const auditStatePath = (server: string) => path.join(auraHome(), 'audit', `${encodeURIComponent(server.replace(/\/+$/, ''))}.json`);

/** The CLI's exit codes, as the README lists them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, notSignedIn: 3, unreachable: 4 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

export interface SavedSession {
  server: string;
  token: string;
  handle: string;
  expiresAt: string;
}

export function serverUrl(option?: string): string {
  return (option ?? process.env.AURA_SERVER ?? loadSession()?.server ?? 'http://localhost:8080').replace(/\/$/, '');
}

export function loadSession(): SavedSession | undefined {
  try {
    return JSON.parse(fs.readFileSync(sessionPath(), 'utf8')) as SavedSession;
  } catch {
    return undefined;
  }
}

export function saveSession(session: SavedSession): void {
  fs.mkdirSync(auraHome(), { recursive: true });
  fs.writeFileSync(sessionPath(), `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
}

export function forgetSession(): void {
  fs.rmSync(sessionPath(), { force: true });
}

export async function passphrase(prompt = 'Passphrase: '): Promise<string> {
  if (process.env.AURA_PASSPHRASE) return process.env.AURA_PASSPHRASE;
  if (!process.stdin.isTTY) throw new CliError('set AURA_PASSPHRASE or run in a terminal to type the passphrase', 2);
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const answer = await rl.question(prompt);
  rl.close();
  return answer;
}

export async function loadIdentity(file?: string): Promise<Identity> {
  const p = keyPath(file);
  if (!fs.existsSync(p)) throw new CliError(`no key file at ${p}; run \`aura keygen\` first`, 2);
  return decryptKey(readKeyFile(p), await passphrase());
}

/** A client with the saved session's bearer token; fails clearly when not logged in. */
export function signedInClient(server?: string): AuraClient {
  const session = loadSession();
  if (!session) throw new CliError('not logged in; run `aura login` first', EXIT.notSignedIn);
  const client = new AuraClient(serverUrl(server ?? session.server));
  client.token = session.token;
  return client;
}
