import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * What the seed must remember between runs that the server cannot tell it: the work-in-progress images it logged
 * for works not registered yet (a real-time server makes them wait a day). Kept per server, keyed by the log's
 * verifier key, so one out folder can serve several registries.
 */
const pendingSchema = z.object({ stage: z.number(), processId: z.uuid(), loggedAt: z.iso.datetime() });
const stateSchema = z.object({
  version: z.literal(1),
  servers: z.record(z.string(), z.object({ pending: z.record(z.string(), z.array(pendingSchema)) })),
});

export type PendingProcessImage = z.infer<typeof pendingSchema>;
export type SeedState = z.infer<typeof stateSchema>;

const stateFile = (out: string) => path.join(out, 'seed-state.json');

export function readSeedState(out: string): SeedState {
  const file = stateFile(out);
  if (!fs.existsSync(file)) return { version: 1, servers: {} };
  const parsed = stateSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file} is not a seed state file (${parsed.error.issues[0]?.message}); move it away to start afresh`);
  return parsed.data;
}

export function writeSeedState(out: string, state: SeedState): void {
  fs.mkdirSync(out, { recursive: true });
  const file = stateFile(out);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}
