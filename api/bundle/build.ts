import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { listKidsOfAccounts } from '../identity/repository.ts';
import { findEntriesAbout } from '../log/repository.ts';
import * as works from '../works/repository.ts';
import { operatorJwk, registryJwks } from '../trust/operator-key.ts';
import { BUNDLE_FORMAT, type ProofBundle, type ProvenEntry } from './format.ts';

const KEY_EVENTS = ['account.created', 'key.added', 'key.revoked'];
const ORGANIZATION_EVENTS = ['organization.verified', 'organization.withdrawn'];

/** Everything needed to check a work offline, proven against one signed checkpoint. */
export async function buildBundle(ctx: AppContext, workId: string): Promise<ProofBundle> {
  const db = ctx.db;
  const work = await works.findWork(db, workId);
  if (!work) throw notFound('work');
  const [attestations, disputes, processImages] = await Promise.all([
    works.listAttestations(db, workId),
    works.listDisputes(db, workId),
    works.listProcessImages(db, workId),
  ]);
  const attesters = [...new Set(attestations.map((a) => a.issuer_account_id))];
  const accountIds = [...new Set([work.account_id, ...attesters, ...disputes.map((d) => d.account_id)])];
  const kids = await listKidsOfAccounts(db, accountIds);
  const keyEntries = await findEntriesAbout(db, [{ types: KEY_EVENTS, subjectIds: [...accountIds, ...kids] }]);
  const organizationEntries = await findEntriesAbout(db, [{ types: ORGANIZATION_EVENTS, subjectIds: attesters }]);

  const checkpoint = await ctx.log.checkpoint();
  const prove = async (index: number): Promise<ProvenEntry> => {
    const entry = await ctx.log.getEntry(index);
    if (!entry) throw new Error(`log entry ${index} is missing`);
    const proof = await ctx.log.inclusionProof(index, checkpoint.size);
    return { index, body: entry.body.toString('base64'), inclusionProof: { size: proof.size, hashes: proof.hashes } };
  };
  const maybe = (index: number | null) => (index === null ? Promise.resolve(null) : prove(index));

  return {
    format: BUNDLE_FORMAT,
    registry: {
      url: ctx.config.publicUrl,
      origin: checkpoint.origin,
      vkey: ctx.log.verifierKey,
      jwks: registryJwks(ctx.log.publicJwk, ctx.operator),
      operator: operatorJwk(ctx.operator),
    },
    checkpoint: checkpoint.note,
    work: { id: work.id, credential: work.jws, entry: await prove(work.log_index) },
    revocation: await maybe(work.revoked_log_index),
    attestations: await Promise.all(
      attestations.map(async (a) => ({
        id: a.id,
        credential: a.jws,
        entry: await prove(a.log_index),
        revocation: await maybe(a.revoked_log_index),
      })),
    ),
    disputes: await Promise.all(disputes.map((d) => prove(d.log_index))),
    processImages: await Promise.all(processImages.map((p) => prove(p.log_index))),
    keyHistory: await Promise.all(keyEntries.map((k) => prove(k.idx))),
    organizations: await Promise.all(organizationEntries.filter((o) => o.idx < checkpoint.size).map((o) => prove(o.idx))),
  };
}
