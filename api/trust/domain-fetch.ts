import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors.ts';

/**
 * Fetches `https://<domain>/.well-known/aura.json` for domain linkage without letting an organisation point the
 * registry at anything else (SSRF): a DNS name only, every resolved address must be public unicast, the connection
 * goes to the address that was checked (no second lookup an attacker could answer differently), redirects only
 * within the same host, a size cap and one deadline over the whole exchange.
 */
export interface DomainFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Test-only (AURA_TEST_DOMAIN_LINK_LOOPBACK): plain http:// and loopback addresses are allowed. */
  allowLoopbackHttp: boolean;
  maxRedirects?: number;
}

export const WELL_KNOWN_PATH = '/.well-known/aura.json';

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/;

const refused = (reason: string, message: string) => new AppError('domain_refused', message, { reason });
const failed = (reason: string, message: string) => new AppError('domain_fetch_failed', message, { reason });

/** `example.org` (or, with the test-only setting, `localhost:8443`): lowercased, validated, never a URL or an IP literal. */
export function parseDomain(
  input: string,
  options: Pick<DomainFetchOptions, 'allowLoopbackHttp'>,
): { domain: string; hostname: string; port: number | undefined } {
  const domain = input.trim().toLowerCase().replace(/\.$/, '');
  const match = /^([^:]+)(?::(\d{1,5}))?$/.exec(domain);
  if (!match) throw refused('not_a_domain', 'give a domain name such as example.org (no scheme, path or credentials)');
  const hostname = match[1]!;
  const port = match[2] ? Number(match[2]) : undefined;
  if (ipaddr.isValid(hostname) || ipaddr.IPv6.isValid(hostname.replace(/^\[|\]$/g, ''))) {
    // Checked like a resolved address so the answer says why (a private or loopback address) when it is one.
    checkAddress(hostname.replace(/^\[|\]$/g, ''), options);
    throw refused('ip_literal', 'give a domain name, not an IP address');
  }
  if (!HOSTNAME.test(hostname)) throw refused('not_a_domain', `${hostname} is not a domain name`);
  if (port !== undefined && (!options.allowLoopbackHttp || port < 1 || port > 65535))
    throw refused('port', 'a domain is linked on the default https port only');
  return { domain, hostname, port };
}

/** Public unicast only; loopback too when the test-only setting allows it. */
export function checkAddress(address: string, options: Pick<DomainFetchOptions, 'allowLoopbackHttp'>): void {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    throw refused('address', `${address} is not an IP address`);
  }
  const range = parsed.range();
  if (range === 'unicast') return;
  if (range === 'loopback' && options.allowLoopbackHttp) return;
  throw refused(`${range}_address`, `the domain resolves to ${address}, a ${range} address: only public addresses are fetched`);
}

async function resolveChecked(hostname: string, options: DomainFetchOptions): Promise<{ address: string; family: number }> {
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await lookup(hostname, { all: true, verbatim: true });
  } catch (err) {
    throw failed('dns', `cannot resolve ${hostname} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!addresses.length) throw failed('dns', `${hostname} has no address`);
  for (const a of addresses) checkAddress(a.address, options);
  return addresses[0]!;
}

/** GETs the domain's aura.json; resolves to its bytes and the URL it was finally read from. */
export async function fetchWellKnown(domainInput: string, options: DomainFetchOptions): Promise<{ url: string; body: Buffer }> {
  const { domain, hostname } = parseDomain(domainInput, options);
  const scheme = options.allowLoopbackHttp ? 'http' : 'https';
  const deadline = Date.now() + options.timeoutMs;
  let url = new URL(`${scheme}://${domain}${WELL_KNOWN_PATH}`);
  for (let hop = 0; ; hop++) {
    const answer = await getOnce(url, hostname, options, deadline);
    if (answer.kind === 'body') return { url: url.toString(), body: answer.body };
    if (hop >= (options.maxRedirects ?? 2)) throw failed('too_many_redirects', 'too many redirects');
    let next: URL;
    try {
      next = new URL(answer.location, url);
    } catch {
      throw refused('redirect', 'the redirect target is not a URL');
    }
    if (next.protocol !== url.protocol || next.host !== url.host) {
      throw refused(
        'redirect_to_other_host',
        `the domain redirects to ${next.protocol}//${next.host}: only redirects within ${url.host} are followed`,
      );
    }
    url = next;
  }
}

type Answer = { kind: 'body'; body: Buffer } | { kind: 'redirect'; location: string };

async function getOnce(url: URL, hostname: string, options: DomainFetchOptions, deadline: number): Promise<Answer> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) throw failed('timeout', `no answer from ${url.host} within ${options.timeoutMs} ms`);
  const pinned = await withDeadline(resolveChecked(hostname, options), remaining, url, options);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<Answer>((resolve, reject) => {
    const req = transport.request(
      {
        method: 'GET',
        protocol: url.protocol,
        host: pinned.address,
        family: pinned.family,
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path: url.pathname + url.search,
        servername: hostname,
        headers: { host: url.host, accept: 'application/json', 'user-agent': 'aura-registry domain-linkage' },
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          return resolve({ kind: 'redirect', location: res.headers.location });
        }
        if (status !== 200) {
          res.resume();
          return reject(failed('http_status', `${url.toString()} answered ${status}`));
        }
        if (Number(res.headers['content-length'] ?? 0) > options.maxBytes) {
          req.destroy();
          return reject(failed('too_large', `the document is larger than ${options.maxBytes} bytes`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            req.destroy();
            reject(failed('too_large', `the document is larger than ${options.maxBytes} bytes`));
          } else chunks.push(chunk);
        });
        res.on('end', () => resolve({ kind: 'body', body: Buffer.concat(chunks) }));
        res.on('error', (err) => reject(failed('connection', err.message)));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(failed('timeout', `no complete answer from ${url.host} within ${options.timeoutMs} ms`));
    }, deadline - Date.now());
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err) => reject(failed('connection', `cannot fetch ${url.toString()}: ${err.message}`)));
    req.end();
  });
}

function withDeadline<T>(promise: Promise<T>, ms: number, url: URL, options: DomainFetchOptions): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(failed('timeout', `no answer from ${url.host} within ${options.timeoutMs} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
