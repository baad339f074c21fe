import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { indexedMatchSql } from '../api/matching/repository.ts';
import { classRange } from '../api/matching/label-classes.ts';

const url = process.argv[2]!;
const n = Number(process.argv[3] ?? 100);
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
const rnd = () => randomBytes(32).toString('hex');
const q = () => ({ sha256: undefined, hashes: Array.from({ length: 8 }, (_, i) => ({ ordinal: i, hash: rnd(), classes: classRange('any') })), maxDistance: 31, limit: 50 });
const settings: Record<string, string[]> = {
  serial: ['set max_parallel_workers_per_gather = 0'],
  par1: ['set max_parallel_workers_per_gather = 1', 'set parallel_setup_cost = 0', 'set parallel_tuple_cost = 0'],
  par2: ['set max_parallel_workers_per_gather = 2', 'set parallel_setup_cost = 0', 'set parallel_tuple_cost = 0'],
};
const times: Record<string, number[]> = {};
const unguard = (s: string) => s.replace('current_schema() is not null', 'true');
for (let i = 0; i < n; i++) {
  const query = q();
  for (const [name, sets] of Object.entries(settings)) {
    for (const s of sets) await db.executeQuery(CompiledQuery.raw(s));
    const c = indexedMatchSql(query).compile(db);
    const raw = CompiledQuery.raw(unguard(c.sql), c.parameters as any[]);
    if (i === 0) {
      const r = await db.executeQuery(CompiledQuery.raw('explain (analyze, timing off) ' + raw.sql, raw.parameters as any[]));
      console.log(name, (r.rows as any[]).map((x) => x['QUERY PLAN'] as string).filter((l) => /Gather|Workers|Parallel|Time/.test(l)).slice(0, 6).join('\n'));
    }
    const t = performance.now();
    await db.executeQuery(raw);
    (times[name] ??= []).push(performance.now() - t);
    await db.executeQuery(CompiledQuery.raw('reset all'));
  }
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)]!.toFixed(2);
for (const name of Object.keys(settings)) console.log(name, 'p50', pct(times[name]!, 0.5), 'p95', pct(times[name]!, 0.95));
await db.destroy();
