// A fuzz executor: a worker thread that runs one target per message and reports the V8 block coverage
// the input reached (node:inspector precise coverage, counts bucketed as AFL does). Plain JavaScript so it
// can register tsx itself; the fuzzer kills and replaces it when an input hangs.
import { Session } from 'node:inspector/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { targets, Finding } = await import('./targets.ts');
const target = targets[workerData.target];

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });

/** Scripts whose coverage guides the search: the project and its dependencies, not Node or the tooling. */
const guides = (url) => url.startsWith('file://') && !url.includes('/node_modules/tsx/') && !url.includes('/scripts/fuzz/');
const bucket = (n) => (n <= 3 ? n : n <= 7 ? 4 : n <= 15 ? 5 : n <= 31 ? 6 : n <= 127 ? 7 : 8);
const seen = new Set();
const blocks = new Set();

async function newFeatures() {
  const { result } = await session.post('Profiler.takePreciseCoverage');
  const found = [];
  for (const script of result) {
    if (!guides(script.url)) continue;
    for (const fn of script.functions) {
      for (const range of fn.ranges) {
        if (range.count === 0) continue;
        const block = `${script.url}:${range.startOffset}:${range.endOffset}`;
        blocks.add(block);
        const feature = `${block}:${bucket(range.count)}`;
        if (!seen.has(feature)) {
          seen.add(feature);
          found.push(feature);
        }
      }
    }
  }
  return found;
}

await newFeatures(); // start-up code is not the input's coverage
parentPort.on('message', async (input) => {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let finding;
  try {
    await target(bytes);
  } catch (error) {
    finding = error instanceof Finding ? error.message : `target threw: ${error instanceof Error ? error.stack : String(error)}`;
  }
  const features = await newFeatures();
  parentPort.postMessage({ features, blocks: blocks.size, finding });
});
parentPort.postMessage({ ready: true });
