import pg from 'pg';
import { hashSlots, slotProbes } from '../api/matching/hashes.ts';
const url = process.argv[2]!;
const mode = process.argv[3] ?? 'lateral';
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query(process.env.PRE ?? 'select 1');
const rand = () => Array.from({ length: 8 }, () => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')).join('');
function build(hashes: string[]) {
  const branches: string[] = [];
  for (let i = 0; i < 16; i++) {
    const vs: number[] = []; const qs: number[] = [];
    hashes.forEach((h, q) => { for (const p of slotProbes(hashSlots(h)[i]!)) { vs.push(p); qs.push(q + 1); } });
    if (mode === 'lateral') branches.push(`select w.id, p.q, bit_count(w.hash # ($1::bit(256)[])[p.q])::int as distance from unnest('{${vs.join(',')}}'::int[], '{${qs.join(',')}}'::int[]) p(v, q) cross join lateral (select id, hash from work_hashes x where x.s${i} = p.v) w`);
    else branches.push(`select w.id, p.q, bit_count(w.hash # ($1::bit(256)[])[p.q])::int as distance from unnest('{${vs.join(',')}}'::int[], '{${qs.join(',')}}'::int[]) p(v, q) join work_hashes w on w.s${i} = p.v`);
  }
  return `with c as (${branches.join(' union all ')}) select h.work_id, c.distance, c.q, h.label from c join work_hashes h on h.id = c.id where c.distance <= 31`;
}
const times: number[] = [];
for (let k = 0; k < Number(process.env.K ?? 50); k++) {
  const hashes = Array.from({ length: 8 }, rand);
  const t = performance.now();
  await client.query(build(hashes), [`{${hashes.map((h) => 'x' + h).join(',')}}`]);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(mode, 'p50', times[Math.floor(times.length / 2)]!.toFixed(1), 'p95', times[Math.floor(times.length * 0.95)]!.toFixed(1));
await client.end();
