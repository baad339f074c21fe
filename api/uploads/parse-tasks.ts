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
  /** Where the worker writes the wall-clock time (ms) it starts the task: the pool's deadline starts then (api/uploads/parser-pool.ts). */
  startedAt?: Float64Array;
}

export async function runParseTask(task: ParseTask): Promise<ParseTasks[ParseTaskName]> {
  if (task.startedAt) task.startedAt[0] = wallClockMs();
  // Structured cloning hands the worker a Uint8Array; the parsers expect a Buffer over the same memory.
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  switch (task.name) {
    case 'header':
      return readImageHeader(bytes);
    case 'evidence':
      return (await evidenceReader()).readEvidence(bytes);
    case 'contentCredentials':
      return (await credentialsReader()).readContentCredentials(bytes);
    default:
      throw new Error(`unknown parse task ${String(task.name)}`);
  }
}

// Loaded on first use (a header-lane worker never loads them) and kept: every `import()` call, even of a
// module already loaded, goes through the module loader's resolve hooks — in a worker under tsx, a
// round trip to the hooks thread per task.
const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
};
export const evidenceReader = once(() => import('../evidence/read-evidence.ts'));
export const credentialsReader = once(() => import('../content-credentials/read.ts'));

/** Milliseconds on a clock every thread of the process shares (performance.now() starts per thread). */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();
