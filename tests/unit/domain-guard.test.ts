import { describe, expect, it } from 'vitest';
import { checkAddress, parseDomain } from '../../api/trust/domain-fetch.ts';

const strict = { allowLoopbackHttp: false };
const reasonOf = (fn: () => unknown) => {
  try {
    fn();
    return 'allowed';
  } catch (err) {
    return (err as { details?: { reason?: string } }).details?.reason;
  }
};

describe('domain linkage guards (SSRF)', () => {
  it('allows only public unicast addresses, unwrapping IPv4-mapped IPv6', () => {
    expect(reasonOf(() => checkAddress('93.184.216.34', strict))).toBe('allowed');
    expect(reasonOf(() => checkAddress('2606:4700::1111', strict))).toBe('allowed');
    const refused: Array<[string, string]> = [
      ['10.0.0.1', 'private_address'],
      ['172.16.5.4', 'private_address'],
      ['192.168.0.1', 'private_address'],
      ['127.0.0.1', 'loopback_address'],
      ['::1', 'loopback_address'],
      ['169.254.169.254', 'linkLocal_address'],
      ['fe80::1', 'linkLocal_address'],
      ['fd00::1', 'uniqueLocal_address'],
      ['100.64.0.1', 'carrierGradeNat_address'],
      ['0.0.0.0', 'unspecified_address'],
      ['224.0.0.1', 'multicast_address'],
      ['::ffff:10.0.0.1', 'private_address'],
      ['::ffff:127.0.0.1', 'loopback_address'],
      ['64:ff9b::a00:1', 'rfc6052_address'],
    ];
    for (const [address, reason] of refused)
      expect(
        reasonOf(() => checkAddress(address, strict)),
        address,
      ).toBe(reason);
  });

  it('lets the test-only setting open loopback, and nothing else', () => {
    const test = { allowLoopbackHttp: true };
    expect(reasonOf(() => checkAddress('127.0.0.1', test))).toBe('allowed');
    expect(reasonOf(() => checkAddress('::1', test))).toBe('allowed');
    expect(reasonOf(() => checkAddress('10.0.0.1', test))).toBe('private_address');
    expect(reasonOf(() => checkAddress('169.254.169.254', test))).toBe('linkLocal_address');
  });

  it('takes a bare domain name only', () => {
    expect(parseDomain(' Harbour-Gallery.Example. ', strict)).toEqual({
      domain: 'harbour-gallery.example',
      hostname: 'harbour-gallery.example',
      port: undefined,
    });
    for (const input of ['https://example.org', 'example.org/x', 'user@example.org', 'exa mple.org', '-bad.example', 'a..b', '']) {
      expect(
        reasonOf(() => parseDomain(input, strict)),
        input,
      ).toBe('not_a_domain');
    }
    expect(reasonOf(() => parseDomain('example.org:8443', strict))).toBe('port');
    expect(parseDomain('localhost:8443', { allowLoopbackHttp: true }).port).toBe(8443);
    expect(reasonOf(() => parseDomain('8.8.8.8', strict))).toBe('ip_literal');
    expect(reasonOf(() => parseDomain('10.1.1.1', strict))).toBe('private_address');
  });
});
