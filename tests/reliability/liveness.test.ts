import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from '../helpers/processes.ts';
import { createScratchDatabase, describeEachDatabase } from '../helpers/server.ts';
import { hugeFlatPng, sampleImages, truncate, withPngChunks, zTxtBomb } from './images.ts';

/**
 * The server, run as `npm start` runs it, keeps answering /healthz within 1 s and stays under a memory
 * bound while hostile uploads are processed concurrently (docs/ingest.md).
 */
const REGRESSIONS = path.resolve(import.meta.dirname, '../fixtures/fuzz-regressions');
/**
 * Memory bounds of the whole server process (main thread, parser workers, libvips): at most this much
 * above its resident size once ready (PGlite alone holds ~0.9 GB), and never above the absolute bound.
 * The growth bound leaves room for the one heap bomb of the set (exifr-heap-bomb-fuzzed.png: a worker
 * heap of a few hundred MB, capped at AURA_PARSER_MEMORY_MB = 512) plus decoding; measured ~310 MB.
 */
const MAX_GROWTH_MB = 768;
const MAX_RSS_MB = 2048;
const HEALTHZ_BUDGET_MS = 1000;

function residentMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describeEachDatabase('liveness under hostile uploads', (backend) => {
  let api: ApiProcess | undefined;
  let drop: (() => Promise<void>) | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-liveness-'));

  beforeAll(async () => {
    const env: Record<string, string> = { AURA_DATA_DIR: dataDir, AURA_MAX_UPLOAD_MB: '40', AURA_MAX_PIXELS: '100000000' };
    if (backend === 'postgres') {
      const scratch = await createScratchDatabase();
      env.DATABASE_URL = scratch.url;
      drop = scratch.drop;
    }
    api = await startApiProcess(env);
  }, 120_000);
  afterAll(async () => {
    await api?.kill();
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`answers /healthz within ${HEALTHZ_BUDGET_MS} ms and grows by less than ${MAX_GROWTH_MB} MB while hostile uploads run`, async () => {
    const samples = await sampleImages(11);
    const hostile: [string, Buffer][] = [
      ...fs
        .readdirSync(REGRESSIONS)
        .filter((f) => !f.endsWith('.md'))
        .map((f): [string, Buffer] => [f, fs.readFileSync(path.join(REGRESSIONS, f))]),
      ['100-MP PNG at the pixel limit', hugeFlatPng(10_000, 10_000)],
      ['PNG over the pixel limit', hugeFlatPng(10_000, 10_001)],
      ['PNG with a 64 MB zTXt bomb', withPngChunks(samples.png, zTxtBomb('parameters', 64 << 20))],
      ...Object.entries(samples).map(([format, bytes]): [string, Buffer] => [`truncated ${format}`, truncate(bytes, 0.6)]),
      ...Object.entries(samples).map(([format, bytes]): [string, Buffer] => [`${format} cut to its header`, truncate(bytes, 0.05)]),
    ];
    const pid = api!.child.pid!;
    const baselineMb = residentMb(pid);
    let peakMb = baselineMb;
    let slowestHealthzMs = 0;
    let healthzAnswers = 0;
    let uploading = true;
    const watch = (async () => {
      while (uploading) {
        peakMb = Math.max(peakMb, residentMb(pid));
        const started = performance.now();
        const res = await fetch(`${api!.url}/healthz`, { signal: AbortSignal.timeout(5000) });
        expect(res.status).toBe(200);
        slowestHealthzMs = Math.max(slowestHealthzMs, performance.now() - started);
        healthzAnswers++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const answers = await Promise.all(
      hostile.map(async ([name, bytes]) => {
        const form = new FormData();
        form.set('image', new Blob([new Uint8Array(bytes)]), 'upload.bin');
        const res = await fetch(`${api!.url}/v1/verify`, { method: 'POST', body: form, signal: AbortSignal.timeout(60_000) });
        await res.arrayBuffer();
        return { name, status: res.status };
      }),
    );
    uploading = false;
    await watch;
    peakMb = Math.max(peakMb, residentMb(pid));
    console.info(
      `liveness [${backend}]: ${answers.length} hostile uploads; /healthz answered ${healthzAnswers}× (slowest ${slowestHealthzMs.toFixed(0)} ms); RSS ${baselineMb.toFixed(0)} MB at start, peak ${peakMb.toFixed(0)} MB`,
    );

    for (const a of answers) expect(a.status === 200 || (a.status >= 400 && a.status < 500), `${a.name}: ${a.status}`).toBe(true);
    expect(answers.find((a) => a.name === '100-MP PNG at the pixel limit')!.status).toBe(200);
    expect(answers.find((a) => a.name === 'PNG over the pixel limit')!.status).toBe(422);
    expect(healthzAnswers).toBeGreaterThan(0);
    expect(slowestHealthzMs).toBeLessThan(HEALTHZ_BUDGET_MS);
    expect(peakMb - baselineMb).toBeLessThan(MAX_GROWTH_MB);
    expect(peakMb).toBeLessThan(MAX_RSS_MB);
    // Still serving normally afterwards.
    expect((await fetch(`${api!.url}/healthz`)).status).toBe(200);
  }, 300_000);
});
