import { loadConfig } from '../api/config.ts';
import { openDatabase } from './open.ts';
import { migrateToLatest } from './migrate.ts';

const config = loadConfig();
const { db, kind, close } = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  const applied = await migrateToLatest(db);
  console.log(`${kind}: ${applied.length ? `applied ${applied.join(', ')}` : 'schema already up to date'}`);
} finally {
  await close();
}
