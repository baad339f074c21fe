import { AppError } from '../../api/errors.ts';
import { readC2pa } from '../../api/evidence/c2pa.ts';
import { readMetadataGroups } from '../../api/evidence/metadata.ts';
import { MAX_INFLATED_TEXT_BYTES, readPngTextChunks } from '../../api/evidence/png-chunks.ts';
import { decodeImage, readHeaderHere } from '../../api/images/decode.ts';
import { readImageHeader } from '../../api/media/image-size.ts';
import { Ingest } from '../../api/uploads/ingest.ts';
import { ParserPool } from '../../api/uploads/parser-pool.ts';
import { HTTP_STATUS } from '../../api/http/problem.ts';

/**
 * One fuzz target per parser of uploaded bytes. A target returns normally for every input the server
 * can answer; it throws a Finding when an invariant is broken. Hangs and worker deaths (out of memory,
 * native crash) are detected by the fuzzer around it (scripts/fuzz.ts).
 */
export class Finding extends Error {}

const LIMITS = { maxBytes: 4 * 1024 * 1024, maxPixels: 4_000_000 };

/** Only a 4xx AppError may escape the decoder or the ingest path: anything else would be a 500. */
function expectClientError(error: unknown): void {
  if (error instanceof AppError && HTTP_STATUS[error.code] < 500) return;
  throw new Finding(`not a 4xx AppError: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
}

let ingest: Ingest | undefined;
function guardedIngest(): Ingest {
  // The production guard, with a short deadline: a hang of the ingest target means the guard failed.
  ingest ??= new Ingest(
    new ParserPool({ minThreads: 1, maxThreads: 1, maxQueue: 8, taskTimeoutMs: 500, memoryMb: 512, idleTimeoutMs: 60_000 }),
    LIMITS,
  );
  return ingest;
}

export const targets = {
  /** exifr (EXIF/XMP/IPTC/ICC), as the evidence reader calls it; it promises never to throw. */
  exifr: async (bytes: Buffer) => {
    await readMetadataGroups(bytes).catch((e: unknown) => {
      throw new Finding(`readMetadataGroups threw: ${String(e)}`);
    });
  },
  /** The PNG text-chunk walker: never throws, never inflates past its cap. */
  png: async (bytes: Buffer) => {
    let chunks: ReturnType<typeof readPngTextChunks>;
    try {
      chunks = readPngTextChunks(bytes);
    } catch (e) {
      throw new Finding(`readPngTextChunks threw: ${String(e)}`);
    }
    for (const c of chunks) if (c.text.length > MAX_INFLATED_TEXT_BYTES * 4) throw new Finding('a text chunk inflated past the cap');
  },
  /** The C2PA reader (@trustnxt/c2pa-ts): may reject (the caller catches), must answer. */
  c2pa: async (bytes: Buffer) => {
    await readC2pa(bytes).catch(() => undefined);
  },
  /** image-size's header reader: never throws (readImageHeader catches), must answer. */
  header: async (bytes: Buffer) => {
    readImageHeader(bytes);
  },
  /** Sniff, header limits and sharp decode: only 4xx AppErrors. */
  decode: async (bytes: Buffer) => {
    await decodeImage(bytes, LIMITS, readHeaderHere).catch(expectClientError);
  },
  /** The whole ingest path with its parser pool: a result or a 4xx AppError, always in time. */
  ingest: async (bytes: Buffer) => {
    await guardedIngest().analyze(bytes, { thumbnail: true, metadata: 'best-effort' }).catch(expectClientError);
  },
} satisfies Record<string, (bytes: Buffer) => Promise<void>>;

export type TargetName = keyof typeof targets;
export const TARGET_NAMES = Object.keys(targets) as TargetName[];
