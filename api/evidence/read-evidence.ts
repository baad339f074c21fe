import { detectAiMarkers, xmpDigitalSourceTypes } from './ai-markers.ts';
import { readC2pa, type C2paSummary } from './c2pa.ts';
import { privateFields, publicFields } from './fields.ts';
import { findXmpPackets, readMetadataGroups } from './metadata.ts';
import { readPngTextChunks, type PngTextChunk } from './png-chunks.ts';
import type { Evidence, MetadataGroups, PublicEvidence } from './types.ts';

/**
 * Metadata evidence: EXIF/XMP/IPTC/ICC facts, C2PA manifest summary and AI markers (public), and GPS,
 * serial numbers and owner names (private). Never throws: broken metadata only yields less evidence.
 */
export async function readEvidence(bytes: Buffer): Promise<Evidence> {
  const [groups, c2pa] = await Promise.all([
    readMetadataGroups(bytes).catch((): MetadataGroups => ({})),
    readC2pa(bytes).catch((): C2paSummary | undefined => undefined),
  ]);
  const pngChunks = safely((): PngTextChunk[] => readPngTextChunks(bytes), []);
  const xmpPackets = safely(
    () =>
      findXmpPackets(
        bytes,
        pngChunks.map((c) => c.text),
      ),
    [],
  );
  const aiMarkers = safely(() => detectAiMarkers({ groups, pngChunks, xmpPackets, c2pa }), []);

  const publicEvidence: PublicEvidence = { ...safely(() => publicFields(groups), {}), aiMarkers };
  if (!publicEvidence.digitalSourceType) {
    const declared = xmpPackets.flatMap(xmpDigitalSourceTypes);
    if (declared[0]) publicEvidence.digitalSourceType = declared[0].slice(0, 200);
  }
  if (c2pa) {
    publicEvidence.c2pa = {
      present: true,
      ...(c2pa.claimGenerator ? { claimGenerator: c2pa.claimGenerator.slice(0, 200) } : {}),
      actions: [...new Set(c2pa.actions.filter((a) => a.active).map((a) => a.action))].slice(0, 50),
      ...(c2pa.digitalSourceType ? { digitalSourceType: c2pa.digitalSourceType } : {}),
      signatureValid: c2pa.signatureValid,
    };
  }
  return { public: publicEvidence, private: safely(() => privateFields(groups), {}) };
}

function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
