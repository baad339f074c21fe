import type { MessagePort } from 'node:worker_threads';
import { readImageHeader, type ImageHeader } from '../media/image-size.ts';
import type { Evidence } from '../evidence/types.ts';
import type { ContentCredentialsResult } from '../content-credentials/read.ts';

/** The parsers of attacker-supplied bytes, run one per task inside a parser-pool worker. */
export interface ParseTasks {
  /** image-size's header reader (container type, stored size, EXIF orientation). */
  header: ImageHeader | undefined;
  /** exifr (EXIF/XMP/IPTC/ICC), the PNG chunk walker and the C2PA reader. */
  evidence: Evidence;
  /** c2pa-rs (WebAssembly): the file's C2PA manifests as it validates them. */
  contentCredentials: ContentCredentialsResult;
}

export type ParseTaskName = keyof ParseTasks;

export interface ParseTask {
  name: ParseTaskName;
  bytes: Uint8Array;
  /** Told when the worker starts the task: the pool's deadline starts then (api/uploads/parser-pool.ts). */
  started?: MessagePort;
}

export async function runParseTask(task: ParseTask): Promise<ParseTasks[ParseTaskName]> {
  // Structured cloning hands the worker a Uint8Array; the parsers expect a Buffer over the same memory.
  task.started?.postMessage('started');
  task.started?.close();
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  switch (task.name) {
    case 'header':
      return readImageHeader(bytes);
    case 'evidence':
      // Preloaded by metadata workers (parse-worker.cjs); a header-lane worker never loads it.
      return (await import('../evidence/read-evidence.ts')).readEvidence(bytes);
    case 'contentCredentials':
      return (await import('../content-credentials/read.ts')).readContentCredentials(bytes);
    default:
      throw new Error(`unknown parse task ${String(task.name)}`);
  }
}
