import { randomBytes } from 'node:crypto';
import pg from 'pg';
const url = process.argv[2]!;
const n = Number(process.argv[3] ?? 100);
const fns = process.argv.slice(4);
const client = new pg.Client({ connectionString: url });
await client.connect();
const rnd = () => randomBytes(32).toString('hex');
const text = (fn: string) => `
with candidates as (
  select h.work_id, c.row_id, h.label as stored_label, c.q_ord - 1 as q_ord, c.distance
  from ${fn}($1::bit(256)[], $2::int[], $3::int[], $4) as c
  join work_hashes h on h.id = c.row_id),
best as (
  select distinct on (work_id) work_id, distance, q_ord, stored_label from candidates order by work_id, distance, q_ord, row_id),
exact as (select id as work_id from works where sha256 = $5)
select w.id as work_id, b.distance, b.q_ord, b.stored_label, (e.work_id is not null) as exact, w.status
from best b full join exact e on e.work_id = b.work_id
join works w on w.id = coalesce(b.work_id, e.work_id)
order by (e.work_id is not null) desc, coalesce(b.distance, 0), w.id
limit $6`;
const params = () => [Array.from({ length: 8 }, () => 'x' + rnd()), Array(8).fill(0), Array(8).fill(2), 31, null, 50];
const t: Record<string, number[]> = {};
for (let i = 0; i < n; i++) for (const fn of fns) { const p = params(); const s = performance.now(); await client.query({ text: text(fn), values: p }); (t[fn] ??= []).push(performance.now() - s); }
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)]!.toFixed(2);
for (const fn of fns) console.log(fn, 'p50', pct(t[fn]!, 0.5), 'p95', pct(t[fn]!, 0.95), 'last half p50', pct(t[fn]!.slice(n / 2), 0.5), 'p95', pct(t[fn]!.slice(n / 2), 0.95));
await client.end();
