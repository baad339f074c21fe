import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AppError } from '../../api/errors.ts';
import { loadConfig } from '../../api/config.ts';
import { Ingest } from '../../api/uploads/ingest.ts';
import { ParserPool } from '../../api/uploads/parser-pool.ts';
import { fingerprintImage } from '../../api/images/fingerprint.ts';
import { sniffFormat } from '../../api/images/formats.ts';
import { hammingDistance } from '../../api/images/pdq.ts';
import { readFixture } from '../helpers/server.ts';
import { painting, pngWithHeader } from './synthetic.ts';
import { HTTP_STATUS } from '../../api/http/problem.ts';

const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };

async function expectAppError(promise: Promise<unknown>, code: string, message?: RegExp): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe(code);
  expect(HTTP_STATUS[appError.code]).toBeGreaterThanOrEqual(400);
  expect(HTTP_STATUS[appError.code]).toBeLessThan(500);
  if (message) expect(appError.message).toMatch(message);
  return appError;
}

describe('decoding every accepted format', () => {
  let reference: Awaited<ReturnType<typeof fingerprintImage>>;
  beforeAll(async () => {
    reference = await fingerprintImage(await painting(600, 400).png().toBuffer(), limits);
  });

  it.each([
    ['jpeg', (s: Sharp) => s.jpeg({ quality: 85 })],
    ['webp', (s: Sharp) => s.webp({ quality: 85 })],
    ['avif', (s: Sharp) => s.avif({ quality: 70, effort: 0 })],
    ['tiff', (s: Sharp) => s.tiff()],
    ['gif', (s: Sharp) => s.gif({ effort: 1, colours: 128 })],
  ] as const)('%s decodes to the same picture as the PNG', async (format, encode) => {
    const bytes = await encode(painting(600, 400)).toBuffer();
    const fp = await fingerprintImage(bytes, limits);
    expect(fp.format).toBe(format);
    expect([fp.width, fp.height]).toEqual([600, 400]);
    expect(fp.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fp.pdqQuality).toBeGreaterThanOrEqual(50);
    expect(hammingDistance(fp.pdq, reference.pdq)).toBeLessThanOrEqual(format === 'gif' ? 24 : 12);
  });

  it('reads the first frame of an animated GIF', async () => {
    const frame1 = await painting(200, 150, 1).raw().toBuffer();
    const frame2 = await painting(200, 150, 3).raw().toBuffer();
    const animated = await sharp(Buffer.concat([frame1, frame2]), {
      raw: { width: 200, height: 300, channels: 3, pageHeight: 150 } as never,
    })
      .gif({ loop: 0 })
      .toBuffer();
    const fp = await fingerprintImage(animated, limits);
    expect([fp.width, fp.height]).toEqual([200, 150]);
    const first = await fingerprintImage(await painting(200, 150, 1).png().toBuffer(), limits);
    expect(hammingDistance(fp.pdq, first.pdq)).toBeLessThanOrEqual(24);
  });

  it('produces a WebP thumbnail inside 512 px without metadata, and the 8 dihedral variants', async () => {
    const bytes = await painting(1600, 900)
      .withMetadata({ exif: { IFD0: { Copyright: 'secret-owner' } } })
      .jpeg()
      .toBuffer();
    const fp = await fingerprintImage(bytes, limits, { thumbnail: true });
    const thumb = await sharp(fp.thumbnail).metadata();
    expect(thumb.format).toBe('webp');
    expect(Math.max(thumb.width!, thumb.height!)).toBe(512);
    expect(thumb.exif).toBeUndefined();
    expect(thumb.icc).toBeUndefined();
    expect(fp.thumbnail.includes(Buffer.from('secret-owner'))).toBe(false);
    expect(fp.variants.map((v) => v.label)).toEqual(['global', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flip-plus1', 'flip-minus1']);
    expect(fp.variants[0]!.hash).toBe(fp.pdq);
    const anchors = ['l', 'r', 't', 'b', 'tl', 'tr', 'bl', 'br'];
    expect(fp.regions.map((r) => r.label)).toEqual([
      ...['crop-96', 'crop-92', 'crop-88', 'crop-85', 'crop-81', 'crop-78', 'crop-75', 'crop-72', 'crop-69'],
      ...anchors.map((a) => `edge-${a}85`),
      // A landscape picture keeps its left and right parts.
      'part-l62',
      'part-r62',
      ...[97, 94, 91, 88].flatMap((s) => anchors.map((a) => `view-${a}${s}`)),
      ...[88, 78].flatMap((s) => ['l', 'r', 't', 'b'].map((a) => `shift-${a}${s}`)),
      ...[2, 3, 4, 5].flatMap((d) => [`fitted-cw${d}`, `fitted-ccw${d}`]),
      'lightness',
      'lightness-clipped',
    ]);
  });

  it('encodes the thumbnail only when asked (verify and inspect never store one), with the same hashes', async () => {
    const bytes = await painting(800, 600, 4).jpeg().toBuffer();
    const withThumbnail = await fingerprintImage(bytes, limits, { thumbnail: true });
    const without = await fingerprintImage(bytes, limits);
    expect(without).not.toHaveProperty('thumbnail');
    expect(withThumbnail.thumbnail.length).toBeGreaterThan(0);
    const { thumbnail: _, ...hashes } = withThumbnail;
    expect(without).toEqual(hashes);
  });

  it('computes SHA-256 over the exact bytes', async () => {
    const bytes = await painting(64, 64).png().toBuffer();
    const { createHash } = await import('node:crypto');
    expect((await fingerprintImage(bytes, limits)).sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});

describe('EXIF orientation', () => {
  it('camera/orientation f1t..f8t all hash alike after orientation', async () => {
    const hashes: string[] = [];
    for (let n = 1; n <= 8; n++) {
      const fp = await fingerprintImage(readFixture(`camera/orientation/f${n}t.jpg`), limits);
      hashes.push(fp.pdq);
    }
    for (let n = 1; n < 8; n++) expect(hammingDistance(hashes[n]!, hashes[0]!), `f${n + 1}t`).toBeLessThanOrEqual(20);
  });

  it('reports oriented dimensions', async () => {
    const upright = await painting(300, 200).jpeg().toBuffer();
    const rotated = await sharp(upright).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const fp = await fingerprintImage(rotated, limits);
    expect([fp.width, fp.height]).toEqual([200, 300]);
  });
});

describe('refusing bad input with clear 4xx errors', () => {
  it('refuses a file over the byte limit before decoding', async () => {
    const bytes = await painting(300, 200).png().toBuffer();
    await expectAppError(fingerprintImage(bytes, { maxBytes: 1000, maxPixels: 1e8 }), 'image_too_large', /limit/);
  });

  it('refuses a decompression bomb from its header alone', async () => {
    const bomb = pngWithHeader(100_000, 100_000);
    expect(bomb.length).toBeLessThan(2000);
    const started = performance.now();
    const error = await expectAppError(fingerprintImage(bomb, limits), 'too_many_pixels', /100000×100000/);
    expect(error.details).toMatchObject({ width: 100_000, height: 100_000 });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses more pixels than the configured limit', async () => {
    const bytes = await painting(300, 200).png().toBuffer();
    await expectAppError(fingerprintImage(bytes, { maxBytes: 1e7, maxPixels: 50_000 }), 'too_many_pixels');
  });

  it('refuses HEIC, SVG, PDF and unknown data as unsupported, naming what is accepted', async () => {
    await expectAppError(
      fingerprintImage(readFixture('bad/heic-single.heic'), limits),
      'unsupported_media_type',
      /HEIC.*JPEG, PNG, WebP, AVIF, TIFF or GIF/,
    );
    const svg = Buffer.from(
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    await expectAppError(fingerprintImage(svg, limits), 'unsupported_media_type', /SVG/);
    await expectAppError(fingerprintImage(Buffer.from('%PDF-1.7\n% fake pdf body here'), limits), 'unsupported_media_type', /PDF/);
    await expectAppError(
      fingerprintImage(Buffer.from('hello, this is plain text and not an image'), limits),
      'unsupported_media_type',
      /not a recognised image/,
    );
    await expectAppError(fingerprintImage(Buffer.alloc(0), limits), 'image_unreadable', /empty/);
  });

  it('refuses truncated and corrupt files as unreadable', async () => {
    const jpeg = await painting(400, 300).jpeg().toBuffer();
    await expectAppError(fingerprintImage(jpeg.subarray(0, 200), limits), 'image_unreadable', /JPEG/);
    const png = await painting(400, 300).png().toBuffer();
    const corrupt = Buffer.from(png);
    corrupt.fill(0x55, 60, 400);
    await expectAppError(fingerprintImage(corrupt, limits), 'image_unreadable', /PNG/);
    await expectAppError(
      fingerprintImage(Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8 '), Buffer.alloc(50)]), limits),
      'image_unreadable',
    );
  });

  it('every file in bad/ gives a 4xx AppError or a result, never anything else', async () => {
    const parsers = new ParserPool(loadConfig({}).parserPool);
    const ingest = new Ingest(parsers, limits);
    onTestFinished(() => parsers.close());
    for (const name of [
      'RangeError_Invalid_typed_array_length.jpg',
      'RangeError_Offset_outside_bounds.jpg',
      'broken1.jpg',
      'heic-single.heic',
      'invalid-iCCP-missing-adler32-checksum.png',
      'issue-exifr-41-Error_Segment_Unreachable.jpg',
    ]) {
      const outcome: unknown = await ingest
        .analyze(readFixture(`bad/${name}`), { thumbnail: false, metadata: 'best-effort' })
        .catch((e: unknown) => e);
      if (outcome instanceof Error) {
        expect(outcome, name).toBeInstanceOf(AppError);
        expect(HTTP_STATUS[(outcome as AppError).code], name).toBeLessThan(500);
      } else {
        const result = outcome as Awaited<ReturnType<typeof ingest.analyze>>;
        expect(result.fingerprint.pdq, name).toMatch(/^[0-9a-f]{64}$/);
        expect(result.evidence.public.aiMarkers, name).toBeInstanceOf(Array);
      }
    }
  });
});

describe('sniffing containers', () => {
  it('tells AVIF from HEIC by brand', () => {
    const ftyp = (major: string, ...compatible: string[]) =>
      Buffer.concat([
        Buffer.from([0, 0, 0, 16 + 4 * compatible.length]),
        Buffer.from(`ftyp${major}\0\0\0\0${compatible.join('')}`, 'latin1'),
        Buffer.alloc(16),
      ]);
    expect(sniffFormat(ftyp('avif', 'mif1', 'miaf'))).toEqual({ kind: 'supported', format: 'avif' });
    expect(sniffFormat(ftyp('mif1', 'avif'))).toEqual({ kind: 'supported', format: 'avif' });
    expect(sniffFormat(ftyp('heic', 'mif1'))).toEqual({ kind: 'unsupported', name: 'HEIC/HEIF' });
    expect(sniffFormat(ftyp('isom', 'mp41')).kind).toBe('unsupported');
  });
});
