import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as c2pa from '@contentauth/c2pa-wasm';

let initialised = false;

/**
 * c2pa-rs (the official C2PA implementation) built to WebAssembly. Loaded once, synchronously, on first use.
 * Its builder reads the source asset through the browser's `Blob` + `FileReaderSync`; Node has no
 * `FileReaderSync`, so assets are handed over as an in-memory {@link BytesBlob} and a reader of those
 * (the only kind it is ever given) is installed when it is missing.
 */
export function c2paWasm(): typeof c2pa {
  if (!initialised) {
    const require = createRequire(import.meta.url);
    c2pa.initSync({ module: fs.readFileSync(require.resolve('@contentauth/c2pa-wasm/c2pa.wasm')) });
    const g = globalThis as { FileReaderSync?: unknown };
    g.FileReaderSync ??= BytesReaderSync;
    initialised = true;
  }
  return c2pa;
}

/** The part of `Blob` c2pa-wasm uses (size, slice), over bytes already in memory. */
export class BytesBlob {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  slice(start?: number, end?: number): BytesBlob {
    return new BytesBlob(this.bytes.subarray(start, end));
  }
  /** Typed as a Blob for c2pa-wasm's signatures; it only calls size and slice. */
  asBlob(): Blob {
    return this as unknown as Blob;
  }
}

class BytesReaderSync {
  readAsArrayBuffer(blob: BytesBlob): ArrayBuffer {
    if (!(blob instanceof BytesBlob)) throw new TypeError('only in-memory assets are supported');
    return blob.bytes.slice().buffer as ArrayBuffer;
  }
}

/** The MIME types c2pa-rs embeds manifests in, for the image formats Aura registers. */
export const C2PA_FORMATS: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
