import { openDatabase } from '../db/open.ts';
import { findMatches } from '../api/matching/service.ts';
import { indexedMatchSql } from '../api/matching/repository.ts';
import pg from 'pg';
const url = process.argv[2]!;
const { db, close } = await openDatabase({ url, poolSize: 1 });
const rand = () => Array.from({ length: 8 }, () => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')).join('');
const stats = (xs: number[]) => { xs.sort((a, b) => a - b); return `p50 ${xs[Math.floor(xs.length / 2)]!.toFixed(1)} p95 ${xs[Math.floor(xs.length * 0.95)]!.toFixed(1)}`; };
const a: number[] = [];
for (let k = 0; k < 60; k++) {
  const hashes = Array.from({ length: 8 }, (_, i) => ({ label: 'v' + i, hash: rand() }));
  const t = performance.now();
  await findMatches(db, { hashes });
  a.push(performance.now() - t);
}
console.log('findMatches', stats(a));
const c = indexedMatchSql({ sha256: undefined, hashes: Array.from({ length: 8 }, (_, i) => ({ ordinal: i, hash: rand() })), maxDistance: 31, limit: 50 }).compile(db);
const client = new pg.Client({ connectionString: url });
await client.connect();
const r = await client.query('explain (analyze, buffers) ' + c.sql, c.parameters as unknown[]);
const lines = r.rows.map((x: any) => x['QUERY PLAN'] as string);
console.log(lines.filter((l) => !/Index Cond|Filter:|Rows Removed|Heap Fetches|Function Scan/.test(l)).slice(0, 40).map((l) => l.slice(0, 160)).join('\n'));
console.log(lines.slice(-3).join('\n'));
await client.end();
await close();
