import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { runParseTask, wallClockMs, type ParseTask, type ParseTaskName, type ParseTasks } from './parse-tasks.ts';

/** Pool settings (AURA_PARSER_* in api/config.ts; see docs/ingest.md). */
export interface ParserPoolSettings {
  /** Metadata workers kept warm even when idle (the header lane always keeps its one worker). */
  minThreads: number;
  /** Metadata parsers running at once; more tasks wait in the queue. Header reads have a lane of one worker of their own. */
  maxThreads: number;
  /** Tasks allowed to wait; past that an upload is refused with 503 server_busy. */
  maxQueue: number;
  /** Per-task deadline: a parser still running after it is killed with its worker. */
  taskTimeoutMs: number;
  /** V8 heap limit of each worker (old generation), MB; a parser that exceeds it dies with its worker. */
  memoryMb: number;
  /** An idle worker above minThreads exits after this long. */
  idleTimeoutMs: number;
}

/** Why a parse gave no result; each is answered by the caller, never by a hang or a 500. */
export type ParseFailure = 'timed out' | 'out of memory' | 'failed' | 'busy';

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; failure: ParseFailure };

/** What the ingest path needs from its parsers: the pool in the server, InlineParsers for trusted bytes. */
export interface Parsers {
  run<K extends ParseTaskName>(name: K, bytes: Uint8Array): Promise<ParseOutcome<ParseTasks[K]>>;
}

/**
 * The same parsers on the calling thread, with no deadline: only for bytes Aura trusts (its own
 * thumbnails, local files in the CLI) and as the baseline of scripts/bench-ingest.ts.
 */
export class InlineParsers implements Parsers {
  async run<K extends ParseTaskName>(name: K, bytes: Uint8Array): Promise<ParseOutcome<ParseTasks[K]>> {
    try {
      return { ok: true, value: (await runParseTask({ name, bytes })) as ParseTasks[K] };
    } catch {
      return { ok: false, failure: 'failed' };
    }
  }
}

const WORKER = fileURLToPath(new URL('./parse-worker.cjs', import.meta.url));

/**
 * The only way Aura parses attacker-supplied bytes (image headers, EXIF/XMP/IPTC/ICC, PNG text chunks,
 * C2PA): in a piscina worker pool, each task under a deadline and a heap limit. A task past its
 * deadline is aborted, which terminates its worker (piscina starts a fresh one), so an infinite loop in
 * a parser (exifr's `parseBoxHead`, docs/ingest.md) costs one worker for `taskTimeoutMs`, never the
 * main thread.
 */
export class ParserPool implements Parsers {
  /**
   * Two lanes with the same limits: header reads (image-size, microseconds) never wait behind metadata
   * parses (C2PA validation takes 100+ ms), or decoding — which needs the header — would stall.
   */
  private readonly lanes: Record<ParseTaskName, Piscina<ParseTask, ParseTasks[ParseTaskName]>>;
  private readonly counters = { completed: 0, timedOut: 0, outOfMemory: 0, failed: 0, busy: 0 };

  constructor(readonly settings: ParserPoolSettings) {
    const metadata = this.lane(Math.min(settings.minThreads, settings.maxThreads), settings.maxThreads, true);
    this.lanes = { header: this.lane(1, 1, false), evidence: metadata, contentCredentials: metadata };
  }

  private lane(minThreads: number, maxThreads: number, preloadEvidence: boolean): Piscina<ParseTask, ParseTasks[ParseTaskName]> {
    const { settings } = this;
    const pool = new Piscina<ParseTask, ParseTasks[ParseTaskName]>({
      filename: WORKER,
      workerData: { preloadEvidence },
      minThreads,
      maxThreads,
      maxQueue: settings.maxQueue,
      idleTimeout: settings.idleTimeoutMs,
      resourceLimits: {
        maxOldGenerationSizeMb: settings.memoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(settings.memoryMb / 8))),
        stackSizeMb: 4,
      },
    });
    // A worker that dies between tasks is replaced by piscina; the event only needs a listener.
    pool.on('error', () => {});
    return pool;
  }

  /** Runs one parser over a copy of the bytes. Never rejects: failures come back as a ParseFailure. */
  async run<K extends ParseTaskName>(name: K, bytes: Uint8Array): Promise<ParseOutcome<ParseTasks[K]>> {
    const deadline = new AbortController();
    // The worker writes the time it starts the task here; the deadline runs from then, not from submission:
    // time in the queue or waiting for a replacement worker to load its modules (~0.5 s) is not the parser's.
    const startedAt = new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT));
    const { taskTimeoutMs } = this.settings;
    let timer: NodeJS.Timeout | undefined;
    const watch = (wait: number) => {
      timer = setTimeout(() => {
        const started = startedAt[0]!;
        const left = started === 0 ? taskTimeoutMs : started + taskTimeoutMs - wallClockMs();
        if (left > 0) watch(left);
        else deadline.abort();
      }, wait);
    };
    watch(taskTimeoutMs);
    try {
      // One copy of exactly these bytes, moved to the worker (cloning a view would copy its whole buffer).
      const copy = new Uint8Array(bytes);
      const task: ParseTask = { name, bytes: copy, startedAt };
      const value = (await this.lanes[name].run(task, { signal: deadline.signal, transferList: [copy.buffer] })) as ParseTasks[K];
      this.counters.completed++;
      return { ok: true, value };
    } catch (error) {
      const failure = classify(error, deadline.signal);
      this.counters[failure === 'timed out' ? 'timedOut' : failure === 'out of memory' ? 'outOfMemory' : failure]++;
      return { ok: false, failure };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Tasks answered since start, by outcome, and the pool's live state (for the benchmark and tests). */
  stats() {
    const lanes = this.pools();
    return {
      ...this.counters,
      threads: lanes.reduce((n, l) => n + l.threads.length, 0),
      queued: lanes.reduce((n, l) => n + l.queueSize, 0),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.pools().map((l) => l.close({ force: true })));
  }

  private pools() {
    return [...new Set(Object.values(this.lanes))];
  }
}

function classify(error: unknown, signal: AbortSignal): ParseFailure {
  if (signal.aborted) return 'timed out';
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'out of memory';
  if (error instanceof Error && /queue is at limit/i.test(error.message)) return 'busy';
  return 'failed';
}
