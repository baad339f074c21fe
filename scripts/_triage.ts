import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ParserPool } from '../api/uploads/parser-pool.ts';
import { sniffFormat } from '../api/images/formats.ts';
const pool = new ParserPool({ minThreads: 1, maxThreads: 1, maxQueue: 10, taskTimeoutMs: 5000, memoryMb: 256, idleTimeoutMs: 60000 });
for (const dir of ['fuzz-findings/exifr', 'fuzz-findings/c2pa']) {
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.bin'))) {
    const b = fs.readFileSync(path.join(dir, f));
    const t = performance.now();
    const r = await pool.run('evidence', b);
    const ms = performance.now() - t;
    const decodable = await sharp(b, { failOn: 'error' }).raw().toBuffer().then(() => 'decodes', () => 'refused');
    const sn = sniffFormat(b);
    console.log(f, b.length, r.ok ? 'ok' : r.failure, ms.toFixed(0), decodable, sn.kind === 'supported' ? sn.format : sn.kind, fs.readFileSync(path.join(dir, f + '.txt'), 'utf8').slice(40, 110).trim());
  }
}
await pool.close();
