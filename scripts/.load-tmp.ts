import { sql } from 'kysely';
import { openDatabase } from '../db/open.ts';
import { bulkIndexHashes } from '../api/matching/service.ts';
const { db, close } = await openDatabase({ url: process.argv[2]!, poolSize: 2 });
const rand = () => Array.from({ length: 8 }, () => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')).join('');
const mk = () => Array.from({ length: 50000 }, (_, i) => ({ workId: 'w' + Math.floor(Math.random() * 1e6), label: 'global', hash: rand() }));
for (const s of ['', 'alter table work_hashes drop constraint work_hashes_work_id_fkey', 'drop index work_hashes_work_idx']) {
  if (s) await sql.raw(s).execute(db);
  await sql.raw('drop index if exists ' + Array.from({ length: 16 }, (_, i) => `work_hashes_s${i}_idx`).join(',')).execute(db);
  const rows = mk();
  const t = performance.now();
  await bulkIndexHashes(db, rows);
  console.log(s || 'baseline (no slot idx)', Math.round(50000 / ((performance.now() - t) / 1000)), 'rows/s');
}
await close();
