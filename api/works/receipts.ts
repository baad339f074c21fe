import type { AppContext } from '../context.ts';

/** What a registration answers: where the entry sits in the log, proven against a signed checkpoint. */
export async function buildReceipt(ctx: AppContext, workId: string | undefined, logIndex: number, status: 200 | 201) {
  const checkpoint = await ctx.log.checkpoint();
  const inclusionProof = await ctx.log.inclusionProof(logIndex, checkpoint.size);
  return {
    status,
    body: {
      ...(workId ? { workId, url: `${ctx.config.publicUrl}/w/${workId}` } : {}),
      logIndex,
      inclusionProof,
      checkpoint: checkpoint.note,
    },
  };
}
