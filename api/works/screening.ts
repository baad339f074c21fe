import type { AiMarker } from '../evidence/types.ts';
import { AppError } from '../errors.ts';
import { isComposite } from './source-types.ts';

export interface Screening {
  verdict: 'human-made' | 'composite-declared';
  aiMarkers: AiMarker[];
}

/**
 * An image carrying AI markers is refused as human-made unless the artist declares a composite
 * digitalSourceType; the declaration then travels with the work.
 */
export function screenForAiMarkers(aiMarkers: AiMarker[], declaredTerm: string): Screening {
  if (isComposite(declaredTerm)) return { verdict: 'composite-declared', aiMarkers };
  if (aiMarkers.length > 0) {
    const list = aiMarkers.map((m) => `${m.kind} (${m.where})`).join('; ');
    throw new AppError(
      'ai_markers_found',
      `this image carries AI markers, so it cannot be registered as human-made: ${list}. ` +
        'If the work combines your own work with generated parts, declare digitalSourceType compositeWithTrainedAlgorithmicMedia.',
      { aiMarkers },
    );
  }
  return { verdict: 'human-made', aiMarkers };
}
