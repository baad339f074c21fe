/**
 * Writes the fuzzer's seed files to tests/fixtures/fuzz-seeds/ (see the README there):
 *   npx tsx scripts/fuzz/make-seeds.ts
 * Small images made with sharp carrying the metadata each parser reads, plus small real files from the
 * shared fixtures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { readFixture } from '../../tests/helpers/server.ts';
import { pngChunk } from '../../tests/helpers/png.ts';

const OUT = path.resolve(import.meta.dirname, '../../tests/fixtures/fuzz-seeds');
const XMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"/></rdf:RDF></x:xmpmeta>`;
const EXIF = { IFD0: { Make: 'Fuzz', Model: 'Seed', Software: 'sharp' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '1/1 2/1 3/1' } };

const tiny = () => sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 200, g: 80, b: 40 } } });

/** Inserts chunks right after IHDR. */
function withChunks(png: Buffer, chunks: Buffer[]): Buffer {
  const ihdrEnd = 8 + 8 + png.readUInt32BE(8) + 4;
  return Buffer.concat([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

/** Moves the APP11 (C2PA JUMBF) segments of a JPEG into another, small JPEG. */
function withApp11From(source: Buffer, target: Buffer): Buffer {
  const segments: Buffer[] = [];
  let at = 2;
  while (at + 4 <= source.length && source[at] === 0xff && source[at + 1] !== 0xda) {
    const length = source.readUInt16BE(at + 2);
    if (source[at + 1] === 0xeb) segments.push(source.subarray(at, at + 2 + length));
    at += 2 + length;
  }
  return Buffer.concat([target.subarray(0, 2), ...segments, target.subarray(2)]);
}

const seeds: Record<string, Buffer> = {
  'exif-xmp.jpg': await tiny().withExif(EXIF).withXmp(XMP).jpeg({ quality: 50 }).toBuffer(),
  'text-chunks.png': withChunks(await tiny().png().toBuffer(), [
    pngChunk('tEXt', Buffer.from('parameters\0a painting, steps: 20', 'latin1')),
    pngChunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync('compressed comment')])),
    pngChunk('iTXt', Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0', 'latin1'), Buffer.from(XMP)])),
  ]),
  'exif-xmp.webp': await tiny().withExif(EXIF).withXmp(XMP).webp({ quality: 50 }).toBuffer(),
  'tiny.gif': await tiny().gif().toBuffer(),
  'exif.tiff': await tiny().withExif(EXIF).tiff().toBuffer(),
  'exif.avif': await tiny().withExif(EXIF).avif({ quality: 30, effort: 0 }).toBuffer(),
  'c2pa-manifest.jpg': withApp11From(readFixture('c2pa/C.jpg'), await tiny().jpeg({ quality: 50 }).toBuffer()),
  'orientation-6.jpg': readFixture('camera/orientation/f6t.jpg'),
  'exif-gps.png': readFixture('camera/png_with_exif_and_gps.png'),
};

fs.mkdirSync(OUT, { recursive: true });
for (const [name, bytes] of Object.entries(seeds)) {
  fs.writeFileSync(path.join(OUT, name), bytes);
  console.log(`${name}: ${bytes.length} bytes`);
}
