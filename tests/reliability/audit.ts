import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { completedNodeHashes, leafHash, mapSource, nodeKey, rootHash } from '../../api/log/merkle.ts';
import { verifyConsistency } from '../../api/log/verify/merkle-proof.ts';
import { openCheckpoint } from '../../api/log/note.ts';
import { parseVerifierKey } from '../../api/log/verify/note.ts';

/**
 * Invariants 1 and 2 of docs/registry.md checked against the database: a dense log, one entry per stored item
 * and one item per entry, and the latest checkpoint's root equal to the root of all entries.
 * Returns the problems found (empty when all hold).
 */
export async function auditStore(db: Kysely<Database>): Promise<{ problems: string[]; size: number }> {
  const problems: string[] = [];
  const entries = await db.selectFrom('log_entries').select(['idx', 'type', 'subject_id', 'leaf_hash', 'body']).orderBy('idx').execute();
  entries.forEach((e, i) => {
    if (e.idx !== i) problems.push(`log index ${i} holds ${e.idx}: the log is not dense`);
    if (!leafHash(e.body).equals(e.leaf_hash)) problems.push(`entry ${e.idx}: stored leaf hash is not the hash of its body`);
  });
  const byIndex = new Map(entries.map((e) => [e.idx, e]));
  const expectEntry = (what: string, index: number | null, type: string, subject: string) => {
    const e = index === null ? undefined : byIndex.get(index);
    if (!e || e.type !== type || e.subject_id !== subject) problems.push(`${what} ${subject}: no ${type} entry at ${index}`);
  };
  const expectRows = async (type: string, ids: Set<string>) => {
    for (const e of entries)
      if (e.type === type && !ids.has(e.subject_id ?? '')) problems.push(`entry ${e.idx} (${type} ${e.subject_id}) has no stored row`);
  };

  const works = await db.selectFrom('works').select(['id', 'log_index', 'revoked_log_index', 'status']).execute();
  for (const w of works) {
    expectEntry('work', w.log_index, 'work.registered', w.id);
    if (w.status === 'revoked') expectEntry('revoked work', w.revoked_log_index, 'work.revoked', w.id);
  }
  await expectRows('work.registered', new Set(works.map((w) => w.id)));
  const accounts = await db.selectFrom('accounts').select(['id', 'log_index']).execute();
  for (const a of accounts) expectEntry('account', a.log_index, 'account.created', a.id);
  await expectRows('account.created', new Set(accounts.map((a) => a.id)));
  const keys = await db.selectFrom('keys').select(['kid', 'added_log_index', 'revoked_log_index', 'status']).execute();
  for (const k of keys) {
    expectEntry('key', k.added_log_index, 'key.added', k.kid);
    if (k.status === 'revoked') expectEntry('revoked key', k.revoked_log_index, 'key.revoked', k.kid);
  }
  await expectRows('key.added', new Set(keys.map((k) => k.kid)));
  const attestations = await db.selectFrom('attestations').select(['id', 'log_index']).execute();
  for (const a of attestations) expectEntry('attestation', a.log_index, 'attestation.issued', a.id);
  await expectRows('attestation.issued', new Set(attestations.map((a) => a.id)));
  const disputes = await db.selectFrom('disputes').select(['id', 'log_index']).execute();
  for (const d of disputes) expectEntry('dispute', d.log_index, 'dispute.filed', d.id);
  await expectRows('dispute.filed', new Set(disputes.map((d) => d.id)));

  const latest = await db.selectFrom('checkpoints').select(['size', 'root']).orderBy('size', 'desc').limit(1).executeTakeFirst();
  if (latest) {
    if (latest.size > entries.length) problems.push(`checkpoint of size ${latest.size} is ahead of the ${entries.length} entries`);
    const nodes = new Map<string, Buffer>();
    const source = mapSource(nodes);
    for (const e of entries.slice(0, latest.size)) {
      for (const node of completedNodeHashes(e.idx, e.leaf_hash, source)) nodes.set(nodeKey(node), node.hash);
    }
    if (latest.size <= entries.length && !rootHash(latest.size, source).equals(latest.root)) {
      problems.push(`checkpoint root of size ${latest.size} differs from the root of the stored entries`);
    }
  }
  return { problems, size: entries.length };
}

export interface SeenCheckpoint {
  size: number;
  rootHash: Buffer;
  note: string;
}

/** Fetches and verifies the signed checkpoint of a running server. */
export async function fetchCheckpoint(baseUrl: string): Promise<SeenCheckpoint> {
  const [note, vkey] = await Promise.all([
    fetch(`${baseUrl}/v1/log/checkpoint`).then((r) => r.text()),
    fetch(`${baseUrl}/v1/log/vkey`).then((r) => r.text()),
  ]);
  const c = openCheckpoint(note, parseVerifierKey(vkey));
  return { size: c.size, rootHash: c.rootHash, note };
}

/** Is `newer` an append-only extension of `older`? Checked with the server's consistency proof. */
export async function provesConsistent(baseUrl: string, older: SeenCheckpoint, newer: SeenCheckpoint): Promise<boolean> {
  if (older.size === newer.size) return older.rootHash.equals(newer.rootHash);
  const res = await fetch(`${baseUrl}/v1/log/proof/consistency?from=${older.size}&to=${newer.size}`);
  if (!res.ok) return false;
  const proof = (await res.json()) as { hashes: string[] };
  return verifyConsistency(
    older.size,
    newer.size,
    older.rootHash,
    newer.rootHash,
    proof.hashes.map((h) => Buffer.from(h, 'base64')),
  );
}

/** Recomputes the root from every entry served over HTTP; for servers whose database the test cannot open. */
export async function auditOverHttp(baseUrl: string): Promise<{ problems: string[]; checkpoint: SeenCheckpoint }> {
  const checkpoint = await fetchCheckpoint(baseUrl);
  const problems: string[] = [];
  const nodes = new Map<string, Buffer>();
  const source = mapSource(nodes);
  let expected = 0;
  while (expected < checkpoint.size) {
    const page = (await (await fetch(`${baseUrl}/v1/log/entries?start=${expected}&end=${checkpoint.size}`)).json()) as {
      entries: Array<{ index: number; body: string }>;
    };
    if (page.entries.length === 0) break;
    for (const e of page.entries) {
      if (e.index !== expected) problems.push(`expected entry ${expected}, got ${e.index}`);
      for (const node of completedNodeHashes(e.index, leafHash(Buffer.from(e.body, 'base64')), source)) nodes.set(nodeKey(node), node.hash);
      expected++;
    }
  }
  if (expected !== checkpoint.size) problems.push(`served ${expected} entries for a checkpoint of ${checkpoint.size}`);
  else if (!rootHash(checkpoint.size, source).equals(checkpoint.rootHash))
    problems.push('the served entries do not hash to the checkpoint root');
  return { problems, checkpoint };
}
