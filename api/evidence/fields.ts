import type { MetadataGroups, PrivateEvidence, PublicEvidence } from './types.ts';

const MAX_FIELD_LENGTH = 200;

/** Cleans a metadata value for display: strings only, no control characters, bounded length. */
export function cleanText(value: unknown, max = MAX_FIELD_LENGTH): string | undefined {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number') text = String(value);
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  else if (Array.isArray(value))
    text = value
      .map((v) => cleanText(v, max))
      .filter(Boolean)
      .join('; ');
  else if (value && typeof value === 'object' && 'value' in value) text = cleanText((value as { value: unknown }).value, max);
  if (text === undefined) return undefined;
  text = repairMojibake(text);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips
  text = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  if (!text) return undefined;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** IPTC and EXIF strings are often UTF-8 read as Latin-1 ("Ã³"): decode them again when that is clearly the case. */
export function repairMojibake(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000–U+00FF is the Latin-1 range the mojibake test needs
  if (!/[\u00c2-\u00f4][\u0080-\u00bf]/.test(text) || /[^\u0000-\u00ff]/.test(text)) return text;
  const redecoded = Buffer.from(text, 'latin1').toString('utf8');
  return redecoded.includes('\ufffd') ? text : redecoded;
}

function pick(groups: MetadataGroups, candidates: [group: string, key: string][]): string | undefined {
  for (const [group, key] of candidates) {
    const value = cleanText(groups[group]?.[key]);
    if (value) return value;
  }
  return undefined;
}

const XMP_BASIC = ['xmp', 'xap'];

/** Public facts: camera, software, dates, creator and rights, declared digital source type. */
export function publicFields(groups: MetadataGroups): Omit<PublicEvidence, 'aiMarkers' | 'c2pa'> {
  const make = pick(groups, [
    ['ifd0', 'Make'],
    ['ihdr', 'Make'],
    ['tiff', 'Make'],
  ]);
  const model = pick(groups, [
    ['ifd0', 'Model'],
    ['ihdr', 'Model'],
    ['tiff', 'Model'],
  ]);
  const lens = pick(groups, [
    ['exif', 'LensModel'],
    ['aux', 'Lens'],
    ['exifEX', 'LensModel'],
  ]);
  const software = pick(groups, [
    ['ifd0', 'Software'],
    ...XMP_BASIC.map((g) => [g, 'CreatorTool'] as [string, string]),
    ['ihdr', 'Software'],
  ]);
  const created = pick(groups, [
    ['exif', 'DateTimeOriginal'],
    ['exif', 'CreateDate'],
    ...XMP_BASIC.map((g) => [g, 'CreateDate'] as [string, string]),
    ['photoshop', 'DateCreated'],
    ['iptc', 'DateCreated'],
    ['ihdr', 'create-date'],
    ['ihdr', 'Creation Time'],
  ]);
  const creator = pick(groups, [
    ['iptc', 'Byline'],
    ['dc', 'creator'],
    ['ifd0', 'Artist'],
    ['ihdr', 'Author'],
  ]);
  const rights = pick(groups, [
    ['ifd0', 'Copyright'],
    ['dc', 'rights'],
    ['iptc', 'CopyrightNotice'],
    ['ihdr', 'Copyright'],
  ]);
  const digitalSourceType = pick(groups, [['Iptc4xmpExt', 'DigitalSourceType']]);
  return {
    ...(make || model || lens ? { camera: { ...(make ? { make } : {}), ...(model ? { model } : {}), ...(lens ? { lens } : {}) } } : {}),
    ...(software ? { software } : {}),
    ...(created ? { created } : {}),
    ...(creator ? { creator } : {}),
    ...(rights ? { rights } : {}),
    ...(digitalSourceType ? { digitalSourceType } : {}),
  };
}

/** Location, serial numbers and owner names: kept as evidence, never shown. */
export function privateFields(groups: MetadataGroups): PrivateEvidence {
  const result: PrivateEvidence = {};
  const gps = groups.gps;
  const latitude = toNumber(gps?.latitude);
  const longitude = toNumber(gps?.longitude);
  if (latitude !== undefined && longitude !== undefined && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) {
    const altitude = toNumber(gps?.GPSAltitude);
    const belowSeaLevel = gps?.GPSAltitudeRef === 1 || (gps?.GPSAltitudeRef instanceof Uint8Array && gps.GPSAltitudeRef[0] === 1);
    result.gps = { latitude, longitude, ...(altitude !== undefined ? { altitude: belowSeaLevel ? -altitude : altitude } : {}) };
  }
  const serials = new Set<string>();
  let owner: string | undefined;
  for (const group of Object.values(groups)) {
    for (const [key, value] of Object.entries(group)) {
      if (/SerialNumber$/i.test(key)) {
        const serial = cleanText(value, 100);
        if (serial) serials.add(serial);
      } else if (/^(Camera)?OwnerName$/i.test(key)) {
        owner ??= cleanText(value, 100);
      }
    }
  }
  if (serials.size) result.serialNumbers = [...serials];
  if (owner) result.ownerName = owner;
  return result;
}

function toNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** EXIF UserComment: an 8-byte character-code prefix, then ASCII, UTF-16 (either byte order) or JIS text. */
export function decodeUserComment(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!(value instanceof Uint8Array) || value.length < 8) return undefined;
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.length);
  const code = bytes.toString('latin1', 0, 8).replace(/\0+$/, '').trim().toUpperCase();
  const body = bytes.subarray(8);
  if (code === 'UNICODE') {
    const even = body.subarray(0, body.length - (body.length % 2));
    const le = even.toString('utf16le');
    const be = Buffer.from(even).swap16().toString('utf16le');
    return printableShare(le) >= printableShare(be) ? le.replace(/\0+$/, '') : be.replace(/\0+$/, '');
  }
  return body.toString(code === 'ASCII' || code === '' ? 'latin1' : 'utf8').replace(/\0+$/, '');
}

function printableShare(text: string): number {
  if (!text.length) return 0;
  let printable = 0;
  for (const ch of text) if (/[\x20-\x7e\n\r\t]/.test(ch)) printable++;
  return printable / text.length;
}
