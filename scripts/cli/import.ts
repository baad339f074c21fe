import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { AuraClient, Identity } from '../lib/aura-client.ts';

const IMAGE = /\.(jpe?g|png|webp|avif|tiff?|gif)$/i;

interface ImportState {
  done: Record<string, { workId: string }>;
  failed: Record<string, { error: string }>;
}

/** Registers every image of a folder; what succeeded is recorded so a rerun resumes where it stopped. */
export async function importFolder(
  client: AuraClient,
  identity: Identity,
  folder: string,
  o: { medium?: string; year?: string; sourceType: string },
) {
  const statePath = path.join(folder, '.aura-import.json');
  const state: ImportState = fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')) : { done: {}, failed: {} };
  state.failed = {};
  const files = fs
    .readdirSync(folder)
    .filter((f) => IMAGE.test(f))
    .sort();
  const todo = files.filter((f) => !state.done[f]);
  const bar = new cliProgress.SingleBar(
    { format: 'importing [{bar}] {value}/{total} {file}', noTTYOutput: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(todo.length, 0, { file: '' });
  let registered = 0;
  for (const file of todo) {
    bar.update({ file });
    try {
      const result = await client.registerWork(
        identity,
        { bytes: fs.readFileSync(path.join(folder, file)), filename: file },
        {
          title: path.parse(file).name.replace(/[-_]+/g, ' '),
          digitalSourceType: o.sourceType,
          ...(o.medium ? { medium: o.medium } : {}),
          ...(o.year ? { year: Number(o.year) } : {}),
        },
      );
      state.done[file] = { workId: result.workId };
      registered++;
    } catch (err) {
      state.failed[file] = { error: (err as Error).message };
    }
    fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
    bar.increment();
  }
  bar.stop();
  const failed = Object.keys(state.failed).length;
  const text = [
    `${registered} registered, ${files.length - todo.length} already done earlier, ${failed} failed (of ${files.length} images)`,
    ...Object.entries(state.failed).map(([f, e]) => `  ${f}: ${e.error}`),
  ].join('\n');
  return { registered, failed, text };
}
