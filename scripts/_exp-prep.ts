import { randomBytes } from 'node:crypto';
import pg from 'pg';

const url = process.argv[2]!;
const n = Number(process.argv[3] ?? 100);
const client = new pg.Client({ connectionString: url });
await client.connect();
const rnd = () => randomBytes(32).toString('hex');

const branch = (slot: number) => `
  select w.id as row_id, p.q as q_ord, w.distance
  from (select q.h, q.q, q.lo, q.hi, substring(q.h from ${slot * 16 + 1} for 16)::int # b.m as v
        from unnest($1::bit(256)[], $2::int[], $3::int[]) with ordinality as q(h, lo, hi, q)
        cross join unnest('{0,1,2,4,8,16,32,64,128,256,512,1024,2048,4096,8192,16384,32768}'::int[]) as b(m)) as p
  cross join lateral (
    select id, bit_count(x.hash # p.h)::int as distance from work_hashes x
    where x.s${slot} = p.v and x.label_class between p.lo and p.hi and bit_count(x.hash # p.h) <= $4
  ) as w`;
const text = `
with candidates as (
  select h.work_id, c.row_id, h.label as stored_label, c.q_ord - 1 as q_ord, c.distance
  from (${Array.from({ length: 16 }, (_, s) => branch(s)).join(' union all ')}) as c
  join work_hashes h on h.id = c.row_id
  where current_schema() is not null),
best as (
  select distinct on (work_id) work_id, distance, q_ord, stored_label from candidates order by work_id, distance, q_ord, row_id),
exact as (select id as work_id from works where sha256 = $5)
select w.id as work_id, b.distance, b.q_ord, b.stored_label, (e.work_id is not null) as exact, w.status
from best b full join exact e on e.work_id = b.work_id
join works w on w.id = coalesce(b.work_id, e.work_id)
order by (e.work_id is not null) desc, coalesce(b.distance, 0), w.id
limit $6`;
const params = () => [Array.from({ length: 8 }, () => 'x' + rnd()), Array(8).fill(0), Array(8).fill(2), 31, null, 50];
await client.query("set client_min_messages = log");
const notices: string[] = [];
client.on('notice', (m: any) => notices.push(m.message + ' ' + (m.detail ?? '').split('\n').filter((l: string) => /elapsed/.test(l)).join(' ')));
for (const s of ['log_parser_stats', 'log_planner_stats', 'log_executor_stats']) await client.query(`set ${s} = on`);
for (let i = 0; i < 3; i++) { notices.length = 0; const t = performance.now(); await client.query({ text, values: params() }); console.log('wall', (performance.now() - t).toFixed(1), notices.join(' | ')); }
for (const s of ['log_parser_stats', 'log_planner_stats', 'log_executor_stats']) await client.query(`set ${s} = off`);
const times: Record<string, number[]> = { unnamed: [], named: [] };
for (let i = 0; i < n; i++) {
  for (const name of ['unnamed', 'named']) {
    const p = params();
    const t = performance.now();
    await client.query(name === 'named' ? { name: 'match', text, values: p } : { text, values: p });
    times[name]!.push(performance.now() - t);
  }
}
for (const s of ['log_parser_stats', 'log_planner_stats', 'log_executor_stats']) await client.query(`set ${s} = on`);
for (let i = 0; i < 3; i++) { notices.length = 0; const t = performance.now(); await client.query({ text, values: params() }); console.log('wall', (performance.now() - t).toFixed(1), notices.join(' | ')); }
for (const s of ['log_parser_stats', 'log_planner_stats', 'log_executor_stats']) await client.query(`set ${s} = off`);
const r = await client.query({ text: 'explain (analyze, timing off) ' + text, values: params() });
console.log(r.rows.map((x: any) => x['QUERY PLAN']).filter((l: string) => /Time/.test(l)).join('\n'));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)]!.toFixed(2);
for (const name of Object.keys(times)) console.log(name, 'p50', pct(times[name]!, 0.5), 'p95', pct(times[name]!, 0.95));
await client.end();
