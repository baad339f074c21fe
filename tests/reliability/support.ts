import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { AuraClient, generateIdentity, type Identity } from '../../scripts/lib/aura-client.ts';

/** Row count of every table of the schema (migration bookkeeping excluded), plus drafts already consumed. */
export async function countRows(db: Kysely<Database>): Promise<Record<string, number>> {
  const tables = (await db.introspection.getTables())
    .map((t) => t.name)
    .filter((n) => !n.startsWith('kysely_'))
    .sort();
  const counts: Record<string, number> = {};
  for (const name of tables) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)}`.execute(db);
    counts[name] = Number(rows[0]!.n);
  }
  const used = await sql<{ n: number }>`select count(*)::int as n from drafts where used_at is not null`.execute(db);
  counts['drafts(used)'] = Number(used.rows[0]!.n);
  return counts;
}

export interface SignedIn {
  identity: Identity;
  client: AuraClient;
  handle: string;
}

export async function signedInAccount(baseUrl: string, handle: string, kind: 'artist' | 'organization' = 'artist'): Promise<SignedIn> {
  const identity = await generateIdentity();
  const client = new AuraClient(baseUrl);
  await client.createAccount(identity, { handle, displayName: `Test ${handle}`, kind });
  await client.signIn(identity);
  return { identity, client, handle };
}

export const pngFile = (bytes: Buffer, filename = 'work.png') => ({ bytes, filename, type: 'image/png' });

/** Asserts the shape of an RFC 9457 answer and returns it; throws a readable message otherwise. */
export async function readProblem(
  res: Response,
): Promise<{ status: number; code: string; detail: string; contentType: string; text: string }> {
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  let body: { code?: unknown; detail?: unknown; status?: unknown } = {};
  try {
    body = JSON.parse(text);
  } catch {
    /* reported by the caller through contentType/text */
  }
  return {
    status: res.status,
    code: typeof body.code === 'string' ? body.code : '',
    detail: typeof body.detail === 'string' ? body.detail : '',
    contentType,
    text,
  };
}
