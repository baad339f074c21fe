import pg from 'pg';
import { hashSlots, slotProbes } from '../api/matching/hashes.ts';
const url = process.argv[2]!;
const mode = process.argv[3] ?? 'lateral';
const client = new pg.Client({ connectionString: url });
await client.connect();
const rand = () => Array.from({ length: 8 }, () => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')).join('');
function build(hashes: string[]) {
  const branches: string[] = [];
  for (let i = 0; i < 16; i++) {
    const vs: number[] = []; const qs: number[] = [];
    hashes.forEach((h, q) => { for (const p of slotProbes(hashSlots(h)[i]!)) { vs.push(p); qs.push(q + 1); } });
    if (mode === 'lateral') {
      branches.push(`select w.id, p.q, bit_count(w.hash # (${'$1'}::bit(256)[])[p.q])::int as distance from unnest('{${vs.join(',')}}'::int[], '{${qs.join(',')}}'::int[]) p(v, q) cross join lateral (select id, hash from work_hashes x where x.s${i} = p.v) w`);
    } else {
      hashes.forEach((h, q) => branches.push(`select id, ${q + 1} as q, bit_count(hash # 'x${h}'::bit(256))::int as distance from work_hashes where s${i} in (${slotProbes(hashSlots(h)[i]!).join(',')})`));
    }
  }
  return `with c as (${branches.join(' union all ')}) select h.work_id, c.distance, c.q, h.label from c join work_hashes h on h.id = c.id where c.distance <= 31`;
}
await client.query(process.env.PRE ?? 'select 1');
for (let run = 0; run < 3; run++) {
  const hashes = Array.from({ length: 8 }, rand);
  const text = build(hashes);
  const param = `{${hashes.map((h) => 'x' + h).join(',')}}`;
  const params = mode === 'lateral' ? [param] : [];
  const t = performance.now();
  for (let k = 0; k < 10; k++) await client.query(text, params);
  console.log(mode, 'avg ms', ((performance.now() - t) / 10).toFixed(2));
  if (run === 2) {
    const r = await client.query('explain (analyze) ' + text, params);
    console.log(r.rows.map((x: any) => x['QUERY PLAN']).slice(0, 30).join('\n'));
    console.log(r.rows.slice(-2).map((x: any) => x['QUERY PLAN']).join('\n'));
  }
}
await client.end();
