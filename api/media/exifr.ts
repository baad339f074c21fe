import exifr from 'exifr';

/**
 * exifr's parser (EXIF, XMP, IPTC, ICC, PNG ihdr). It parses attacker bytes: the server calls it only
 * inside the parser pool (api/uploads/parser-pool.ts), through api/evidence/read-evidence.ts.
 */
export function parseMetadata(source: Buffer, options: object): Promise<unknown> {
  return exifr.parse(source, options);
}
