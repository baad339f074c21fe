import fs from 'node:fs';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { CompactRange } from '../../api/log/merkle.ts';
import { bytesEqual, fromBase64Strict, toBase64 } from '../../api/log/verify/bytes.ts';
import {
  VerificationError,
  verifyCheckpoint,
  verifyCheckpointConsistency,
  verifyEntryBody,
  verifyEntryInclusion,
  type VerifiedCheckpoint,
  type VerifiedEntry,
} from '../../api/log/verify/index.ts';

/**
 * `aura audit <server> [--state file]`: a log monitor. Trusts the log's verifier key on first use (then
 * pins it), checks each new checkpoint's signature and its consistency with the last one seen, downloads
 * the new entries and re-hashes them to the signed root, spot-checks older entries, and verifies entry
 * signatures: an account.created entry against the key its own signed payload carries, every other entry
 * against the key a key.added entry published. Exit codes (the CLI's): 0 all good; 1 the log misbehaved
 * (fork, rewrite, bad proof or signature); 2 the audit could not run (state file, bad answer); 4 the server
 * cannot be reached.
 */

const EXIT_OK = 0;
const EXIT_ALARM = 1;
const EXIT_ERROR = 2;
const EXIT_UNREACHABLE = 4;
const PAGE = 100;

const stateSchema = z.object({
  version: z.literal(1),
  server: z.string(),
  vkey: z.string(),
  checkpoint: z.string(),
  /** Hashes of the perfect subtrees covering the audited tree: lets the next run re-hash only new entries. */
  frontier: z.array(z.string()),
  /** Entry-signing keys published in the log (key.added), by kid. */
  keys: z.record(z.string(), z.record(z.string(), z.string())),
  auditedAt: z.string(),
});
type AuditState = z.infer<typeof stateSchema>;

export interface AuditOptions {
  /** Re-download and re-hash every entry, not only the new ones. */
  full?: boolean;
  /** How many older entries to re-check against the new checkpoint (default 16). */
  sample?: number;
  fetch?: typeof fetch;
}

class Alarm extends Error {}

export async function runAudit(url: string, statePath: string, print: (line: string) => void, options: AuditOptions = {}): Promise<number> {
  const base = url.replace(/\/+$/, '');
  const http = new LogClient(base, options.fetch ?? fetch);
  let state: AuditState | undefined;
  try {
    state = readState(statePath);
  } catch (err) {
    print(`error: cannot read the audit state ${statePath}: ${(err as Error).message}`);
    return EXIT_ERROR;
  }
  if (state && state.server !== base) {
    print(`error: ${statePath} holds the audit of ${state.server}, not ${base}; use another --state file`);
    return EXIT_ERROR;
  }
  try {
    const served = (await http.text('/v1/log/vkey')).trim();
    const vkey = state?.vkey ?? served;
    if (served !== vkey) {
      throw new Alarm(`the log now publishes another verifier key:\n  pinned ${vkey}\n  served ${served}`);
    }
    if (!state) print(`trusting the log key on first use: ${vkey}`);

    const checkpoint = await verifyCheckpoint(await http.text('/v1/log/checkpoint'), vkey);
    print(`checkpoint: ${checkpoint.origin}, size ${checkpoint.size}, root ${toBase64(checkpoint.rootHash)} (signature valid)`);

    const previous = state ? await verifyCheckpoint(state.checkpoint, vkey) : undefined;
    if (previous) {
      await checkConsistency(http, previous, checkpoint);
      print(`consistent with the last checkpoint seen (size ${previous.size})`);
    }

    const full = options.full || !state;
    const range = full
      ? new CompactRange()
      : new CompactRange(
          previous!.size,
          state!.frontier.map((h) => fromBase64Strict(h) ?? new Uint8Array()),
        );
    const keys = new Map<string, JWK>(Object.entries(full ? {} : state!.keys));
    const signatures: SignatureCounts = { valid: 0, unknownKey: new Map() };
    // Everything below is checked to the end so that one report lists every problem found.
    const alarms: string[] = [];
    for await (const entry of http.entries(range.size, checkpoint.size)) {
      range.append(entry.leafHash);
      const problem = await checkSignature(entry, keys, signatures);
      if (problem) alarms.push(problem);
    }
    const checked = full ? checkpoint.size : checkpoint.size - previous!.size;
    if (!bytesEqual(range.root(), checkpoint.rootHash)) {
      alarms.push(`the ${checked} entries served do not hash to the signed root: the log's history was rewritten`);
    } else {
      print(`${full ? 'all' : 'the new'} entries hash to the signed root (${checked} checked)`);
    }
    print(`entry signatures: ${signatures.valid} valid${describeUnknownKeys(signatures.unknownKey)}`);
    if (!full) {
      const problem = await spotCheck(http, previous!.size, checkpoint, options.sample ?? 16, print);
      if (problem) alarms.push(problem);
    }
    if (alarms.length) throw new Alarm(alarms.join('\nALARM: '));

    writeState(statePath, {
      version: 1,
      server: base,
      vkey,
      checkpoint: checkpoint.note,
      frontier: range.hashes().map((h) => h.toString('base64')),
      keys: Object.fromEntries([...keys].map(([kid, jwk]) => [kid, jwk as Record<string, string>])),
      auditedAt: new Date().toISOString(),
    });
    print('audit passed');
    return EXIT_OK;
  } catch (err) {
    if (err instanceof Alarm || err instanceof VerificationError) {
      print(`ALARM: ${err.message}${err instanceof VerificationError ? ` [${err.code}]` : ''}`);
      if (state) print(`last checkpoint seen (keep it as evidence):\n${state.checkpoint}`);
      return EXIT_ALARM;
    }
    if (isUnreachable(err)) {
      print(`error: cannot reach the server ${base}`);
      return EXIT_UNREACHABLE;
    }
    print(`error: ${(err as Error).message}`);
    return EXIT_ERROR;
  }
}

const isUnreachable = (err: unknown) =>
  (err instanceof TypeError && /fetch failed/.test(err.message)) || (err instanceof DOMException && err.name === 'TimeoutError');

interface SignatureCounts {
  valid: number;
  /** Entries whose signing key no checked entry published, by entry type. */
  unknownKey: Map<string, number>;
}

function describeUnknownKeys(unknown: Map<string, number>): string {
  if (!unknown.size) return '';
  const total = [...unknown.values()].reduce((a, b) => a + b, 0);
  const types = [...unknown].map(([type, n]) => `${n} ${type}`).join(', ');
  return `; ${total} not checked, their key not published in the checked entries (${types})`;
}

async function checkConsistency(http: LogClient, previous: VerifiedCheckpoint, checkpoint: VerifiedCheckpoint): Promise<void> {
  const proof =
    checkpoint.size > previous.size
      ? await http.json<{ from: number; to: number; hashes: string[] }>(
          `/v1/log/proof/consistency?from=${previous.size}&to=${checkpoint.size}`,
        )
      : { from: previous.size, to: checkpoint.size, hashes: [] };
  try {
    verifyCheckpointConsistency(previous, checkpoint, proof);
  } catch (err) {
    if (err instanceof VerificationError) {
      throw new Alarm(`FORK OR REWRITE: ${err.message} [${err.code}]\nnew checkpoint:\n${checkpoint.note}`);
    }
    throw err;
  }
}

/** Re-checks a sample of older entries (always including the first and the last) against the new root. */
async function spotCheck(
  http: LogClient,
  olderThan: number,
  checkpoint: VerifiedCheckpoint,
  sample: number,
  print: (line: string) => void,
): Promise<string | undefined> {
  if (olderThan === 0 || sample <= 0) return undefined;
  const indices = new Set([0, olderThan - 1]);
  if (sample >= olderThan) for (let i = 0; i < olderThan; i++) indices.add(i);
  while (indices.size < Math.min(sample, olderThan)) indices.add(randomInt(olderThan));
  for (const index of indices) {
    const proof = await http.json<{ index: number; size: number; hashes: string[] }>(
      `/v1/log/proof/inclusion?index=${index}&size=${checkpoint.size}`,
    );
    const served = await http.json<{ index: number; body: string; entry: unknown }>(`/v1/log/entries/${index}`);
    try {
      verifyEntryInclusion({ index, body: served.body, entry: served.entry }, proof, checkpoint);
    } catch (err) {
      if (err instanceof VerificationError) return `older entry ${index} no longer matches the log: ${err.message} [${err.code}]`;
      throw err;
    }
  }
  print(`${indices.size} older entries re-checked against the new checkpoint`);
  return undefined;
}

/**
 * Best effort: an entry's `jws` must verify with its key if that key was published by a key.added entry.
 * Returns the problem found, if any.
 */
async function checkSignature(entry: VerifiedEntry, keys: Map<string, JWK>, counts: SignatureCounts): Promise<string | undefined> {
  const { entry: e } = entry;
  if (e.type === 'key.added' && typeof e.kid === 'string' && e.jwk && typeof e.jwk === 'object') keys.set(e.kid, e.jwk as JWK);
  if (typeof e.jws !== 'string') return undefined;
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(e.jws).kid;
  } catch {
    return `entry ${entry.index} holds a jws that is not a JWS`;
  }
  if (e.type === 'account.created') return checkAccountCreation(entry, kid, counts);
  const jwk = kid ? keys.get(kid) : undefined;
  if (!jwk) {
    const type = String(e.type);
    counts.unknownKey.set(type, (counts.unknownKey.get(type) ?? 0) + 1);
    return undefined;
  }
  try {
    await compactVerify(e.jws, await importJWK(jwk, 'EdDSA'), { algorithms: ['EdDSA'] });
    counts.valid += 1;
    return undefined;
  } catch {
    return `entry ${entry.index} (${String(e.type)}) carries a signature that does not verify with key ${kid}`;
  }
}

/**
 * An account is created by a self-signed request: its JWS carries the new public key in its payload and
 * names that key's thumbprint as kid. Checks exactly that, and that it signed the handle the entry records.
 */
async function checkAccountCreation(entry: VerifiedEntry, kid: string | undefined, counts: SignatureCounts): Promise<string | undefined> {
  const { entry: e } = entry;
  const problem = (why: string) => `entry ${entry.index} (account.created): ${why}`;
  let payload: { jwk?: unknown; handle?: unknown };
  try {
    payload = JSON.parse(Buffer.from(String(e.jws).split('.')[1]!, 'base64url').toString('utf8')) as typeof payload;
  } catch {
    return problem('the signed payload is not JSON');
  }
  const jwk = payload.jwk as JWK | undefined;
  if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
    return problem('the signed payload carries no Ed25519 key');
  if (!kid || (await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }, 'sha256')) !== kid)
    return problem('the kid is not the thumbprint of the key in the payload');
  const handle = (e.account as { handle?: unknown } | undefined)?.handle;
  if (payload.handle !== handle)
    return problem(`signed for the handle ${JSON.stringify(payload.handle)}, logged as ${JSON.stringify(handle)}`);
  try {
    await compactVerify(String(e.jws), await importJWK({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }, 'EdDSA'), { algorithms: ['EdDSA'] });
  } catch {
    return problem('the signature does not verify with the key in its own payload');
  }
  counts.valid += 1;
  return undefined;
}

class LogClient {
  constructor(
    private readonly base: string,
    private readonly fetcher: typeof fetch,
  ) {}

  private async get(pathname: string): Promise<Response> {
    const res = await this.fetcher(this.base + pathname, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`GET ${pathname} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return res;
  }

  async text(pathname: string): Promise<string> {
    return (await this.get(pathname)).text();
  }

  async json<T>(pathname: string): Promise<T> {
    return (await (await this.get(pathname)).json()) as T;
  }

  /** Entries [start, end) in order, each checked to be canonical and at the expected index. */
  async *entries(start: number, end: number): AsyncGenerator<VerifiedEntry> {
    let next = start;
    while (next < end) {
      const page = await this.json<{ entries: Array<{ index: number; body: string; entry: unknown }> }>(
        `/v1/log/entries?start=${next}&end=${Math.min(end, next + PAGE)}`,
      );
      if (!page.entries.length) throw new Alarm(`the log has a signed size of ${end} but serves no entry ${next}`);
      for (const served of page.entries) {
        if (served.index !== next) throw new Alarm(`expected entry ${next}, the log served entry ${served.index}`);
        yield verifyEntryBody(served);
        next += 1;
        if (next === end) return;
      }
    }
  }
}

function readState(file: string): AuditState | undefined {
  if (!fs.existsSync(file)) return undefined;
  return stateSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

function writeState(file: string, state: AuditState): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
