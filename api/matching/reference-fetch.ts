import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { AppError } from '../errors.ts';

/** Addresses a reference URL may never reach unless the operator allows it: loopback, private, link-local… */
const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['::ffff:0:0', 96],
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv6');

export interface ReferenceFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Let URLs reach private and loopback addresses (tests, closed deployments). */
  allowPrivate: boolean;
}

/**
 * Fetches the asset behind a `referenceUrl` of POST /matches/byReference. The address is checked in the
 * socket's own DNS lookup, so a name cannot resolve to a public address for a check and a private one for
 * the connection; redirects are not followed; the body is cut at `maxBytes`.
 */
export async function fetchReference(url: string, options: ReferenceFetchOptions): Promise<Buffer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('validation_failed', 'referenceUrl is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new AppError('validation_failed', 'referenceUrl must be http or https');
  // A literal address never goes through `lookup`: check it here.
  const literal = parsed.hostname.replace(/^\[|\]$/g, '');
  const family = net.isIP(literal);
  if (family && !options.allowPrivate && BLOCKED.check(literal, family === 6 ? 'ipv6' : 'ipv4')) {
    throw new AppError('validation_failed', 'referenceUrl points at a private or loopback address');
  }
  const lookup: net.LookupFunction = (hostname, lookupOptions, callback) => {
    dns.lookup(hostname, { ...lookupOptions, all: false }, (err, address, family) => {
      if (err) return callback(err, '', 0);
      if (!options.allowPrivate && BLOCKED.check(address as string, family === 6 ? 'ipv6' : 'ipv4')) {
        return callback(new AppError('validation_failed', 'referenceUrl points at a private or loopback address'), '', 0);
      }
      callback(null, address as string, family as number);
    });
  };
  const client = parsed.protocol === 'https:' ? https : http;
  return new Promise<Buffer>((resolve, reject) => {
    const req = client.get(parsed, { lookup, timeout: options.timeoutMs, headers: { accept: 'image/*' } }, (res) => {
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
        res.resume();
        return reject(new AppError('bad_request', `referenceUrl answered HTTP ${res.statusCode} (redirects are not followed)`));
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > options.maxBytes) {
        res.destroy();
        return reject(new AppError('payload_too_large', `the asset at referenceUrl is larger than ${options.maxBytes} bytes`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          res.destroy();
          reject(new AppError('payload_too_large', `the asset at referenceUrl is larger than ${options.maxBytes} bytes`));
        } else chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new AppError('bad_request', 'referenceUrl did not answer in time')));
    req.on('error', (err) =>
      reject(err instanceof AppError ? err : new AppError('bad_request', `referenceUrl could not be fetched: ${err.message}`)),
    );
  });
}
