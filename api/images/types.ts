import type { GreyPlane } from './keypoints.ts';
import type { ToneLayout } from './tone-layout.ts';
import type { StructureHash } from './structure.ts';
import type { Window } from './regions.ts';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'tiff' | 'gif';

/** A labelled 256-bit PDQ hash (hex, 64 chars). */
export interface LabelledHash {
  /** What the hash is of: 'global', 'rot90', 'flipx' …, or a region such as 'crop-80'. */
  label: string;
  hash: string;
  quality: number;
}

export interface Fingerprint {
  /** SHA-256 of the exact uploaded bytes, hex. */
  sha256: string;
  /** PDQ of the whole (EXIF-oriented) image, hex. */
  pdq: string;
  pdqQuality: number;
  width: number;
  height: number;
  format: ImageFormat;
  /** The hashes of the 8 rotations and flips of the image, from the DCT (api/images/pdq.ts dihedralVariantsOfPlane); [0] is 'global'. */
  variants: LabelledHash[];
  /** Extra hashes of sub-windows (centred crops …) so cropped or padded copies still match. */
  regions: LabelledHash[];
  /** Mean chroma of a 4×4 grid (api/images/colour-layout.ts): tells colourways from copies. */
  colourLayout?: string | undefined;
  /**
   * The 512-px working copy's luma, flattened on white (api/images/keypoints.ts), kept in memory for the
   * local-feature check of near candidates; never stored, logged or sent.
   */
  working?: GreyPlane;
  /**
   * The colour of most of an opaque picture's border (api/images/alpha.ts copyBackground), in
   * memory only: what a copy of a transparent work was flattened on, so the work's colours are compared
   * as they look on it.
   */
  background?: readonly [number, number, number];
  /**
   * The windows of the working copy the region hashes were taken of, by label (api/images/regions.ts),
   * in memory only: close candidates are compared over the windows whose hashes matched.
   */
  windows?: Record<string, Window>;
  /** How light each cell of a 4×4 grid is (api/images/tone-layout.ts), in memory only: tells a greyscale copy from a grey colourway. */
  tones?: ToneLayout;
  /**
   * How light and dark lie across the picture (api/images/structure.ts), in the 8 orientations and,
   * when transparent, flattened on black: stored only for works whose PDQ hash is degenerate.
   */
  structure?: StructureHash[];
}

/** A fingerprint with its thumbnail: WebP, at most 512 px, no metadata (only registration stores one). */
export interface ThumbnailedFingerprint extends Fingerprint {
  thumbnail: Buffer;
}

/** Whether to encode the thumbnail (default no): ~4 ms of CPU per upload that verify and inspect have no use for. */
export interface FingerprintOptions {
  thumbnail: boolean;
}
