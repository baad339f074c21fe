import type { ImageFormat } from './types.ts';

export const ACCEPTED_FORMATS_TEXT = 'JPEG, PNG, WebP, AVIF, TIFF or GIF';

export type SniffResult = { kind: 'supported'; format: ImageFormat } | { kind: 'unsupported'; name: string } | { kind: 'unknown' };

const ascii = (bytes: Buffer, start: number, end: number) => bytes.subarray(start, end).toString('latin1');

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1', 'mif2']);

/** Identifies the container from its magic bytes, before any decoder sees the file. */
export function sniffFormat(bytes: Buffer): SniffResult {
  if (bytes.length < 12) return { kind: 'unknown' };
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { kind: 'supported', format: 'jpeg' };
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { kind: 'supported', format: 'png' };
  }
  const head6 = ascii(bytes, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return { kind: 'supported', format: 'gif' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { kind: 'supported', format: 'webp' };
  const head4 = bytes.subarray(0, 4).toString('hex');
  if (head4 === '49492a00' || head4 === '4d4d002a' || head4 === '49492b00' || head4 === '4d4d002b') {
    return { kind: 'supported', format: 'tiff' };
  }
  if (ascii(bytes, 4, 8) === 'ftyp') return sniffIsoBmff(bytes);
  if (ascii(bytes, 0, 5) === '%PDF-') return { kind: 'unsupported', name: 'PDF' };
  if (ascii(bytes, 0, 2) === 'BM') return { kind: 'unsupported', name: 'BMP' };
  if (ascii(bytes, 0, 4) === '8BPS') return { kind: 'unsupported', name: 'Photoshop PSD' };
  if (head4 === '00000100') return { kind: 'unsupported', name: 'ICO' };
  if ((bytes[0] === 0xff && bytes[1] === 0x0a) || ascii(bytes, 4, 8) === 'JXL ') return { kind: 'unsupported', name: 'JPEG XL' };
  if (looksLikeSvg(bytes)) return { kind: 'unsupported', name: 'SVG' };
  return { kind: 'unknown' };
}

function sniffIsoBmff(bytes: Buffer): SniffResult {
  const boxSize = bytes.readUInt32BE(0);
  const end = Math.min(bytes.length, Math.max(16, Math.min(boxSize, 256)));
  const brands: string[] = [ascii(bytes, 8, 12)];
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(bytes, offset, offset + 4));
  if (brands.includes('avif') || brands.includes('avis')) return { kind: 'supported', format: 'avif' };
  if (brands.some((b) => HEIF_BRANDS.has(b))) return { kind: 'unsupported', name: 'HEIC/HEIF' };
  return { kind: 'unsupported', name: `ISO media (${brands[0]!.trim() || 'unknown brand'})` };
}

function looksLikeSvg(bytes: Buffer): boolean {
  const head = bytes
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return head.startsWith('<') && (head.includes('<svg') || head.startsWith('<?xml'));
}
