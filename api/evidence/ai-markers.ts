import type { C2paSummary } from './c2pa.ts';
import { cleanText, decodeUserComment } from './fields.ts';
import type { PngTextChunk } from './png-chunks.ts';
import type { AiMarker, MetadataGroups } from './types.ts';

export const IPTC_DIGITAL_SOURCE_TYPE = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
export const AI_SOURCE_TYPES = [
  'trainedAlgorithmicMedia',
  'compositeWithTrainedAlgorithmicMedia',
  'algorithmicMedia',
  'compositeSynthetic',
];
export const HUMAN_SOURCE_TYPES = [
  'digitalCapture',
  'negativeFilm',
  'positiveFilm',
  'print',
  'humanEdits',
  'digitalCreation',
  'compositeCapture',
  'digitalArt',
  'minorHumanEdits',
];

/** PNG text keys written by image generators (A1111, ComfyUI, InvokeAI, NovelAI …). */
export const GENERATOR_PNG_KEYS = ['parameters', 'prompt', 'workflow', 'sd-metadata', 'dream', 'negative_prompt'];

const GENERATOR_NAMES =
  /\b(midjourney|dall[\s·.\-_]?e(\s?[23])?|stable[\s-]?diffusion|novel\s?ai|firefly|comfyui|automatic1111|a1111|invokeai|fooocus|dreamstudio|leonardo\.ai|ideogram|craiyon|nightcafe|stability\s?ai|bing image creator|black forest labs)\b/i;

const MIDJOURNEY_JOB_ID = /job\s?id:?\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

const MAX_MARKER_VALUE = 300;

/** True for an IPTC digital source type (full URI or bare term) that means AI-generated content. */
export function isAiSourceType(value: string): boolean {
  const term = value.trim().replace(/\/$/, '').split('/').pop() ?? '';
  return AI_SOURCE_TYPES.includes(term);
}

export interface MarkerInputs {
  groups: MetadataGroups;
  pngChunks: PngTextChunk[];
  xmpPackets: string[];
  c2pa: C2paSummary | undefined;
}

/** Every AI marker listed in docs/registry.md, each with where it was found. Pure. */
export function detectAiMarkers(input: MarkerInputs): AiMarker[] {
  const markers: AiMarker[] = [];
  const add = (kind: string, where: string, value: string) => {
    const clean = cleanText(value, MAX_MARKER_VALUE) ?? '';
    if (!markers.some((m) => m.kind === kind && m.where === where && m.value === clean)) markers.push({ kind, where, value: clean });
  };

  // XMP Iptc4xmpExt:DigitalSourceType
  const declared = new Set<string>();
  const fromExifr = cleanText(input.groups.Iptc4xmpExt?.DigitalSourceType);
  if (fromExifr) declared.add(fromExifr);
  for (const packet of input.xmpPackets) for (const value of xmpDigitalSourceTypes(packet)) declared.add(value);
  for (const value of declared) if (isAiSourceType(value)) add('digital-source-type', 'xmp:Iptc4xmpExt:DigitalSourceType', value);

  // C2PA actions with an AI source type, and generator names in the claim
  if (input.c2pa) {
    for (const action of input.c2pa.actions) {
      if (action.digitalSourceType && isAiSourceType(action.digitalSourceType)) {
        add(
          'c2pa-digital-source-type',
          `c2pa:${action.assertion}:${action.action}${action.active ? '' : ' (ingredient)'}`,
          action.digitalSourceType,
        );
      }
      if (action.softwareAgent && GENERATOR_NAMES.test(action.softwareAgent))
        add('generator-software', `c2pa:${action.assertion}:softwareAgent`, action.softwareAgent);
    }
    if (input.c2pa.claimGenerator && GENERATOR_NAMES.test(input.c2pa.claimGenerator))
      add('generator-software', 'c2pa:claim_generator', input.c2pa.claimGenerator);
  }

  // PNG text chunks
  for (const chunk of input.pngChunks) {
    const where = `png:${chunk.type}:${chunk.keyword}`;
    if (GENERATOR_PNG_KEYS.includes(chunk.keyword.toLowerCase()))
      add('generator-parameters', where, chunk.text || `(${chunk.compressed ? 'compressed' : 'empty'} ${chunk.keyword})`);
    if (/^(software|source)$/i.test(chunk.keyword) && GENERATOR_NAMES.test(chunk.text)) add('generator-software', where, chunk.text);
    const job = MIDJOURNEY_JOB_ID.exec(chunk.text);
    if (job) add('midjourney-job-id', where, job[1]!);
  }

  // EXIF UserComment with generation parameters (A1111 writes "Steps: …, Sampler: …")
  for (const [where, text] of userComments(input.groups)) {
    if (/\bSteps:\s*\d+/.test(text)) add('generator-parameters', where, text);
  }

  // Software naming a generator, and Midjourney job ids in any text field
  for (const [group, values] of Object.entries(input.groups)) {
    for (const [key, value] of Object.entries(values)) {
      if (typeof value !== 'string') continue;
      // Not Make/Model: camera brands share words with generators (e.g. Firefly action cameras).
      if (/^(Software|CreatorTool|HostComputer)$/i.test(key) && GENERATOR_NAMES.test(value))
        add('generator-software', `${group}:${key}`, value);
      const job = MIDJOURNEY_JOB_ID.exec(value);
      if (job) add('midjourney-job-id', `${group}:${key}`, job[1]!);
    }
  }
  for (const packet of input.xmpPackets) {
    const job = MIDJOURNEY_JOB_ID.exec(packet);
    if (job) add('midjourney-job-id', 'xmp', job[1]!);
  }
  return markers;
}

/** Values of Iptc4xmpExt:DigitalSourceType in an XMP packet, attribute or element form. */
export function xmpDigitalSourceTypes(packet: string): string[] {
  const values: string[] = [];
  const pattern = /Iptc4xmpExt:DigitalSourceType\s*(?:=\s*["']([^"']*)["']|>\s*([^<]*)<)/g;
  for (const match of packet.matchAll(pattern)) {
    const value = (match[1] ?? match[2] ?? '').trim();
    if (value) values.push(value);
  }
  return values;
}

function userComments(groups: MetadataGroups): [string, string][] {
  const found: [string, string][] = [];
  const fromExif = groups.exif?.UserComment;
  if (typeof fromExif === 'string') found.push(['exif:UserComment', fromExif]);
  const raw = groups.userComment?.value;
  const decoded = decodeUserComment(raw);
  if (decoded) found.push(['exif:UserComment', decoded]);
  return found;
}
