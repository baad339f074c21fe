/**
 * Pure helpers for 256-bit PDQ hashes written as 64 hex characters, and the multi-index hashing
 * arithmetic: 16 slots of 16 bits; a hash within distance 31 of another shares at least one slot
 * within 1 bit (pigeonhole: 16 slots each ≥ 2 bits apart would be ≥ 32 bits apart).
 */
export const HASH_BITS = 256;
export const SLOT_COUNT = 16;
export const SLOT_BITS = 16;
/** The registry's match threshold (docs/matching.md): PDQ Hamming distance ≤ 31. */
export const MAX_INDEXED_DISTANCE = SLOT_COUNT * 2 - 1;

export const HASH_HEX = /^[0-9a-f]{64}$/;

export function isHashHex(value: string): boolean {
  return HASH_HEX.test(value);
}

/** The 16 slot values (unsigned 16-bit) of a hash, most significant first. */
export function hashSlots(hex: string): number[] {
  const slots: number[] = [];
  for (let i = 0; i < SLOT_COUNT; i++) slots.push(parseInt(hex.slice(i * 4, i * 4 + 4), 16));
  return slots;
}

/** A slot value and its 16 one-bit neighbours: everything within Hamming distance 1. */
export function slotProbes(value: number): number[] {
  const probes = [value];
  for (let bit = 0; bit < SLOT_BITS; bit++) probes.push(value ^ (1 << bit));
  return probes;
}

const NIBBLE_BITS = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

export function hammingDistanceHex(a: string, b: string): number {
  if (a.length !== b.length) throw new Error('hashes of different lengths');
  let distance = 0;
  for (let i = 0; i < a.length; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      distance += NIBBLE_BITS[x & 15]!;
      x >>>= 4;
    }
  }
  return distance;
}

/** The same hash with the given bit positions (0 = most significant) inverted. */
export function flipBits(hex: string, positions: Iterable<number>): string {
  const bytes = Buffer.from(hex, 'hex');
  for (const p of positions) bytes[p >> 3]! ^= 0x80 >> (p & 7);
  return bytes.toString('hex');
}

/**
 * The hash as the match index stores it: four signed 64-bit words, most significant first, written in
 * decimal (PostgreSQL's bigint; a word whose top bit is set is negative).
 */
export function hashWords(hex: string): string[] {
  return [0, 1, 2, 3].map((w) => BigInt.asIntN(64, BigInt(`0x${hex.slice(w * 16, w * 16 + 16)}`)).toString());
}

/** The 64 hex characters of a hash stored as four signed 64-bit words. */
export function hashFromWords(words: readonly (string | bigint | number)[]): string {
  return words.map((w) => BigInt.asUintN(64, BigInt(w)).toString(16).padStart(16, '0')).join('');
}

/** The literal PostgreSQL reads as bit(256). */
export function toBitLiteral(hex: string): string {
  return `x${hex}`;
}
