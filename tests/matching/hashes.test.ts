import { describe, expect, it } from 'vitest';
import {
  flipBits,
  hammingDistanceHex,
  hashFromWords,
  hashSlots,
  hashWords,
  MAX_INDEXED_DISTANCE,
  slotProbes,
} from '../../api/matching/hashes.ts';
import { neighbour, randomHash, seededRandom } from './fixtures.ts';

describe('hash arithmetic', () => {
  it('splits a hash into 16 slots of 16 bits, most significant first', () => {
    const hash = `0001ffff8000${'0'.repeat(52)}`;
    const slots = hashSlots(hash);
    expect(slots).toHaveLength(16);
    expect(slots.slice(0, 4)).toEqual([0x0001, 0xffff, 0x8000, 0]);
  });

  it('probes a slot value and exactly its 16 one-bit neighbours', () => {
    const probes = slotProbes(0xa5a5);
    expect(new Set(probes).size).toBe(17);
    for (const p of probes) expect(hammingDistanceHex(p.toString(16).padStart(4, '0'), 'a5a5')).toBeLessThanOrEqual(1);
  });

  it('writes a hash as four signed 64-bit words and reads it back', () => {
    expect(hashWords(`8000000000000000${'0'.repeat(32)}ffffffffffffffff`)).toEqual(['-9223372036854775808', '0', '0', '-1']);
    expect(hashWords(`7fffffffffffffff${'0'.repeat(47)}1`)).toEqual(['9223372036854775807', '0', '0', '1']);
    const random = seededRandom(3);
    for (let trial = 0; trial < 200; trial++) {
      const hash = randomHash(random);
      expect(hashFromWords(hashWords(hash))).toBe(hash);
    }
  });

  it('counts differing bits', () => {
    const a = randomHash(seededRandom(1));
    expect(hammingDistanceHex(a, a)).toBe(0);
    expect(hammingDistanceHex('f'.repeat(64), '0'.repeat(64))).toBe(256);
    expect(hammingDistanceHex(a, flipBits(a, [0, 100, 255]))).toBe(3);
  });

  it('pigeonhole: every hash within 31 bits shares a slot within one bit', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 2000; trial++) {
      const a = randomHash(random);
      const distance = Math.floor(random() * (MAX_INDEXED_DISTANCE + 1));
      const b = neighbour(a, distance, random);
      expect(hammingDistanceHex(a, b)).toBe(distance);
      const sa = hashSlots(a);
      const sb = hashSlots(b);
      expect(sa.some((v, i) => slotProbes(v).includes(sb[i]!))).toBe(true);
    }
  });

  it('a hash 32 bits away may share no slot within one bit (the bound is tight)', () => {
    const a = '0'.repeat(64);
    const b = `${'3'.repeat(1)}000${Array.from({ length: 15 }, () => '3000').join('')}`;
    expect(hammingDistanceHex(a, b)).toBe(32);
    expect(hashSlots(a).some((v, i) => slotProbes(v).includes(hashSlots(b)[i]!))).toBe(false);
  });
});
