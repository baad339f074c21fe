import { calculateJwkThumbprint, type JWK } from 'jose';
import { z } from 'zod';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import { canonicalJson } from './canonical.ts';
import { LogKeyMismatchError, type LogKey } from './keys.ts';
import {
  appendPlan,
  completedNodeHashes,
  consistencyPlan,
  inclusionPlan,
  leafHash,
  mapSource,
  nodeKey,
  nodesFor,
  rangeHash,
  rootHash,
  type LeafRange,
} from './merkle.ts';
import { formatCheckpoint, formatVerifierKey, openCheckpoint, signNote } from './note.ts';
import { parseVerifierKey } from './verify/note.ts';
import * as repo from './repository.ts';
import type { AppendedEntry, ConsistencyProof, InclusionProof, LogEventInput, SignedCheckpoint, TransparencyLog } from './types.ts';

/** Largest page `entries()` returns. */
export const MAX_ENTRIES_PAGE = 100;
/** Largest entry body: entries hold signed JSON, never images. */
export const MAX_ENTRY_BYTES = 1024 * 1024;
/** How often a process checks whether its own appends still need a checkpoint. */
export const CHECKPOINT_INTERVAL_MS = 1000;

const eventSchema = z.looseObject({
  type: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/, 'an event type is dotted lowercase words, e.g. work.registered')
    .max(100),
  subjectId: z.string().min(1).max(200).optional(),
});

export interface LogServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  origin: string;
  key: LogKey;
}

/** The transparency log over PostgreSQL / PGlite. Appends and signing are serialised by an advisory lock. */
export class TransparencyLogService implements TransparencyLog {
  readonly verifierKey: string;
  readonly publicJwk: JWK;
  readonly origin: string;
  private readonly deps: LogServiceDeps;
  private timer: NodeJS.Timeout | undefined;
  private pendingCheckpoint = false;
  private running: Promise<unknown> | undefined;
  private closed = false;
  private keyClaim: Promise<void> | undefined;

  private constructor(deps: LogServiceDeps, publicJwk: JWK) {
    this.deps = deps;
    this.origin = deps.origin;
    this.verifierKey = formatVerifierKey(deps.origin, deps.key.publicKey);
    this.publicJwk = publicJwk;
  }

  static async create(deps: LogServiceDeps): Promise<TransparencyLogService> {
    const jwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: deps.key.publicKey.toString('base64url') };
    const kid = await calculateJwkThumbprint(jwk, 'sha256');
    return new TransparencyLogService(deps, { ...jwk, kid, use: 'sig', alg: 'EdDSA' });
  }

  async append(trx: Transaction<Database>, event: LogEventInput): Promise<AppendedEntry> {
    const [appended] = await this.appendMany(trx, [event]);
    return appended!;
  }

  /** Appends several events in order inside the caller's transaction (one lock, one round of inserts). */
  async appendMany(trx: Transaction<Database>, events: LogEventInput[]): Promise<AppendedEntry[]> {
    const receivedAt = this.deps.clock.now().toISOString();
    const prepared = events.map((event) => {
      const parsed = eventSchema.safeParse(event);
      if (!parsed.success) throw new AppError('validation_failed', `log event: ${parsed.error.issues[0]!.message}`);
      const entry = { ...event, type: parsed.data.type, receivedAt };
      let body: Buffer;
      try {
        body = canonicalJson(entry);
      } catch (err) {
        throw new AppError('validation_failed', `log event is not representable as JSON: ${(err as Error).message}`);
      }
      if (body.length > MAX_ENTRY_BYTES) throw new AppError('validation_failed', `a log entry is limited to ${MAX_ENTRY_BYTES} bytes`);
      return { body, type: parsed.data.type, subjectId: parsed.data.subjectId ?? null };
    });
    if (!prepared.length) return [];

    await repo.lockLog(trx);
    const first = await repo.logSize(trx);
    const leaves = prepared.map((p) => leafHash(p.body));
    const known = await repo.fetchNodes(trx, nodesNeededForAppends(first, prepared.length));
    const source = mapSource(known);
    const nodes: repo.StoredNode[] = [];
    leaves.forEach((leaf, offset) => {
      for (const node of completedNodeHashes(first + offset, leaf, source)) {
        known.set(nodeKey(node), node.hash);
        nodes.push(node);
      }
    });
    const createdAt = new Date(receivedAt);
    await repo.insertEntries(
      trx,
      prepared.map((p, offset) => ({
        index: first + offset,
        body: p.body,
        leafHash: leaves[offset]!,
        type: p.type,
        subjectId: p.subjectId,
        createdAt,
      })),
      nodes,
    );
    this.pendingCheckpoint = true;
    return prepared.map((p, offset) => ({
      index: first + offset,
      leafHash: leaves[offset]!,
      body: p.body,
      entry: JSON.parse(p.body.toString('utf8')) as Record<string, unknown>,
    }));
  }

  async checkpoint(): Promise<SignedCheckpoint> {
    const { db } = this.deps;
    const [latest, size] = await Promise.all([repo.latestCheckpoint(db), repo.logSize(db)]);
    if (latest && latest.size >= size) return this.toSigned(latest);
    await this.claimKey();
    return db.transaction().execute(async (trx) => {
      await repo.lockLog(trx);
      const current = await repo.logSize(trx);
      const stored = await repo.latestCheckpoint(trx);
      if (stored && stored.size >= current) return this.toSigned(stored);
      const root = await this.rootAt(trx, current);
      const note = signNote(
        formatCheckpoint({ origin: this.origin, size: current, rootHash: root }),
        this.origin,
        this.deps.key.privateKey,
        this.deps.key.publicKey,
      );
      await repo.insertCheckpoint(trx, { size: current, root, note, createdAt: this.deps.clock.now() });
      return { origin: this.origin, size: current, rootHash: root, note };
    });
  }

  /** The latest stored checkpoint without signing a new one. */
  async latestCheckpoint(): Promise<SignedCheckpoint | undefined> {
    const row = await repo.latestCheckpoint(this.deps.db);
    return row && this.toSigned(row);
  }

  async size(): Promise<number> {
    return repo.logSize(this.deps.db);
  }

  async rootAt(db: Kysely<Database>, size: number): Promise<Buffer> {
    const range: LeafRange = { start: 0, end: size };
    const nodes = await repo.fetchNodes(db, nodesFor([range]));
    return rootHash(size, mapSource(nodes));
  }

  async inclusionProof(index: number, size: number): Promise<InclusionProof> {
    if (!isCount(index) || !isCount(size) || index >= size) {
      throw new AppError('invalid_log_range', `an inclusion proof needs 0 <= index < size (got index ${index}, size ${size})`);
    }
    await this.assertWithinTree(size);
    return { index, size, hashes: await this.proofHashes(inclusionPlan(index, size)) };
  }

  async consistencyProof(from: number, to: number): Promise<ConsistencyProof> {
    if (!isCount(from) || !isCount(to) || from > to) {
      throw new AppError('invalid_log_range', `a consistency proof needs 0 <= from <= to (got from ${from}, to ${to})`);
    }
    await this.assertWithinTree(to);
    return { from, to, hashes: await this.proofHashes(consistencyPlan(from, to)) };
  }

  async getEntry(index: number): Promise<AppendedEntry | undefined> {
    if (!isCount(index)) return undefined;
    const row = await repo.findEntry(this.deps.db, index);
    return row && toEntry(row);
  }

  /** Entries [start, end), at most MAX_ENTRIES_PAGE of them. */
  async getEntries(start: number, end: number): Promise<AppendedEntry[]> {
    if (!isCount(start) || !isCount(end) || start > end) {
      throw new AppError('invalid_log_range', `entries need 0 <= start <= end (got start ${start}, end ${end})`);
    }
    const rows = await repo.findEntries(this.deps.db, start, Math.min(end, start + MAX_ENTRIES_PAGE));
    return rows.map(toEntry);
  }

  /**
   * Once the schema is migrated: warns loudly if the key cannot have signed the existing history, then
   * signs a checkpoint at most ~1 s after this process appends, even if no caller asks for one.
   * Never rejects (a failure is logged), so it can run in the background.
   */
  async start(intervalMs = CHECKPOINT_INTERVAL_MS): Promise<void> {
    try {
      await this.checkKeyContinuity();
    } catch (err) {
      this.deps.logger.error({ err }, 'could not check the log key against the stored log');
    }
    if (this.closed) return;
    // At start a previous run may have appended and stopped before signing.
    this.pendingCheckpoint = true;
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  private tick(): void {
    if (!this.pendingCheckpoint || this.running) return;
    this.pendingCheckpoint = false;
    this.running = this.checkpoint()
      .catch((err: unknown) => {
        this.pendingCheckpoint = true;
        this.deps.logger.warn({ err }, 'could not sign a log checkpoint; will retry');
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Processes sharing a database must sign with one key. The first to start stores its public key in the
   * database; a process holding another key gets LogKeyMismatchError (at start-up, and before it could
   * sign a checkpoint). Memoised once it succeeds.
   */
  claimKey(): Promise<void> {
    this.keyClaim ??= (async () => {
      const { db, key, clock } = this.deps;
      const stored = await repo.storeLogKeyIfAbsent(db, { publicKey: key.publicKey, verifierKey: this.verifierKey, at: clock.now() });
      if (!stored.publicKey.equals(key.publicKey)) throw new LogKeyMismatchError(this.verifierKey, stored.verifierKey);
    })();
    const claim = this.keyClaim;
    claim.catch(() => {
      if (this.keyClaim === claim) this.keyClaim = undefined;
    });
    return claim;
  }

  /** Loud warnings when the key cannot have signed the log's existing history. */
  async checkKeyContinuity(): Promise<void> {
    const { db, logger, key } = this.deps;
    const [size, latest] = await Promise.all([repo.logSize(db), repo.latestCheckpoint(db)]);
    if (key.source === 'created' && size > 0) {
      logger.error(
        `A NEW LOG KEY WAS CREATED but the log already holds ${size} entries: the previous log key is lost or was not provided ` +
          '(AURA_LOG_KEY or log-key.json in the data directory). Verifiers holding the old key will reject new checkpoints. ' +
          'Restore the old key unless this rotation is intended and announced.',
      );
    }
    if (latest) {
      try {
        openCheckpoint(latest.note, parseVerifierKey(this.verifierKey), this.origin);
      } catch {
        logger.error(
          `THE LATEST LOG CHECKPOINT (size ${latest.size}) WAS NOT SIGNED BY THIS LOG KEY (${this.verifierKey}) ` +
            'or under this origin: the log key or AURA_LOG_ORIGIN changed.',
        );
      }
    }
  }

  private async assertWithinTree(size: number): Promise<void> {
    const current = await repo.logSize(this.deps.db);
    if (size > current) throw new AppError('invalid_log_range', `the log has ${current} entries; size ${size} is beyond it`);
  }

  private async proofHashes(ranges: LeafRange[]): Promise<string[]> {
    const nodes = await repo.fetchNodes(this.deps.db, nodesFor(ranges));
    const source = mapSource(nodes);
    return ranges.map((r) => rangeHash(r, source).toString('base64'));
  }

  private toSigned(row: repo.CheckpointRow): SignedCheckpoint {
    return { origin: row.note.slice(0, row.note.indexOf('\n')), size: row.size, rootHash: row.root, note: row.note };
  }
}

/** Stored nodes (created before this batch) that the batch's appends combine with. */
function nodesNeededForAppends(first: number, count: number): Array<{ level: number; index: number }> {
  const needed = new Map<string, { level: number; index: number }>();
  for (let i = first; i < first + count; i++) {
    for (const sibling of appendPlan(i).leftSiblings) {
      // A sibling starting at or after `first` is created by this batch itself.
      if (sibling.index * 2 ** sibling.level < first) needed.set(nodeKey(sibling), sibling);
    }
  }
  return [...needed.values()];
}

function toEntry(row: repo.EntryRow): AppendedEntry {
  return {
    index: row.idx,
    leafHash: row.leaf_hash,
    body: row.body,
    entry: JSON.parse(row.body.toString('utf8')) as Record<string, unknown>,
  };
}

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;
