import { AI_SOURCE_TYPES, HUMAN_SOURCE_TYPES, IPTC_DIGITAL_SOURCE_TYPE } from '../evidence/ai-markers.ts';

export const IPTC_SOURCE_TYPE = IPTC_DIGITAL_SOURCE_TYPE;

/** digitalSourceType terms accepted for human-made works (docs/registry.md), including two retired ones. */
export const HUMAN_MADE_TERMS = HUMAN_SOURCE_TYPES;

/** Composite terms an artist may declare for a work that contains machine-generated parts; shown everywhere. */
export const COMPOSITE_AI_TERMS = AI_SOURCE_TYPES.filter((t) => t.startsWith('composite'));

export const DECLARABLE_TERMS = [...HUMAN_MADE_TERMS, ...COMPOSITE_AI_TERMS];

export const termUri = (term: string) => IPTC_SOURCE_TYPE + term;

/** Accepts a bare term or its full IPTC URI; returns the bare term or undefined. */
export function parseSourceType(value: string): string | undefined {
  const term = value.startsWith(IPTC_SOURCE_TYPE) ? value.slice(IPTC_SOURCE_TYPE.length) : value;
  return /^[A-Za-z]+$/.test(term) ? term : undefined;
}

export const isComposite = (term: string) => COMPOSITE_AI_TERMS.includes(term);
