import type { ContentCredentialsResult } from '../content-credentials/read.ts';
import { AppError } from '../errors.ts';
import type { Evidence } from '../evidence/types.ts';
import { acceptedFormat, checkHeader, decodeWorkingCopy, type DecodedImage } from '../images/decode.ts';
import { fingerprintDecoding } from '../images/fingerprint.ts';
import type { Fingerprint, FingerprintOptions, ImageLimits, ThumbnailedFingerprint } from '../images/types.ts';
import type { ImageHeader } from '../media/image-size.ts';
import type { ParseFailure, Parsers } from './parser-pool.ts';

/**
 * What an upload needs from its metadata: 'required' (registration screens it for AI markers, so an
 * unreadable file is refused with 422), 'best-effort' (verify, inspect: the evidence says why it is
 * missing) or 'none' (work-in-progress images: never parsed).
 */
export type MetadataNeed = 'required' | 'best-effort' | 'none';

/** An upload's fingerprint (api/images) with its metadata evidence (api/evidence). */
export interface AnalyzedImage<F extends Fingerprint = Fingerprint> {
  fingerprint: F;
  evidence: Evidence;
}

export interface IngestOptions extends FingerprintOptions {
  metadata: MetadataNeed;
}

/**
 * The one ingest path for uploaded images, the layer above api/images and api/evidence: sniff (size and
 * magic bytes, this thread) → header limits (parser pool) → decode (sharp, libuv pool) → fingerprint →
 * metadata evidence (parser pool). Nothing is handed to a metadata parser before the decoder has
 * accepted the file.
 */
export class Ingest {
  constructor(
    private readonly parsers: Parsers,
    private readonly limits: ImageLimits,
  ) {}

  async analyze(bytes: Buffer, options: IngestOptions & { thumbnail: true }): Promise<AnalyzedImage<ThumbnailedFingerprint>>;
  async analyze(bytes: Buffer, options: IngestOptions): Promise<AnalyzedImage>;
  async analyze(bytes: Buffer, options: IngestOptions): Promise<AnalyzedImage> {
    const fingerprint = await this.fingerprint(bytes, options);
    if (options.metadata === 'none') return { fingerprint, evidence: emptyEvidence() };
    return { fingerprint, evidence: await this.evidence(bytes, options.metadata) };
  }

  /** Fingerprint only (soft-binding lookups, work-in-progress images); the header is still read in the pool. */
  fingerprint(bytes: Buffer, options: FingerprintOptions & { thumbnail: true }): Promise<ThumbnailedFingerprint>;
  fingerprint(bytes: Buffer, options?: FingerprintOptions): Promise<Fingerprint>;
  fingerprint(bytes: Buffer, options: FingerprintOptions = { thumbnail: false }): Promise<Fingerprint> {
    return fingerprintDecoding(bytes, this.decode(bytes), options);
  }

  private async decode(bytes: Buffer): Promise<DecodedImage> {
    const format = acceptedFormat(bytes, this.limits);
    const size = checkHeader(format, await this.readHeader(bytes), this.limits);
    return decodeWorkingCopy(bytes, format, size, this.limits);
  }

  /**
   * The upload's Content Credentials as c2pa-rs validates them, in the parser pool under its deadline; call
   * it only after the decoder accepted the file (analyze or fingerprint). A parse that fails is reported, not thrown.
   */
  async contentCredentials(bytes: Buffer): Promise<ContentCredentialsResult> {
    // Every embedded manifest store is a JUMBF box labelled "c2pa" (JPEG APP11, PNG caBX, WebP C2PA chunk):
    // without those bytes there is nothing for c2pa-rs to read, so most uploads skip a third trip to the pool.
    if (!bytes.includes(C2PA_LABEL)) return noCredentials();
    const outcome = await this.parsers.run('contentCredentials', bytes);
    if (outcome.ok) return outcome.value;
    if (outcome.failure === 'busy') throw busy();
    return { ...noCredentials(), error: `Content Credentials could not be read (${outcome.failure})` };
  }

  private async readHeader(bytes: Buffer): Promise<ImageHeader | undefined> {
    const outcome = await this.parsers.run('header', bytes);
    if (outcome.ok) return outcome.value;
    if (outcome.failure === 'busy') throw busy();
    throw new AppError('image_unreadable', `the image header could not be read (${outcome.failure})`);
  }

  private async evidence(bytes: Buffer, need: Exclude<MetadataNeed, 'none'>): Promise<Evidence> {
    const outcome = await this.parsers.run('evidence', bytes);
    if (outcome.ok) return outcome.value;
    if (outcome.failure === 'busy') throw busy();
    if (need === 'required') {
      throw new AppError(
        'metadata_unreadable',
        `the image's metadata could not be read (${outcome.failure}); it is needed to screen the image for AI markers`,
        { reason: outcome.failure },
      );
    }
    return { public: { aiMarkers: [], metadata: unreadableNotice(outcome.failure) }, private: {} };
  }
}

/** The notice that replaces evidence the parsers could not produce, e.g. "metadata could not be read (timed out)". */
export function unreadableNotice(failure: ParseFailure): { readable: false; message: string } {
  return { readable: false, message: `metadata could not be read (${failure})` };
}

const C2PA_LABEL = Buffer.from('c2pa', 'latin1');
const noCredentials = (): ContentCredentialsResult => ({
  present: false,
  failures: [],
  informational: [],
  successes: [],
  manifestCount: 0,
});
const emptyEvidence = (): Evidence => ({ public: { aiMarkers: [] }, private: {} });
const busy = () => new AppError('server_busy', 'too many images are being analysed right now; retry shortly');
