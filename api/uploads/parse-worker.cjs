// Entry of a parser-pool worker (api/uploads/parser-pool.ts). CommonJS on purpose: piscina loads its
// worker with require() first, and on Node 20 require() of an ES module with top-level await can abort
// the whole process (a V8 fatal error, "IsGraphAsync must be used on an instantiated module", seen in CI),
// not just the worker. This file has no top-level await: it registers tsx's ES-module hooks (through
// tsx's ESM entry: its CommonJS entry resolves its own hook file wrongly), then loads the tasks.
const { workerData } = require('piscina');

const tasks = import('tsx/esm/api').then(({ register }) => {
  register();
  return import('./parse-tasks.ts');
});
// A metadata worker loads its parsers as soon as it starts, so module loading never eats into a task's
// deadline (which starts when runParseTask writes its start time); a header worker never loads them.
const preloaded = workerData?.preloadEvidence ? tasks.then((t) => Promise.all([t.evidenceReader(), t.credentialsReader()])) : tasks;

module.exports = async function runParseTask(task) {
  await preloaded;
  return (await tasks).runParseTask(task);
};
