/**
 * Seeds an Aura registry with a living demo: artists, a gallery, a few dozen works at every evidence level,
 * attestations, a revocation, a dispute and a key rotation — every signature real, everything through the HTTP API.
 *
 *   npm run seed -- --url http://localhost:8080 [--out ./demo-images] [--works 30]
 *
 * Rerunning it against the same server adds nothing twice. See printSeedReport for what it tells the user.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock, type Clock } from '../api/clock.ts';
import { AuraApiError, AuraClient, generateIdentity, type Identity } from './lib/aura-client.ts';
import { checkRegistryLog, type LogCheck } from './lib/seed-log-check.ts';
import { renderStage, renderWork, sha256Hex, writeSampleImages, type WrittenCopy } from './lib/seed-images.ts';
import { DEMO_PASSPHRASE, readSeedKey, writeSeedKey } from './lib/seed-keys.ts';
import {
  DAY,
  DEFAULT_WORKS,
  MAX_WORKS,
  MIN_WORKS,
  planSeed,
  scheduleHistory,
  type HistoryStep,
  type SeedAccount,
  type SeedPlan,
  type SeedWork,
} from './lib/seed-plan.ts';
import { readSeedState, writeSeedState, type PendingProcessImage } from './lib/seed-state.ts';

/**
 * A hook onto the clock of a server running in this same process (`npm run demo`, tests): the seeder moves it so
 * that work-in-progress images are logged on different simulated days. A server elsewhere cannot be given one.
 */
export interface SimulatedTime {
  now(): Date;
  advance(ms: number): void;
}

export interface SeedOptions {
  url: string;
  /** Where key files, seed state and sample images go. */
  out: string;
  works?: number;
  time?: SimulatedTime;
  /** How the seeder reads the server's time when it cannot move it; the local clock by default (servers keep NTP time). */
  clock?: Clock;
  fetch?: typeof fetch;
  progress?: (line: string) => void;
  /**
   * The registry operator's hand: verifies the gallery so that its attestations count (level 3). `npm run demo` passes
   * one (the server runs in the same process); against a server elsewhere the report names the command to run there.
   */
  operator?: (handle: string, note: string) => Promise<void>;
}

export interface SeededWork {
  work: SeedWork;
  id: string;
  level: number;
  levelName: string;
  revoked: boolean;
  openDisputes: number;
  attestations: number;
}

export interface SeedResult {
  url: string;
  out: string;
  plan: SeedPlan;
  created: {
    accounts: number;
    works: number;
    processImages: number;
    attestations: number;
    disputes: number;
    revocations: number;
    keyRotations: number;
    verifications: number;
  };
  works: SeededWork[];
  /** The operator has verified the gallery: its attestations raise works to level 3. */
  galleryVerified: boolean;
  /** Process works whose last work-in-progress image waits for a day of real time to pass. */
  waiting: Array<{ work: SeedWork; readyAt: Date }>;
  simulatedTime: boolean;
  copies: WrittenCopy[];
  unregistered: string;
  keysDir: string;
  log: LogCheck;
}

/** Simulated history runs from this long ago up to an hour ago; then the clock is back at real time. */
export const HISTORY_MS = 6 * DAY;
/** Sessions last an hour of server time; sign in again well before. */
const SESSION_REFRESH_MS = 40 * 60_000;

interface Actor {
  account: SeedAccount;
  identity: Identity;
  client: AuraClient;
  exists: boolean;
  signedInAt?: number | undefined;
}

export async function seedRegistry(options: SeedOptions): Promise<SeedResult> {
  const run = await startRun(options);
  const { plan, time, registered, actor, progress } = run;

  const needed = (step: HistoryStep): boolean => {
    if (step.kind === 'account') return !actor(step.handle).exists;
    const existing = registered.get(step.work.key);
    if (step.kind === 'attest')
      return !existing?.attestations.some((a) => a.issuer.handle === plan.gallery && a.type === step.work.attestation?.type);
    return !existing;
  };
  const realNow = Date.now();
  const steps = scheduleHistory(plan, new Date(realNow - HISTORY_MS), new Date(realNow - 3600_000)).filter(needed);
  if (steps.length) progress(`${steps.length} steps to take${time ? ' over six simulated days' : ''}`);
  for (const step of steps) {
    if (time) time.advance(step.at.getTime() - time.now().getTime());
    await takeStep(run, step);
  }

  // Signed actions carry an iat the server checks against its clock: they happen at real time.
  if (time) time.advance(Date.now() - time.now().getTime());
  await revokeAndDispute(run);
  if (await rotateKeyIfNotYet(actor(plan.keyRotation), run.out)) {
    run.created.keyRotations++;
    progress(`key rotated for @${plan.keyRotation}`);
  }
  const galleryVerified = await verifyGallery(run, options.operator);

  const works = await seededWorks(run);
  const sampleFor = (level: number, test: (w: SeededWork) => boolean = () => true) => works.find((w) => w.level === level && test(w))?.work;
  const copiesOf = [sampleFor(3), sampleFor(2), sampleFor(1, (w) => w.openDisputes === 0)].filter((w): w is SeedWork => w !== undefined);
  const { copies, unregistered } = await writeSampleImages(run.out, plan.works, copiesOf);
  const log = await checkRegistryLog(run.anonymous);
  return {
    url: options.url.replace(/\/$/, ''),
    out: run.out,
    plan,
    created: run.created,
    works,
    galleryVerified,
    waiting: run.waiting,
    simulatedTime: Boolean(time),
    copies,
    unregistered,
    keysDir: path.join(run.out, 'keys'),
    log,
  };
}

/** Everything one seeding run shares: the plan, the actors and their sessions, what is registered, what it created. */
interface SeedRun {
  plan: SeedPlan;
  out: string;
  time: SimulatedTime | undefined;
  serverNow: () => number;
  anonymous: AuraClient;
  created: SeedResult['created'];
  /** Process images logged per work key, kept in the seed state until the work is registered. */
  pending: Record<string, PendingProcessImage[]>;
  saveState: () => void;
  actor: (handle: string) => Actor;
  /** The actor, signed in with a session the server still accepts. */
  signedIn: (handle: string) => Promise<Actor>;
  finals: Map<string, Awaited<ReturnType<typeof renderWork>>>;
  registered: Map<string, WorkView>;
  waiting: SeedResult['waiting'];
  progress: (line: string) => void;
}

async function startRun(options: SeedOptions): Promise<SeedRun> {
  const progress = options.progress ?? (() => {});
  const fetchImpl = retryWhenRateLimited(options.fetch ?? fetch, progress);
  const plan = planSeed(options.works ?? DEFAULT_WORKS);
  const out = path.resolve(options.out);
  const time = options.time;
  const serverNow = () => (time ?? options.clock ?? systemClock).now().getTime();
  const anonymous = new AuraClient(options.url, fetchImpl);

  const serverKey = String(await anonymous.request('GET', '/v1/log/vkey')).trim();
  const state = readSeedState(out);
  state.servers[serverKey] ??= { pending: {} };
  const pending = state.servers[serverKey].pending;

  const actors = new Map<string, Actor>();
  for (const account of plan.accounts) actors.set(account.handle, await prepareActor(account, out, options.url, fetchImpl));
  const actor = (handle: string) => actors.get(handle)!;
  const signedIn = async (handle: string) => {
    const a = actor(handle);
    const now = serverNow();
    if (a.signedInAt === undefined || now - a.signedInAt > SESSION_REFRESH_MS || now < a.signedInAt) {
      await a.client.signIn(a.identity);
      a.signedInAt = now;
    }
    return a;
  };

  const finals = new Map<string, Awaited<ReturnType<typeof renderWork>>>();
  for (const work of plan.works) finals.set(work.key, await renderWork(work));
  const registered = await findRegisteredWorks(
    anonymous,
    plan,
    [...actors.values()].filter((a) => a.exists),
    finals,
  );
  const created = {
    accounts: 0,
    works: 0,
    processImages: 0,
    attestations: 0,
    disputes: 0,
    revocations: 0,
    keyRotations: 0,
    verifications: 0,
  };
  return {
    plan,
    out,
    time,
    serverNow,
    anonymous,
    created,
    pending,
    saveState: () => writeSeedState(out, state),
    actor,
    signedIn,
    finals,
    registered,
    waiting: [],
    progress,
  };
}

function takeStep(run: SeedRun, step: HistoryStep): Promise<void> {
  switch (step.kind) {
    case 'account':
      return accountStep(run, step.handle);
    case 'process':
      return processStep(run, step.work, step.stage);
    case 'register':
      return registerStep(run, step.work);
    default:
      return attestStep(run, step.work);
  }
}

async function accountStep(run: SeedRun, handle: string): Promise<void> {
  const a = run.actor(handle);
  await createAccount(a, run.time ? Math.floor(run.serverNow() / 1000) : undefined);
  a.exists = true;
  run.created.accounts++;
  run.progress(`account @${a.account.handle}`);
}

async function processStep(run: SeedRun, work: SeedWork, stage: number): Promise<void> {
  const logged = run.pending[work.key] ?? [];
  run.pending[work.key] = logged;
  if (logged.some((p) => p.stage === stage)) return;
  const isLast = stage === work.processStages.at(-1);
  const first = logged[0] ? Date.parse(logged[0].loggedAt) : undefined;
  // Level 2 needs the process images to span a day: the last one waits until a day after the first.
  if (isLast && first !== undefined && run.serverNow() - first < DAY) {
    run.waiting.push({ work, readyAt: new Date(first + DAY) });
    return;
  }
  const a = await run.signedIn(work.artist);
  const receipt = await a.client.addProcessImage(
    a.identity,
    await renderStage(work, stage),
    undefined,
    `Stage ${Math.round(stage * 100)} %`,
  );
  logged.push({ stage, processId: receipt.processId, loggedAt: await loggedAt(run.anonymous, receipt.logIndex) });
  run.saveState();
  run.created.processImages++;
}

async function registerStep(run: SeedRun, work: SeedWork): Promise<void> {
  const logged = run.pending[work.key] ?? [];
  if (logged.length < work.processStages.length) return; // waiting, reported above
  const a = await run.signedIn(work.artist);
  const result = await a.client.registerWork(a.identity, run.finals.get(work.key)!, {
    title: work.title,
    year: work.year,
    medium: work.medium,
    statement: work.statement,
    digitalSourceType: work.digitalSourceType,
    ...(logged.length ? { processIds: logged.map((p) => p.processId) } : {}),
  });
  delete run.pending[work.key];
  run.saveState();
  run.registered.set(work.key, await readWork(run.anonymous, result.workId));
  if (!result.existing) run.created.works++;
  run.progress(`work ${work.key} "${work.title}" by @${work.artist}`);
}

async function attestStep(run: SeedRun, work: SeedWork): Promise<void> {
  const existing = run.registered.get(work.key);
  if (!existing || !work.attestation) return;
  const g = await run.signedIn(run.plan.gallery);
  await g.client.attest(g.identity, existing.id, work.attestation);
  run.registered.set(work.key, await readWork(run.anonymous, existing.id));
  run.created.attestations++;
  run.progress(`attestation ${work.attestation.type} on "${work.title}"`);
}

/** The planned revocation and dispute, unless they happened on an earlier run. */
async function revokeAndDispute({ plan, registered, signedIn, created, progress }: SeedRun): Promise<void> {
  for (const work of plan.works) {
    const existing = registered.get(work.key);
    if (!existing) continue;
    if (work.revoke && !existing.revoked) {
      const a = await signedIn(work.artist);
      await a.client.revokeWork(a.identity, existing.id, work.revoke.reason);
      created.revocations++;
      progress(`revoked "${work.title}"`);
    }
    if (work.dispute && !existing.disputes.some((d) => d.filedBy.handle === work.dispute!.by && d.reason === work.dispute!.reason)) {
      const d = await signedIn(work.dispute.by);
      await d.client.dispute(d.identity, existing.id, work.dispute.reason, work.dispute.text);
      created.disputes++;
      progress(`dispute on "${work.title}" by @${work.dispute.by}`);
    }
  }
}

/** Whether the gallery is verified, asking the operator's hook to verify it when there is one. */
async function verifyGallery({ plan, anonymous, created, progress }: SeedRun, operator: SeedOptions['operator']): Promise<boolean> {
  const galleryProfile = await anonymous.request<{ organization?: { verified: boolean } }>('GET', `/v1/accounts/${plan.gallery}`);
  if (galleryProfile.organization?.verified === true) return true;
  if (!operator) return false;
  await operator(plan.gallery, plan.galleryVerification.note);
  created.verifications++;
  progress(`the operator verified @${plan.gallery}`);
  return true;
}

/** Each registered work of the plan as the server now shows it. */
async function seededWorks({ plan, registered, anonymous }: SeedRun): Promise<SeededWork[]> {
  const works: SeededWork[] = [];
  for (const work of plan.works) {
    const existing = registered.get(work.key);
    if (!existing) continue;
    const w = await readWork(anonymous, existing.id);
    works.push({
      work,
      id: w.id,
      level: w.evidenceLevel.level,
      levelName: w.evidenceLevel.name,
      revoked: w.revoked,
      openDisputes: w.openDisputes,
      attestations: w.attestations.filter((a) => a.valid).length,
    });
  }
  return works;
}

/** Loads the account's key from the out folder (or makes and saves one first) and checks the server agrees. */
async function prepareActor(account: SeedAccount, out: string, url: string, fetchImpl: typeof fetch): Promise<Actor> {
  const client = new AuraClient(url, fetchImpl);
  const onServer = await client
    .request<{ keys: Array<{ kid: string; status: string }> }>('GET', `/v1/accounts/${account.handle}`)
    .catch((err) => {
      if (err instanceof AuraApiError && err.status === 404) return undefined;
      throw err;
    });
  let identity = await readSeedKey(out, account.handle);
  if (onServer) {
    if (!identity || !onServer.keys.some((k) => k.kid === identity!.kid && k.status === 'active')) {
      throw new Error(
        `@${account.handle} already exists on ${url} but ${path.join(out, 'keys')} holds no active key of it: ` +
          'the seed cannot act for it. Seed a fresh server, or pass the --out folder of the run that created it.',
      );
    }
  } else if (!identity) {
    // The key file is written before the account exists, so a crash never leaves an account nobody can sign for.
    const fresh = await generateIdentity();
    await writeSeedKey(out, account.handle, fresh);
    identity = fresh;
  }
  return { account, identity, client, exists: Boolean(onServer) };
}

/**
 * Like AuraClient.createAccount, but signs `iat` with the server's (simulated) time: on a demo server whose clock
 * is days behind, the artists' accounts are created at the start of the simulated history.
 */
async function createAccount(a: Actor, iatSeconds: number | undefined): Promise<void> {
  const { handle, displayName, kind, bio, website } = a.account;
  const fields = { handle, displayName, kind, bio, ...(website ? { website } : {}) };
  await a.client.createAccount(a.identity, fields, iatSeconds);
}

/** Adds a new key signed by the current one, then revokes the old one with the new key; once per account. */
async function rotateKeyIfNotYet(a: Actor, out: string): Promise<boolean> {
  const account = await a.client.request<{ keys: Array<{ status: string }> }>('GET', `/v1/accounts/${a.account.handle}`);
  if (account.keys.some((k) => k.status === 'revoked')) return false;
  const next = await generateIdentity();
  const old = a.identity;
  await a.client.addKey(old, a.account.handle, next);
  await writeSeedKey(out, a.account.handle, next, old);
  await a.client.revokeKey(next, old.kid);
  a.identity = next;
  a.signedInAt = undefined;
  return true;
}

interface WorkView {
  id: string;
  sha256: string;
  revoked: boolean;
  openDisputes: number;
  evidenceLevel: { level: number; name: string };
  attestations: Array<{ type: string; valid: boolean; issuer: { handle: string } }>;
  disputes: Array<{ reason: string; filedBy: { handle: string } }>;
}

const readWork = (client: AuraClient, id: string) => client.request<WorkView>('GET', `/v1/works/${id}`);

/** The plan's works the server already holds, recognised by the exact bytes (the images are deterministic). */
async function findRegisteredWorks(client: AuraClient, plan: SeedPlan, artists: Actor[], finals: Map<string, { bytes: Uint8Array }>) {
  const bySha = new Map<string, WorkView>();
  for (const a of artists) {
    if (a.account.kind !== 'artist') continue;
    for (let offset = 0; ; offset += 100) {
      const page = await client.request<{ items: Array<{ id: string }>; total: number }>(
        'GET',
        `/v1/works?artist=${a.account.handle}&limit=100&offset=${offset}`,
      );
      for (const item of page.items) {
        const work = await readWork(client, item.id);
        bySha.set(work.sha256, work);
      }
      if (offset + 100 >= page.total) break;
    }
  }
  const registered = new Map<string, WorkView>();
  for (const work of plan.works) {
    const found = bySha.get(sha256Hex(finals.get(work.key)!.bytes));
    if (found) registered.set(work.key, found);
  }
  return registered;
}

/** The server's receipt time of a log entry: the time level 2 is computed from. */
async function loggedAt(client: AuraClient, index: number): Promise<string> {
  const { entry } = await client.request<{ entry: { receivedAt: string } }>('GET', `/v1/log/entries/${index}`);
  return entry.receivedAt;
}

/** Waits out 429 answers (Retry-After) so that seeding a server with default rate limits just takes longer. */
function retryWhenRateLimited(base: typeof fetch, progress: (line: string) => void): typeof fetch {
  return async (input, init) => {
    for (let attempt = 1; ; attempt++) {
      const res = await base(input, init);
      if (res.status !== 429 || attempt >= 20) return res;
      const seconds = Math.min(65, Math.max(1, Number(res.headers.get('retry-after')) || 10));
      await res.body?.cancel();
      progress(`the server rate-limits us; waiting ${seconds} s`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  };
}

/** What was made and where to look, for a person at a terminal. */
export function formatSeedReport(r: SeedResult): string {
  const lines: string[] = [];
  const c = r.created;
  const artists = r.plan.accounts.filter((a) => a.kind === 'artist').length;
  const rel = (p: string) => {
    const relative = path.relative(process.cwd(), p);
    return relative && !relative.startsWith('..') ? relative : p;
  };
  lines.push(`Seeded ${r.url}`);
  lines.push(
    `  created now: ${c.accounts} accounts, ${c.works} works, ${c.processImages} process images, ${c.attestations} attestations, ` +
      `${c.revocations} revocations, ${c.disputes} disputes, ${c.keyRotations} key rotations, ${c.verifications} organisation verifications`,
  );
  lines.push(
    `  registry holds: ${artists} artists + gallery @${r.plan.gallery}, ${r.works.length} of the plan's ${r.plan.works.length} works, ` +
      `${r.works.reduce((n, w) => n + w.attestations, 0)} attestations, ${r.works.filter((w) => w.revoked).length} revoked, ` +
      `${r.works.reduce((n, w) => n + w.openDisputes, 0)} open disputes`,
  );
  lines.push(
    `  log: ${r.log.size} entries; root recomputed from every entry ${r.log.rootMatches && r.log.dense ? 'matches' : 'DOES NOT match'} the signed checkpoint`,
  );
  lines.push('');
  lines.push('Where to look:');
  const names: Record<number, string> = { 3: 'witnessed', 2: 'process evidence', 1: 'self-declared', 0: 'unverified (revoked)' };
  for (const level of [3, 2, 1, 0]) {
    const w = r.works.find((x) => x.level === level && (level !== 1 || x.openDisputes === 0));
    if (w) lines.push(`  level ${level} ${names[level]!.padEnd(21)} ${r.url}/w/${w.id}  "${w.work.title}" by @${w.work.artist}`);
  }
  const disputed = r.works.find((w) => w.openDisputes > 0);
  if (disputed) lines.push(`  disputed                      ${r.url}/w/${disputed.id}  "${disputed.work.title}"`);
  lines.push(
    `  gallery profile               ${r.url}/@${r.plan.gallery}  (${r.galleryVerified ? 'verified by the operator' : 'not verified'})`,
  );
  lines.push(`  key rotation                  ${r.url}/@${r.plan.keyRotation}`);
  lines.push(`  log explorer                  ${r.url}/log`);
  const copy = r.copies.find((x) => x.transform === 'resized') ?? r.copies[0];
  if (copy)
    lines.push(
      `  try verifying                 drop ${rel(copy.file)} on ${r.url}/ (more in ${rel(path.dirname(copy.file))}/; ${rel(r.unregistered)} matches nothing)`,
    );
  lines.push('');
  const level2 = r.works.filter((w) => w.level === 2).length;
  if (level2) {
    lines.push(
      `Level 2 (process evidence): ${level2} works${r.simulatedTime ? ', their work-in-progress images logged on different simulated days' : ''}.`,
    );
  }
  if (r.waiting.length) {
    const readyAt = new Date(Math.max(...r.waiting.map((w) => w.readyAt.getTime())));
    lines.push(
      `Level 2 (process evidence) needs at least 3 work-in-progress images logged over at least 24 hours before the work is registered.`,
      `This server runs on real time, so ${r.waiting.length} works wait for their last work-in-progress image. Run this same command`,
      `again after ${readyAt.toLocaleString()} to log it and register them; nothing is duplicated.`,
    );
  } else if (!level2) {
    lines.push('No work reached level 2 (process evidence): it needs work-in-progress images logged over at least 24 hours of real time.');
  }
  if (!r.galleryVerified) {
    lines.push(
      `Level 3 (witnessed) needs an attestation from an organisation the registry's operator has verified. To verify the demo gallery, run`,
      `  aura operator verify-organization ${r.plan.gallery} --note "${r.plan.galleryVerification.note}"`,
      `where the server's data is (same AURA_DATA_DIR or DATABASE_URL; stop the server first if it uses the embedded database).`,
    );
  }
  lines.push(
    `Account keys: ${rel(r.keysDir)}/*.json, passphrase "${DEMO_PASSPHRASE}" (DEMO ONLY: import one in the web UI to act as that account).`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      out: { type: 'string', default: './demo-images' },
      works: { type: 'string', default: String(DEFAULT_WORKS) },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const usage = `usage: npm run seed -- --url <server> [--out ./demo-images] [--works ${MIN_WORKS}-${MAX_WORKS}, default ${DEFAULT_WORKS}]`;
  if (values.help) return void console.log(usage);
  const works = Number(values.works);
  if (!values.url || !/^https?:\/\//.test(values.url) || !Number.isInteger(works) || works < MIN_WORKS || works > MAX_WORKS) {
    console.error(usage);
    process.exit(2);
  }
  console.log(`Seeding ${values.url} …`);
  const result = await seedRegistry({ url: values.url, out: values.out, works, progress: (line) => console.log(`  ${line}`) });
  console.log(`\n${formatSeedReport(result)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  main().catch((err) => {
    const unreachable = err instanceof TypeError && err.message === 'fetch failed';
    console.error(
      err instanceof AuraApiError
        ? `the server refused: ${err.message}`
        : unreachable
          ? `cannot reach the server: ${String(err.cause ?? err.message)}`
          : err instanceof Error
            ? err.message
            : err,
    );
    process.exit(1);
  });
}
