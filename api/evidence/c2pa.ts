import { BMFF, JPEG, PNG, type Asset } from '@trustnxt/c2pa-ts/asset';
import { CBORBox, SuperBox } from '@trustnxt/c2pa-ts/jumbf';
import { ManifestStore, ValidationResult } from '@trustnxt/c2pa-ts/manifest';

export interface C2paAction {
  action: string;
  digitalSourceType?: string;
  softwareAgent?: string;
  /** Label of the assertion it came from, e.g. `c2pa.actions.v2`. */
  assertion: string;
  /** Whether it belongs to the active (last) manifest rather than an ingredient's. */
  active: boolean;
}

export interface C2paSummary {
  present: boolean;
  claimGenerator?: string;
  actions: C2paAction[];
  /** The active manifest's digitalSourceType (first action that declares one). */
  digitalSourceType?: string;
  /** Whether the manifest validated; false as well when the validator could not even read it. */
  signatureValid: boolean;
  validationErrors: string[];
}

/**
 * Reads a C2PA manifest store without native code. The JUMBF boxes are walked directly so that a
 * manifest the validator cannot parse (newer claim versions, unknown signatures) is still reported.
 */
export async function readC2pa(bytes: Buffer): Promise<C2paSummary | undefined> {
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) as Uint8Array<ArrayBuffer>;
  const asset = openAsset(data);
  if (!asset) return undefined;
  const jumbf = manifestJumbf(asset);
  if (!jumbf) return undefined;

  let store: SuperBox;
  try {
    store = SuperBox.fromBuffer(jumbf);
  } catch (error) {
    return { present: true, actions: [], signatureValid: false, validationErrors: [`unreadable JUMBF: ${message(error)}`] };
  }
  const summary = summarise(store);
  try {
    const manifests = ManifestStore.read(store);
    const result = await manifests.validate(asset).catch((e: unknown) => ValidationResult.fromError(e as Error));
    summary.signatureValid = result.isValid;
    summary.validationErrors = result.statusEntries
      .filter((s) => !s.success)
      .map((s) => String(s.code))
      .slice(0, 10);
  } catch (error) {
    summary.validationErrors = [`manifest could not be validated: ${message(error)}`];
  }
  return summary;
}

function openAsset(data: Uint8Array<ArrayBuffer>): Asset | undefined {
  try {
    if (JPEG.canRead(data)) return new JPEG(data);
    if (PNG.canRead(data)) return new PNG(data);
    if (BMFF.canRead(data)) return new BMFF(data);
  } catch {
    return undefined;
  }
  return undefined;
}

function manifestJumbf(asset: Asset): Uint8Array<ArrayBuffer> | undefined {
  try {
    return asset.getManifestJUMBF() as Uint8Array<ArrayBuffer> | undefined;
  } catch {
    return undefined;
  }
}

function summarise(store: SuperBox): C2paSummary {
  const manifests = store.contentBoxes.filter((b): b is SuperBox => b instanceof SuperBox);
  const summary: C2paSummary = { present: true, actions: [], signatureValid: false, validationErrors: [] };
  manifests.forEach((manifest, index) => {
    const active = index === manifests.length - 1;
    for (const box of manifest.contentBoxes) {
      if (!(box instanceof SuperBox)) continue;
      const label = box.descriptionBox?.label ?? '';
      if (label === 'c2pa.assertions') {
        for (const assertion of box.contentBoxes) {
          if (!(assertion instanceof SuperBox)) continue;
          const assertionLabel = assertion.descriptionBox?.label ?? '';
          if (!/^c2pa\.actions(\.v\d+)?(__\d+)?$/.test(assertionLabel)) continue;
          for (const action of actionsOf(cborContent(assertion))) summary.actions.push({ ...action, assertion: assertionLabel, active });
        }
      } else if (active && /^c2pa\.claim(\.v\d+)?$/.test(label)) {
        const generator = claimGenerator(cborContent(box));
        if (generator) summary.claimGenerator = generator;
      }
    }
  });
  const declared = summary.actions.find((a) => a.active && a.digitalSourceType)?.digitalSourceType;
  if (declared) summary.digitalSourceType = declared;
  return summary;
}

function cborContent(box: SuperBox): unknown {
  return box.contentBoxes.find((b): b is CBORBox => b instanceof CBORBox)?.content;
}

function actionsOf(content: unknown): Omit<C2paAction, 'assertion' | 'active'>[] {
  if (!isRecord(content) || !Array.isArray(content.actions)) return [];
  return content.actions.filter(isRecord).map((a) => {
    const agent = a.softwareAgent;
    const softwareAgent = typeof agent === 'string' ? agent : isRecord(agent) && typeof agent.name === 'string' ? agent.name : undefined;
    return {
      action: typeof a.action === 'string' ? a.action : 'unknown',
      ...(typeof a.digitalSourceType === 'string' && a.digitalSourceType.trim() ? { digitalSourceType: a.digitalSourceType.trim() } : {}),
      ...(softwareAgent ? { softwareAgent } : {}),
    };
  });
}

function claimGenerator(content: unknown): string | undefined {
  if (!isRecord(content)) return undefined;
  if (typeof content.claim_generator === 'string') return content.claim_generator;
  const info = Array.isArray(content.claim_generator_info) ? content.claim_generator_info[0] : content.claim_generator_info;
  if (isRecord(info) && typeof info.name === 'string') {
    return typeof info.version === 'string' ? `${info.name} ${info.version}` : info.name;
  }
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
