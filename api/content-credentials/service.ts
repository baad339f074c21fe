import { createHash } from 'node:crypto';
import { SuperBox } from '@trustnxt/c2pa-ts/jumbf';
import type { AppContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import type { Session } from '../identity/sessions.ts';
import { buildBundle } from '../bundle/build.ts';
import { sniffFormat } from '../images/formats.ts';
import { matchImage } from '../matching/accepted.ts';
import { C2PA_FORMATS } from './c2pa-wasm.ts';
import { credentialImage, type RegistryInfo } from './manifest.ts';
import { ContentCredentialsRepository, findWorkForCredentials, type StoredManifest } from './repository.ts';
import type { C2paSigningCredentials } from './signing-credentials.ts';

export interface CredentialedDownload {
  bytes: Uint8Array;
  mimeType: string;
  extension: string;
  manifestId: string;
  /** How the upload was tied to the work: the registered file, or a match under the match policy. */
  matchedBy: 'sha256' | 'match';
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export class ContentCredentialsService {
  private readonly repo: ContentCredentialsRepository;
  constructor(
    private readonly ctx: AppContext,
    private readonly credentials: C2paSigningCredentials,
    private readonly registry: RegistryInfo,
  ) {
    this.repo = new ContentCredentialsRepository(ctx.db);
  }

  /** The artist's own file of their work, returned with an embedded C2PA manifest signed by the registry. */
  async credential(session: Session, workId: string, image: Buffer): Promise<CredentialedDownload> {
    const work = await findWorkForCredentials(this.ctx.db, workId);
    if (!work) throw notFound('work');
    if (work.account_id !== session.accountId)
      throw new AppError('forbidden', 'only the artist who registered this work can download it with Content Credentials');
    if (work.status === 'revoked')
      throw new AppError('already_revoked', 'this work was revoked by its artist; it can no longer be credentialed');
    const sniffed = sniffFormat(image);
    const mimeType = sniffed.kind === 'supported' ? C2PA_FORMATS[sniffed.format] : undefined;
    if (!mimeType) throw new AppError('unsupported_media_type', 'Content Credentials can be embedded in JPEG, PNG and WebP files');
    const matchedBy = await this.tieToWork(image, work);

    const bundle = await buildBundle(this.ctx, work.id);
    const now = this.ctx.clock.now();
    const { asset, manifestStore } = await credentialImage(
      image,
      mimeType,
      {
        id: work.id,
        title: work.title,
        digitalSourceType: work.digital_source_type,
        pdq: work.pdq,
        registeredAt: new Date(work.created_at),
        artist: { handle: work.handle, displayName: work.display_name, kid: work.kid, keyAddedAt: new Date(work.key_added_at) },
        bundle,
      },
      this.registry,
      this.credentials,
      now,
    );
    const manifestId = activeManifestLabel(manifestStore);
    await this.repo.save({ manifestId, workId: work.id, format: mimeType, manifestStore: Buffer.from(manifestStore) }, now);
    return { bytes: asset, mimeType, extension: EXTENSIONS[mimeType]!, manifestId, matchedBy };
  }

  /** The stored manifest store, by manifest label or by work id (its newest). */
  async manifest(id: string): Promise<StoredManifest> {
    const stored = await this.repo.find(id);
    if (!stored) throw notFound('manifest');
    return stored;
  }

  private async tieToWork(image: Buffer, work: { id: string; sha256: string }): Promise<'sha256' | 'match'> {
    if (createHash('sha256').update(image).digest('hex') === work.sha256) return 'sha256';
    const fingerprint = await this.ctx.ingest.fingerprint(image);
    const { matches } = await matchImage(this.ctx.db, fingerprint);
    // A colourway of the work is a different image: it gets no credential in the work's name.
    if (matches.some((m) => m.work.id === work.id && !m.judgement.colourway)) return 'match';
    throw new AppError(
      'image_not_of_work',
      'this image is neither the registered file of the work nor a match of it under the registry’s match policy',
      {
        workId: work.id,
      },
    );
  }
}

/** The label (urn:c2pa:…) of the last manifest in a store, the active one. */
export function activeManifestLabel(store: Uint8Array): string {
  const root = SuperBox.fromBuffer(store as Uint8Array<ArrayBuffer>);
  const manifests = root.contentBoxes.filter((b): b is SuperBox => b instanceof SuperBox);
  const label = manifests[manifests.length - 1]?.descriptionBox?.label;
  if (!label) throw new Error('c2pa-rs returned a manifest store without a manifest');
  return label;
}
