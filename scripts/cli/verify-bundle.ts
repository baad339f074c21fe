import fs from 'node:fs';
import { verifyBundle, BundleVerificationError } from '../../api/bundle/verify.ts';
import { fingerprintImage } from '../../api/images/fingerprint.ts';
import { hammingDistance } from '../../api/images/pdq.ts';

const MATCH_DISTANCE = 31;

/** `aura verify-bundle bundle.json [image]`: no network; prints each step with a mark; 0 only when all pass, 2 when a file is missing. */
export async function runVerifyBundle(bundlePath: string, imagePath: string | undefined, print: (line: string) => void): Promise<number> {
  for (const file of [bundlePath, imagePath]) {
    if (file !== undefined && !fs.existsSync(file)) {
      print(`error: no such file: ${file}`);
      return 2;
    }
  }
  let input: unknown;
  try {
    input = JSON.parse(fs.readFileSync(bundlePath, 'utf8'));
  } catch (err) {
    print(`✗ bundle: cannot read ${bundlePath}: ${(err as Error).message}`);
    return 1;
  }
  const image = imagePath ? fs.readFileSync(imagePath) : undefined;
  const results = await verifyBundle(input, {
    ...(process.env.AURA_TRUSTED_VKEY ? { trustedVkey: process.env.AURA_TRUSTED_VKEY } : {}),
    ...(image ? { checkImage: (subject) => compareImage(image, subject) } : {}),
  });
  for (const r of results) print(`${r.ok ? '✓' : '✗'} ${r.step}: ${r.detail}${r.code ? ` [${r.code}]` : ''}`);
  const ok = results.every((r) => r.ok);
  print(ok ? 'bundle verified' : 'bundle NOT verified');
  return ok ? 0 : 1;
}

async function compareImage(image: Buffer, subject: { sha256: string; pdq: string }): Promise<string> {
  const fp = await fingerprintImage(image, { maxBytes: 200 * 1024 * 1024, maxPixels: 500_000_000 });
  if (fp.sha256 === subject.sha256) return 'the image is the registered file (SHA-256 identical)';
  const hashes = [...fp.variants, ...fp.regions];
  const best = Math.min(...hashes.map((h) => hammingDistance(h.hash, subject.pdq)));
  if (best <= MATCH_DISTANCE) return `perceptual match: PDQ distance ${best}/256 (not the same file)`;
  throw new BundleVerificationError('image_mismatch', `the image does not match the registered work (best PDQ distance ${best})`);
}
