import { crc32, deflateSync } from 'node:zlib';

/** Builders for hand-made PNG files in tests: chunks with correct CRCs, text chunks, headers that lie. */
export { crc32 };
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export const tEXt = (keyword: string, text: string) =>
  pngChunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]));

export const zTXt = (keyword: string, text: string | Buffer) =>
  pngChunk(
    'zTXt',
    Buffer.concat([
      Buffer.from(keyword, 'latin1'),
      Buffer.from([0, 0]),
      deflateSync(typeof text === 'string' ? Buffer.from(text, 'latin1') : text),
    ]),
  );

export const iTXt = (keyword: string, text: string, compressed: boolean) =>
  pngChunk(
    'iTXt',
    Buffer.concat([
      Buffer.from(keyword, 'latin1'),
      Buffer.from([0, compressed ? 1 : 0, 0]),
      Buffer.from('en\0', 'latin1'),
      Buffer.from('\0', 'latin1'),
      compressed ? deflateSync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8'),
    ]),
  );

export function ihdrChunk(width: number, height: number, bitDepth: number, colourType: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = bitDepth;
  data[9] = colourType;
  return pngChunk('IHDR', data);
}

/** Inserts chunks right after IHDR (where generators put them), keeping the PNG valid. */
export function withPngChunks(png: Buffer, ...chunks: Buffer[]): Buffer {
  const afterIhdr = 8 + 8 + 13 + 4;
  return Buffer.concat([png.subarray(0, afterIhdr), ...chunks, png.subarray(afterIhdr)]);
}
