import { CompactRange, leafHash } from '../../api/log/merkle.ts';
import { openCheckpoint } from '../../api/log/note.ts';
import { parseVerifierKey } from '../../api/log/verify/note.ts';
import type { AuraClient } from './aura-client.ts';

export interface LogCheck {
  size: number;
  rootMatches: boolean;
  /** Every entry index is where it should be: 0, 1, 2 … with no gap. */
  dense: boolean;
}

/**
 * Audits the registry's log as any outsider could: the signed checkpoint opened with the published verifier key,
 * every entry up to its size fetched, and the RFC 6962 root recomputed from the entries' exact bytes.
 */
export async function checkRegistryLog(client: AuraClient): Promise<LogCheck> {
  const vkey = String(await client.request('GET', '/v1/log/vkey')).trim();
  const note = String(await client.request('GET', '/v1/log/checkpoint'));
  const checkpoint = openCheckpoint(note, parseVerifierKey(vkey));
  const tree = new CompactRange();
  let dense = true;
  while (tree.size < checkpoint.size) {
    const page = await client.request<{ entries: Array<{ index: number; body: string }> }>(
      'GET',
      `/v1/log/entries?start=${tree.size}&end=${checkpoint.size}`,
    );
    if (page.entries.length === 0)
      throw new Error(`the log returned no entries at ${tree.size} below its checkpoint size ${checkpoint.size}`);
    for (const entry of page.entries) {
      if (entry.index !== tree.size) dense = false;
      tree.append(leafHash(Buffer.from(entry.body, 'base64')));
    }
  }
  return { size: checkpoint.size, rootMatches: tree.root().equals(checkpoint.rootHash), dense };
}
