import type { ExpressionBuilder, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database, NewAttestation, NewDispute, NewProcessImage, NewWork } from '../../db/schema.ts';

type Db = Kysely<Database>;

export interface NewDraft {
  id: string;
  kind: 'work' | 'process' | 'attestation';
  accountId: string;
  workId: string | null;
  payload: Record<string, unknown>;
  fingerprint: Record<string, unknown>;
  evidencePrivate: Record<string, unknown>;
  thumbnail: Buffer | null;
  createdAt: Date;
  expiresAt: Date;
}

export async function insertDraft(db: Db, d: NewDraft): Promise<void> {
  await db
    .insertInto('drafts')
    .values({
      id: d.id,
      kind: d.kind,
      account_id: d.accountId,
      work_id: d.workId,
      payload: JSON.stringify(d.payload),
      fingerprint: JSON.stringify(d.fingerprint),
      evidence_private: JSON.stringify(d.evidencePrivate),
      thumbnail: d.thumbnail,
      created_at: d.createdAt,
      expires_at: d.expiresAt,
      used_at: null,
    })
    .execute();
}

export const findDraft = (db: Db, id: string) => db.selectFrom('drafts').selectAll().where('id', '=', id).executeTakeFirst();

/** Marks a draft used; false when it was used already (so a draft yields exactly one row). */
export async function consumeDraft(db: Db, id: string, now: Date): Promise<boolean> {
  const r = await db.updateTable('drafts').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const findWork = (db: Db, id: string) => db.selectFrom('works').selectAll().where('id', '=', id).executeTakeFirst();

export const findWorksByIds = (db: Db, ids: string[]) =>
  ids.length ? db.selectFrom('works').selectAll().where('id', 'in', ids).execute() : Promise.resolve([]);

export const findOwnWorkBySha = (db: Db, accountId: string, sha256: string) =>
  db.selectFrom('works').selectAll().where('account_id', '=', accountId).where('sha256', '=', sha256).executeTakeFirst();

export async function insertWork(db: Db, work: NewWork): Promise<void> {
  await db.insertInto('works').values(work).execute();
}

export async function findThumbnail(db: Db, workId: string): Promise<Buffer | undefined> {
  const row = await db.selectFrom('works').select('thumbnail').where('id', '=', workId).executeTakeFirst();
  return row?.thumbnail;
}

/** Marks an active work revoked; false when it was revoked already. */
export async function revokeWork(db: Db, workId: string, revocation: { at: Date; jws: string }): Promise<boolean> {
  const result = await db
    .updateTable('works')
    .set({ status: 'revoked', revoked_at: revocation.at, revocation_jws: revocation.jws })
    .where('id', '=', workId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setWorkRevokedLogIndex(db: Db, workId: string, logIndex: number): Promise<void> {
  await db.updateTable('works').set({ revoked_log_index: logIndex }).where('id', '=', workId).execute();
}

export async function insertProcessImage(db: Db, image: NewProcessImage): Promise<void> {
  await db.insertInto('process_images').values(image).execute();
}

export const listProcessImages = (db: Db, workId: string) =>
  db.selectFrom('process_images').selectAll().where('work_id', '=', workId).orderBy('log_index').execute();

export const findProcessImages = (db: Db, accountId: string, ids: string[]) =>
  ids.length
    ? db.selectFrom('process_images').selectAll().where('account_id', '=', accountId).where('id', 'in', ids).execute()
    : Promise.resolve([]);

export const linkProcessImages = (db: Db, workId: string, ids: string[]) =>
  ids.length
    ? db.updateTable('process_images').set({ work_id: workId }).where('id', 'in', ids).where('work_id', 'is', null).execute()
    : Promise.resolve([]);

export const listAttestations = (db: Db, workId: string) =>
  db
    .selectFrom('attestations')
    .innerJoin('accounts', 'accounts.id', 'attestations.issuer_account_id')
    .selectAll('attestations')
    .select(['accounts.handle', 'accounts.display_name', 'accounts.kind as issuer_kind'])
    .where('work_id', '=', workId)
    .orderBy('attestations.log_index')
    .execute();

export const findAttestation = (db: Db, id: string) => db.selectFrom('attestations').selectAll().where('id', '=', id).executeTakeFirst();

export async function insertAttestation(db: Db, attestation: NewAttestation): Promise<void> {
  await db.insertInto('attestations').values(attestation).execute();
}

/** Marks an active attestation revoked; false when it was revoked already. */
export async function revokeAttestation(db: Db, id: string, revocation: { at: Date; jws: string }): Promise<boolean> {
  const result = await db
    .updateTable('attestations')
    .set({ status: 'revoked', revoked_at: revocation.at, revocation_jws: revocation.jws })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setAttestationRevokedLogIndex(db: Db, id: string, logIndex: number): Promise<void> {
  await db.updateTable('attestations').set({ revoked_log_index: logIndex }).where('id', '=', id).execute();
}

/** An organisation's attestations, newest first, with the work and its artist. */
export const listAttestationsIssuedBy = (db: Db, accountId: string, page: { limit: number; offset: number }) =>
  db
    .selectFrom('attestations')
    .innerJoin('works', 'works.id', 'attestations.work_id')
    .innerJoin('accounts', 'accounts.id', 'works.account_id')
    .select([
      'attestations.id',
      'attestations.type',
      'attestations.note',
      'attestations.date',
      'attestations.status',
      'attestations.created_at',
      'attestations.log_index',
      'works.id as work_id',
      'works.title',
      'accounts.handle as artist_handle',
      'accounts.display_name as artist_name',
    ])
    .where('attestations.issuer_account_id', '=', accountId)
    .orderBy('attestations.log_index', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();

export async function insertDispute(db: Db, dispute: NewDispute): Promise<void> {
  await db.insertInto('disputes').values(dispute).execute();
}

/**
 * The ids a work's log entries are about: the work's own rows (the work, its attestations, disputes and
 * process images) and the organisations that attested it.
 */
export async function findSubjectsOfWork(db: Db, workId: string): Promise<{ rows: string[]; attesters: string[] }> {
  const [attestations, disputes, processImages] = await Promise.all([
    db.selectFrom('attestations').select(['id', 'issuer_account_id']).where('work_id', '=', workId).execute(),
    db.selectFrom('disputes').select('id').where('work_id', '=', workId).execute(),
    db.selectFrom('process_images').select('id').where('work_id', '=', workId).execute(),
  ]);
  return {
    rows: [workId, ...attestations.map((a) => a.id), ...disputes.map((d) => d.id), ...processImages.map((p) => p.id)],
    attesters: [...new Set(attestations.map((a) => a.issuer_account_id))],
  };
}

export const listDisputes = (db: Db, workId: string) =>
  db
    .selectFrom('disputes')
    .innerJoin('accounts', 'accounts.id', 'disputes.account_id')
    .selectAll('disputes')
    .select(['accounts.handle', 'accounts.display_name'])
    .where('work_id', '=', workId)
    .orderBy('disputes.log_index')
    .execute();

export interface WorkListQuery {
  q?: string | undefined;
  artist?: string | undefined;
  limit: number;
  offset: number;
}

export async function listWorks(db: Db, query: WorkListQuery) {
  let base = db.selectFrom('works').innerJoin('accounts', 'accounts.id', 'works.account_id');
  if (query.artist) base = base.where('accounts.handle', '=', query.artist);
  if (query.q) {
    const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) =>
      eb.or([
        eb(sql`lower(works.title)`, 'like', pattern),
        eb(sql`lower(accounts.handle)`, 'like', pattern),
        eb(sql`lower(accounts.display_name)`, 'like', pattern),
      ]),
    );
  }
  const [rows, total] = await Promise.all([
    base
      .select([
        'works.id',
        'works.title',
        'works.status',
        'works.created_at',
        'works.log_index',
        'works.digital_source_type',
        'works.composite',
        'accounts.handle',
        'accounts.display_name',
      ])
      .orderBy('works.log_index', 'desc')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/**
 * The next works in id order after `afterId` that have a `present` hash row (when given), no row
 * labelled any of `absent`, and (when given) no row labelled `lowQuality.label` or a PDQ quality below
 * `lowQuality.below`, with what re-hashing needs (the stored thumbnail, the global PDQ hash and its quality).
 */
export async function findWorksByHashLabels(
  db: Db,
  labels: { present?: string; absent: readonly string[]; lowQuality?: { label: string; below: number } },
  afterId: string,
  limit: number,
) {
  const hasRow = (eb: ExpressionBuilder<Database, 'works'>, among: readonly string[]) =>
    eb.exists(
      eb
        .selectFrom('work_hashes')
        .select('work_hashes.id')
        .whereRef('work_hashes.work_id', '=', 'works.id')
        .where('work_hashes.label', 'in', [...among]),
    );
  let query = db
    .selectFrom('works')
    .select(['works.id', 'works.thumbnail', 'works.pdq', 'works.pdq_quality'])
    .where('works.id', '>', afterId)
    .where((eb) => eb.not(hasRow(eb, labels.absent)));
  const { present, lowQuality } = labels;
  if (present !== undefined) query = query.where((eb) => hasRow(eb, [present]));
  if (lowQuality !== undefined)
    query = query.where((eb) => eb.or([eb.not(hasRow(eb, [lowQuality.label])), eb('works.pdq_quality', '<', lowQuality.below)]));
  return query.orderBy('works.id').limit(limit).execute();
}

/**
 * The next works in id order after `afterId` that lack at least one of `labels` among their
 * match-index rows, with what re-hashing needs (the stored thumbnail, the global PDQ hash) and which of
 * `labels` they already have.
 */
export async function findWorksMissingHashLabels(db: Db, labels: readonly string[], afterId: string, limit: number) {
  const works = await db
    .selectFrom('works')
    .select(['works.id', 'works.thumbnail', 'works.pdq'])
    .where('works.id', '>', afterId)
    .where(
      ({ selectFrom }) =>
        selectFrom('work_hashes')
          .select(({ fn }) => fn.count<number>('work_hashes.label').distinct().as('n'))
          .whereRef('work_hashes.work_id', '=', 'works.id')
          .where('work_hashes.label', 'in', [...labels]),
      '<',
      labels.length,
    )
    .orderBy('works.id')
    .limit(limit)
    .execute();
  const present = works.length
    ? await db
        .selectFrom('work_hashes')
        .select(['work_id', 'label'])
        .where(
          'work_id',
          'in',
          works.map((w) => w.id),
        )
        .where('label', 'in', [...labels])
        .execute()
    : [];
  return works.map((w) => ({ ...w, labels: new Set(present.filter((p) => p.work_id === w.id).map((p) => p.label)) }));
}

/** Works registered before colour layouts were stored (migration 0012), with their thumbnails, by id. */
export async function findWorksWithoutColourLayout(db: Db, afterId: string, limit: number) {
  return db
    .selectFrom('works')
    .select(['id', 'thumbnail'])
    .where('colour_layout', 'is', null)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function setColourLayout(db: Db, workId: string, layout: string): Promise<void> {
  await db.updateTable('works').set({ colour_layout: layout }).where('id', '=', workId).where('colour_layout', 'is', null).execute();
}
