// Entry of a parser-pool worker (api/uploads/parser-pool.ts). Plain JavaScript so that a worker starts
// the same way under `tsx`, vitest and `node --import tsx`: it registers tsx itself, then loads the tasks.
import { register } from 'tsx/esm/api';

register();
const { runParseTask } = await import('./parse-tasks.ts');

export default runParseTask;
