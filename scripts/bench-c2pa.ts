/**
 * Cost of a credentialed download of a 12-MP JPEG, as a ratio to sharp's decode of the same file
 * (measured in the same run, alternating), and the size of the embedded manifest store.
 *
 *   npx tsx scripts/bench-c2pa.ts [iterations]
 *
 * "embed + sign" is c2pa-rs (WebAssembly) building, hashing and signing the manifest into the file;
 * "HTTP round trip" is POST /v1/works/:id/content-credentials on an in-process server (PGlite): upload,
 * SHA-256 check against the registered file, proof bundle, embed + sign, download.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '../api/config.ts';
import { startServer } from '../api/server.ts';
import { openDatabase } from '../db/open.ts';
import { AuraClient, generateIdentity } from './lib/aura-client.ts';
import { credentialImage } from '../api/content-credentials/manifest.ts';
import { loadOrCreateC2paCredentials } from '../api/content-credentials/signing-credentials.ts';
import { readContentCredentials } from '../api/content-credentials/read.ts';
import type { ProofBundle } from '../api/bundle/format.ts';

const iterations = Number(process.argv[2] ?? 10);

async function twelveMegapixelJpeg(): Promise<Buffer> {
  const noise = await sharp({
    create: { width: 4000, height: 3000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 18 } },
  })
    .png()
    .toBuffer();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><defs><linearGradient id="g"><stop offset="0" stop-color="#234"/><stop offset="1" stop-color="#dca"/></linearGradient></defs><rect width="400" height="300" fill="url(#g)"/><circle cx="200" cy="150" r="90" fill="#a53"/></svg>`;
  return sharp(Buffer.from(svg))
    .resize(4000, 3000)
    .composite([{ input: noise, blend: 'overlay' }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (f: () => Promise<unknown>) => {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aura-bench-c2pa-'));
const jpeg = await twelveMegapixelJpeg();
const config = loadConfig({
  NODE_ENV: 'production',
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  AURA_DATA_DIR: dataDir,
  AURA_RATE_LIMIT_REGISTER_PER_MINUTE: '100000',
});
const server = await startServer({ config, database: await openDatabase({ dataDir: 'memory://' }) });
const url = `http://127.0.0.1:${server.server.address() && (server.server.address() as { port: number }).port}`;
try {
  const client = new AuraClient(url);
  const me = await generateIdentity();
  await client.createAccount(me, { handle: 'bench', displayName: 'Bench Artist', kind: 'artist' });
  await client.signIn(me);
  const file = { bytes: jpeg, filename: 'bench.jpg', type: 'image/jpeg' };
  const { workId } = await client.registerWork(me, file, { title: 'Bench' });
  const bundle = (await client.request('GET', `/v1/works/${workId}/bundle`)) as ProofBundle;
  const credentials = await loadOrCreateC2paCredentials({ envCert: undefined, envKey: undefined, dataDir, commonName: 'bench' });
  const work = {
    id: workId,
    title: 'Bench',
    digitalSourceType: 'digitalCreation',
    pdq: '0'.repeat(64),
    registeredAt: new Date(),
    artist: { handle: 'bench', displayName: 'Bench Artist', kid: me.kid, keyAddedAt: new Date() },
    bundle,
  };
  const registry = { publicUrl: url, name: 'Aura', version: '0.1.0' };

  // Warm-up: wasm instantiation, sharp's thread pool, the HTTP route.
  await sharp(jpeg).raw().toBuffer();
  const warm = await credentialImage(jpeg, 'image/jpeg', work, registry, credentials, new Date());
  const http = await client.contentCredentials(workId, file);

  const decode: number[] = [];
  const sign: number[] = [];
  const round: number[] = [];
  const reading: number[] = [];
  const readingPlain: number[] = [];
  for (let i = 0; i < iterations; i++) {
    decode.push(await time(() => sharp(jpeg).raw().toBuffer()));
    sign.push(await time(() => credentialImage(jpeg, 'image/jpeg', work, registry, credentials, new Date())));
    round.push(await time(() => client.contentCredentials(workId, file)));
    reading.push(await time(() => readContentCredentials(http.bytes)));
    readingPlain.push(await time(() => readContentCredentials(jpeg)));
  }
  const read = await readContentCredentials(http.bytes);
  const d = median(decode);
  console.log(
    `12-MP JPEG: ${(jpeg.length / 1e6).toFixed(2)} MB, ${iterations} alternating rounds, median (Node ${process.version}, ${os.cpus().length} CPUs)`,
  );
  console.log(`  sharp decode (baseline)   ${d.toFixed(1)} ms`);
  console.log(`  embed + sign (c2pa-rs)    ${median(sign).toFixed(1)} ms   ratio ${(median(sign) / d).toFixed(2)}×`);
  console.log(`  HTTP round trip           ${median(round).toFixed(1)} ms   ratio ${(median(round) / d).toFixed(2)}×`);
  console.log(
    `  c2pa-rs read + validate  ${median(reading).toFixed(1)} ms   ratio ${(median(reading) / d).toFixed(2)}× (the same file without a manifest: ${median(readingPlain).toFixed(1)} ms)`,
  );
  console.log(
    `  manifest store            ${warm.manifestStore.length} bytes (of which the proof bundle ${JSON.stringify(bundle).length} bytes of JSON); file grew by ${http.bytes.length - jpeg.length} bytes`,
  );
  console.log(`  read back by c2pa-rs: ${read.validationState}, failures: ${read.failures.map((f) => f.code).join(', ')}`);
} finally {
  await server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
