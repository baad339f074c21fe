import fs from 'node:fs';
import { verifyBundle } from '../../api/bundle/verify.ts';
import { fingerprintImage } from '../../api/images/fingerprint.ts';
import { hammingDistance } from '../../api/images/pdq.ts';
import { publicJwkSchema, type PublicJwk } from '../../api/identity/jwk.ts';
import { sniffFormat } from '../../api/images/formats.ts';
import { integrityFailures, readContentCredentials } from '../../api/content-credentials/read.ts';
import { VerificationError } from '../../api/log/verify/errors.ts';

const MATCH_DISTANCE = 31;

/**
 * `aura verify-bundle bundle.json [image] [--trust key]…`, or `aura verify-bundle credentialed-image`: no network;
 * prints each step with a mark; 0 only when all pass, 2 when a file is missing. An image with Aura Content
 * Credentials carries its bundle in the `com.aura.registration` assertion, checked against the image's own pixels.
 * Each `--trust` is an operator public key the viewer trusts: a JWK or JWKS, inline or in a file.
 */
export async function runVerifyBundle(
  bundlePath: string,
  imagePath: string | undefined,
  print: (line: string) => void,
  options: { trust?: string[] } = {},
): Promise<number> {
  for (const file of [bundlePath, imagePath]) {
    if (file !== undefined && !fs.existsSync(file)) {
      print(`error: no such file: ${file}`);
      return 2;
    }
  }
  let trustedOperatorKeys: PublicJwk[] | undefined;
  try {
    trustedOperatorKeys = options.trust?.length ? options.trust.flatMap(readTrustedKeys) : undefined;
  } catch (err) {
    print(`✗ trust list: ${(err as Error).message}`);
    return 2;
  }
  let raw: Buffer;
  try {
    raw = fs.readFileSync(bundlePath);
  } catch (err) {
    print(`✗ bundle: cannot read ${bundlePath}: ${(err as Error).message}`);
    return 1;
  }
  let input: unknown;
  let image: Buffer | undefined = imagePath ? fs.readFileSync(imagePath) : undefined;
  if (sniffFormat(raw).kind === 'supported') {
    const embedded = await embeddedBundle(raw, print);
    if (!embedded) {
      print('bundle NOT verified');
      return 1;
    }
    input = embedded;
    image ??= raw;
  } else {
    try {
      input = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      print(`✗ bundle: cannot read ${bundlePath}: ${(err as Error).message}`);
      return 1;
    }
  }
  const results = await verifyBundle(input, {
    ...(process.env.AURA_TRUSTED_VKEY ? { trustedVkey: process.env.AURA_TRUSTED_VKEY } : {}),
    ...(trustedOperatorKeys ? { trustedOperatorKeys } : {}),
    ...(image ? { checkImage: (subject) => compareImage(image, subject) } : {}),
  });
  for (const r of results) print(`${r.ok ? '✓' : '✗'} ${r.step}: ${r.detail}${r.code ? ` [${r.code}]` : ''}`);
  const ok = results.every((r) => r.ok);
  print(ok ? 'bundle verified' : 'bundle NOT verified');
  return ok ? 0 : 1;
}

/** A `--trust` value: a file or inline JSON holding an Ed25519 public JWK, or a JWKS (each Ed25519 key in it). */
export function readTrustedKeys(value: string): PublicJwk[] {
  const text = value.trim().startsWith('{') ? value : fs.existsSync(value) ? fs.readFileSync(value, 'utf8') : undefined;
  if (text === undefined) throw new Error(`${value} is neither a key file nor a JWK`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${value.length > 60 ? 'the key' : value} is not JSON (give an Ed25519 public JWK or a JWKS)`);
  }
  const candidates = Array.isArray((json as { keys?: unknown }).keys) ? (json as { keys: unknown[] }).keys : [json];
  const keys = candidates.flatMap((k) => {
    const parsed = publicJwkSchema.safeParse(k);
    return parsed.success ? [parsed.data] : [];
  });
  if (!keys.length) throw new Error(`${value.length > 60 ? 'the key' : value} holds no Ed25519 public key`);
  return keys;
}

/** The proof bundle inside Aura's assertion, once c2pa-rs has checked the manifest is intact. */
async function embeddedBundle(file: Buffer, print: (line: string) => void): Promise<unknown> {
  const credentials = await readContentCredentials(file);
  const aura = credentials.activeManifest?.aura;
  if (!credentials.present || !aura) {
    print('✗ content credentials: the image carries no Aura manifest (no com.aura.registration assertion)');
    return undefined;
  }
  const broken = integrityFailures(credentials);
  if (broken.length > 0) {
    print(`✗ content credentials: the manifest does not validate: ${broken.map((f) => f.code).join(', ')}`);
    return undefined;
  }
  const bundleWorkId = (aura.bundle as { work?: { id?: unknown } } | null)?.work?.id;
  if (bundleWorkId !== aura.workId) {
    print(`✗ content credentials: the assertion names work ${aura.workId} but carries the bundle of ${String(bundleWorkId)}`);
    return undefined;
  }
  print(
    `✓ content credentials: manifest ${credentials.activeManifest!.label} intact (c2pa-rs: ${credentials.validationState}), Aura work ${aura.workId}`,
  );
  return aura.bundle;
}

async function compareImage(image: Buffer, subject: { sha256: string; pdq: string }): Promise<string> {
  const fp = await fingerprintImage(image, { maxBytes: 200 * 1024 * 1024, maxPixels: 500_000_000 });
  if (fp.sha256 === subject.sha256) return 'the image is the registered file (SHA-256 identical)';
  const hashes = [...fp.variants, ...fp.regions];
  const best = Math.min(...hashes.map((h) => hammingDistance(h.hash, subject.pdq)));
  if (best <= MATCH_DISTANCE) return `perceptual match: PDQ distance ${best}/256 (not the same file)`;
  throw new VerificationError('image_mismatch', `the image does not match the registered work (best PDQ distance ${best})`);
}
