/**
 * Adds the side and corner windows, the part windows, the colour layout, the grey flatten of transparent works and the
 * structure hashes of low-detail works to works registered before Aura stored them
 * (api/matching/backfill-windows.ts).
 * Run once after upgrading, against the same database the server uses (DATABASE_URL or the embedded
 * one in AURA_DATA_DIR); safe to run again, and while the server is up.
 *
 *   npm run db:backfill-windows
 */
import cliProgress from 'cli-progress';
import { sql } from 'kysely';
import { loadConfig } from '../api/config.ts';
import {
  backfillAnchoredWindows,
  backfillColourLayouts,
  backfillGreyFlattens,
  backfillPartWindows,
  backfillStructure,
} from '../api/matching/backfill-windows.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';

const config = loadConfig();
const { db, kind, close } = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrateToLatest(db);
  const total = Number((await sql<{ n: string }>`select count(*) as n from works`.execute(db)).rows[0]!.n);
  const bar = new cliProgress.SingleBar(
    { format: 'works without side and corner windows [{bar}] {value} looked at, {updated} updated' },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { updated: 0 });
  const done = await backfillAnchoredWindows(
    db,
    { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels },
    {
      onBatch: (p) => bar.update(p.works, { updated: p.updated }),
    },
  );
  bar.stop();
  console.log(`${kind}: ${done.works} of ${total} works were missing a side or corner window; ${done.updated} gained ${done.rows} rows`);
  if (done.unreadable) {
    const more = done.unreadable > done.unreadableIds.length ? ', …' : '';
    console.log(
      `${done.unreadable} thumbnails could not be decoded (those works were left as they were): ${done.unreadableIds.join(', ')}${more}`,
    );
  }
  const parts = await backfillPartWindows(db, { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels });
  console.log(`${kind}: ${parts.works} works had no part windows; ${parts.updated} gained them (${parts.rows} rows)`);
  const layouts = await backfillColourLayouts(db, { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels });
  console.log(`${kind}: ${layouts.works} works had no colour layout; ${layouts.updated} gained one`);
  const greys = await backfillGreyFlattens(db, { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels });
  console.log(`${kind}: ${greys.works} transparent works had no grey flatten; ${greys.updated} gained one`);
  const structure = await backfillStructure(db, { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels });
  console.log(`${kind}: ${structure.works} works had neither a whole-image hash nor a structure hash; ${structure.updated} gained one`);
} finally {
  await close();
}
