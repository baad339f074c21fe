import { inflateSync } from 'node:zlib';

export interface PngTextChunk {
  type: 'tEXt' | 'zTXt' | 'iTXt';
  keyword: string;
  text: string;
  compressed: boolean;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Cap on the inflated size of one text chunk: a zip bomb in a zTXt must not exhaust memory. */
export const MAX_INFLATED_TEXT_BYTES = 4 * 1024 * 1024;
const MAX_TEXT_CHUNKS = 256;

/**
 * Walks the PNG chunk list and returns its text chunks, inflating compressed ones (exifr skips those).
 * Stops quietly at the first structural problem: broken files just yield fewer chunks.
 */
export function readPngTextChunks(bytes: Buffer): PngTextChunk[] {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(SIGNATURE)) return [];
  const chunks: PngTextChunk[] = [];
  let offset = 8;
  while (offset + 12 <= bytes.length && chunks.length < MAX_TEXT_CHUNKS) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const start = offset + 8;
    const end = start + length;
    if (end + 4 > bytes.length) break;
    if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt') {
      const parsed = parseTextChunk(type, bytes.subarray(start, end));
      if (parsed) chunks.push(parsed);
    }
    if (type === 'IEND') break;
    offset = end + 4;
  }
  return chunks;
}

function parseTextChunk(type: PngTextChunk['type'], data: Buffer): PngTextChunk | undefined {
  const keywordEnd = data.indexOf(0);
  if (keywordEnd < 1 || keywordEnd > 79) return undefined;
  const keyword = data.toString('latin1', 0, keywordEnd);
  try {
    if (type === 'tEXt') {
      return { type, keyword, text: data.toString('latin1', keywordEnd + 1), compressed: false };
    }
    if (type === 'zTXt') {
      // keyword \0 method(0) deflate-stream
      return { type, keyword, text: inflate(data.subarray(keywordEnd + 2)).toString('latin1'), compressed: true };
    }
    // iTXt: keyword \0 flag method language \0 translated-keyword \0 text (UTF-8)
    const compressed = data[keywordEnd + 1] === 1;
    const languageEnd = data.indexOf(0, keywordEnd + 3);
    if (languageEnd < 0) return undefined;
    const translatedEnd = data.indexOf(0, languageEnd + 1);
    if (translatedEnd < 0) return undefined;
    const body = data.subarray(translatedEnd + 1);
    return { type, keyword, text: (compressed ? inflate(body) : body).toString('utf8'), compressed };
  } catch {
    return undefined;
  }
}

/** Inflates within the cap; a chunk that is corrupt or too large keeps its keyword with empty text. */
function inflate(data: Buffer): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: MAX_INFLATED_TEXT_BYTES });
  } catch {
    return Buffer.alloc(0);
  }
}
