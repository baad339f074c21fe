import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export interface StoredManifest {
  manifestId: string;
  workId: string;
  format: string;
  manifestStore: Buffer;
  createdAt: Date;
}

/** The only code that touches `content_credentials`. */
export class ContentCredentialsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async save(m: Omit<StoredManifest, 'createdAt'>, now: Date): Promise<void> {
    await this.db
      .insertInto('content_credentials')
      .values({ manifest_id: m.manifestId, work_id: m.workId, format: m.format, manifest_store: m.manifestStore, created_at: now })
      .execute();
  }

  /** By manifest label (urn:c2pa:…), or the newest manifest of a work when given a work id. */
  async find(id: string): Promise<StoredManifest | undefined> {
    const row = await this.db
      .selectFrom('content_credentials')
      .selectAll()
      .where((eb) => eb.or([eb('manifest_id', '=', id), eb('work_id', '=', id)]))
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row
      ? {
          manifestId: row.manifest_id,
          workId: row.work_id,
          format: row.format,
          manifestStore: row.manifest_store,
          createdAt: row.created_at,
        }
      : undefined;
  }

  /** Work id → its newest manifest id, for the works that have one. */
  async newestManifestIds(workIds: string[]): Promise<Map<string, string>> {
    if (workIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('content_credentials')
      .select(['work_id', 'manifest_id', 'created_at'])
      .where('work_id', 'in', workIds)
      .orderBy('created_at', 'asc')
      .execute();
    return new Map(rows.map((r) => [r.work_id, r.manifest_id]));
  }
}

/** What a credentialed download needs about a work: the row, its artist and the signing key's history. */
export async function findWorkForCredentials(db: Kysely<Database>, workId: string) {
  return db
    .selectFrom('works')
    .innerJoin('accounts', 'accounts.id', 'works.account_id')
    .innerJoin('keys', 'keys.kid', 'works.kid')
    .select([
      'works.id',
      'works.account_id',
      'works.kid',
      'works.sha256',
      'works.pdq',
      'works.title',
      'works.digital_source_type',
      'works.status',
      'works.created_at',
      'accounts.handle',
      'accounts.display_name',
      'keys.added_at as key_added_at',
    ])
    .where('works.id', '=', workId)
    .executeTakeFirst();
}
