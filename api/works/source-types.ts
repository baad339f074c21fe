export const IPTC_SOURCE_TYPE = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

/** digitalSourceType terms accepted for human-made works (DESIGN.md), including two retired ones. */
export const HUMAN_MADE_TERMS = [
  'digitalCapture',
  'negativeFilm',
  'positiveFilm',
  'print',
  'humanEdits',
  'digitalCreation',
  'compositeCapture',
  'digitalArt',
  'minorHumanEdits',
] as const;

/** Composite terms an artist may declare for a work that contains machine-generated parts; shown everywhere. */
export const COMPOSITE_AI_TERMS = ['compositeWithTrainedAlgorithmicMedia', 'compositeSynthetic'] as const;

/** Wholly machine-made: never registrable as a human-made work. */
export const AI_TERMS = ['trainedAlgorithmicMedia', 'algorithmicMedia', ...COMPOSITE_AI_TERMS] as const;

export const DECLARABLE_TERMS = [...HUMAN_MADE_TERMS, ...COMPOSITE_AI_TERMS] as const;

export const termUri = (term: string) => IPTC_SOURCE_TYPE + term;

/** Accepts a bare term or its full IPTC URI; returns the bare term or undefined. */
export function parseSourceType(value: string): string | undefined {
  const term = value.startsWith(IPTC_SOURCE_TYPE) ? value.slice(IPTC_SOURCE_TYPE.length) : value;
  return /^[A-Za-z]+$/.test(term) ? term : undefined;
}

export const isComposite = (term: string) => (COMPOSITE_AI_TERMS as readonly string[]).includes(term);
