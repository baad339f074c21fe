import { parseMetadata } from '../media/exifr.ts';
import { embeddedExif } from '../media/sharp.ts';
import type { MetadataGroups } from './types.ts';

const FULL_OPTIONS = {
  tiff: true,
  ifd0: true,
  exif: true,
  gps: true,
  interop: false,
  ifd1: false,
  makerNote: false,
  userComment: true,
  xmp: true,
  iptc: true,
  icc: true,
  jfif: false,
  ihdr: true,
  multiSegment: true,
  mergeOutput: false,
  sanitize: true,
  reviveValues: true,
  translateKeys: true,
  translateValues: true,
} as const;

/** One segment at a time, used when the all-in-one parse trips over a broken segment. */
const SEGMENT_OPTIONS = [
  { tiff: true, ifd0: true, exif: true, gps: true, userComment: true, xmp: false, iptc: false, icc: false },
  { tiff: false, xmp: true, iptc: false, icc: false },
  { tiff: false, xmp: false, iptc: true, icc: false },
  { tiff: false, xmp: false, iptc: false, icc: true },
] as const;

/**
 * EXIF, XMP, IPTC and ICC through exifr. Never throws: a broken segment only loses that segment.
 * For WebP (not read by exifr) the EXIF block that sharp extracts is parsed instead.
 */
export async function readMetadataGroups(bytes: Buffer): Promise<MetadataGroups> {
  const source = (await webpExif(bytes)) ?? bytes;
  const full = await tryParse(source, FULL_OPTIONS);
  if (full) return full;
  const merged: MetadataGroups = {};
  for (const options of SEGMENT_OPTIONS) {
    const part = await tryParse(source, { ...FULL_OPTIONS, ...options });
    if (part) Object.assign(merged, part);
  }
  return merged;
}

async function tryParse(source: Buffer, options: object): Promise<MetadataGroups | undefined> {
  try {
    const output = await parseMetadata(source, options);
    if (!output || typeof output !== 'object') return {};
    const groups: MetadataGroups = {};
    for (const [key, value] of Object.entries(output)) {
      if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) {
        groups[key] = value as Record<string, unknown>;
      } else {
        groups[key] = { value };
      }
    }
    return groups;
  } catch {
    return undefined;
  }
}

async function webpExif(bytes: Buffer): Promise<Buffer | undefined> {
  if (bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WEBP') return undefined;
  try {
    const exif = await embeddedExif(bytes);
    if (!exif) return undefined;
    // sharp returns the block with its "Exif\0\0" prefix; exifr wants the TIFF structure.
    return exif.toString('latin1', 0, 6) === 'Exif\0\0' ? exif.subarray(6) : exif;
  } catch {
    return undefined;
  }
}

/**
 * XMP packets found in the bytes (JPEG APP1, PNG iTXt, WebP XMP chunk …), raw text. In a JPEG only the
 * segments before the scan data are searched: XMP lives in APP1 (XMP part 3), and the entropy-coded
 * image data, most of the file, cannot hold a packet.
 */
export function findXmpPackets(bytes: Buffer, extraTexts: string[] = []): string[] {
  const packets: string[] = [];
  // Searched as a view, so a JPEG without XMP costs a walk of its header, not a scan of the whole file.
  const searched = bytes.subarray(0, jpegHeaderLength(bytes) ?? bytes.length);
  let from = 0;
  while (packets.length < 8) {
    const start = searched.indexOf(XMP_OPEN, from);
    if (start < 0) break;
    const end = searched.indexOf(XMP_CLOSE, start);
    if (end < 0) break;
    packets.push(searched.toString('utf8', start, end + XMP_CLOSE.length));
    from = end + XMP_CLOSE.length;
  }
  for (const t of extraTexts) if (t.includes('<x:xmpmeta') || t.includes('<rdf:RDF')) packets.push(t);
  return packets;
}

/** Offset of a JPEG's first start-of-scan segment, or undefined when the bytes are not a walkable JPEG. */
export function jpegHeaderLength(bytes: Buffer): number | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xda) return at;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  return undefined;
}

const XMP_OPEN = Buffer.from('<x:xmpmeta', 'latin1');
const XMP_CLOSE = Buffer.from('</x:xmpmeta>', 'latin1');
