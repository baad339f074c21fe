import { imageSize } from 'image-size';

/** What image-size reads from a header: the container type, the stored size and EXIF orientation. */
export interface ImageHeader {
  type: string | undefined;
  width: number | undefined;
  height: number | undefined;
  orientation: number | undefined;
}

/** The header, parsed in JavaScript on this thread; undefined when it cannot be read. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  try {
    const header = imageSize(bytes);
    return { type: header.type, width: header.width, height: header.height, orientation: header.orientation };
  } catch {
    return undefined;
  }
}
