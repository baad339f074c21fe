// Entry of a parser-pool worker (api/uploads/parser-pool.ts). Plain JavaScript so that a worker starts
// the same way under `tsx`, vitest and `node --import tsx`: it registers tsx itself, then loads the tasks.
import { workerData } from 'piscina';
import { register } from 'tsx/esm/api';

register();
const { runParseTask } = await import('./parse-tasks.ts');
// A metadata worker loads its parsers before it reports ready, so module loading never eats into a
// task's deadline; a header worker never loads them.
if (workerData?.preloadEvidence) await Promise.all([import('../evidence/read-evidence.ts'), import('../content-credentials/read.ts')]);

export default runParseTask;
