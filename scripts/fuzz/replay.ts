/**
 * Runs one file through one fuzz target on this thread and says how it ended:
 *   npx tsx scripts/fuzz/replay.ts exifr fuzz-findings/exifr/hang-….bin
 * An input that never yields is reported by the watchdog below only if the loop does yield; a
 * synchronous hang shows as no output (stop it with Ctrl-C) — run it through `npm run fuzz -- --seeds DIR`
 * to get the stuck stack instead.
 */
import fs from 'node:fs';
import { targets, type TargetName } from './targets.ts';

const [target, file] = process.argv.slice(2) as [TargetName, string];
if (!targets[target] || !file) throw new Error(`usage: replay.ts ${Object.keys(targets).join('|')} FILE`);
const started = Date.now();
const watchdog = setTimeout(() => {
  console.log('still running after 10 s');
  process.exit(2);
}, 10_000);
await targets[target](fs.readFileSync(file)).then(
  () => console.log(`answered in ${Date.now() - started} ms`),
  (e: unknown) => console.log(`finding after ${Date.now() - started} ms: ${e instanceof Error ? e.message : String(e)}`),
);
clearTimeout(watchdog);
process.exit(0);
