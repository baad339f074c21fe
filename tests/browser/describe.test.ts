import { describe, expect, it } from 'vitest';
import { checkImageFile, describeMatch, describeSourceType, describeTransform, levelInfo, similarityPercent } from '../../web/src/lib/describe.ts';

describe('plain-language descriptions (describe.ts)', () => {
  it('names the four evidence levels of docs/registry.md and falls back to unverified', () => {
    expect([0, 1, 2, 3].map((l) => levelInfo(l).name)).toEqual(['Unverified', 'Self-declared', 'Process evidence', 'Witnessed']);
    expect(levelInfo(2).summary).toMatch(/at least three .* 24 hours/);
    expect(levelInfo(undefined).level).toBe(0);
  });

  it('turns a PDQ distance into a similarity and says "similar", not "same", near the threshold', () => {
    expect(similarityPercent(0)).toBe(100);
    expect(similarityPercent(31)).toBe(88);
    expect(describeMatch(0, true).label).toBe('Same file');
    expect(describeMatch(4, false).label).toBe('Same image');
    expect(describeMatch(28, false).label).toBe('Similar');
    expect(describeMatch(28, false).explanation).toMatch(/colourway/);
  });

  it('describes transforms, source types and rejects files the registry cannot read', () => {
    expect(describeTransform('rot90')).toBe('rotated 90° clockwise');
    expect(describeTransform('flipy')).toBe('mirrored left to right');
    expect(describeTransform('crop-80')).toMatch(/80% window/);
    expect(describeSourceType('http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia')).toMatch(/AI-generated/);
    expect(checkImageFile({ name: 'a.heic', type: 'image/heic', size: 10 })).toMatch(/HEIC/);
    expect(checkImageFile({ name: 'notes.txt', type: 'text/plain', size: 10 })).toMatch(/cannot read/);
    expect(checkImageFile({ name: 'x.jpg', type: 'image/jpeg', size: 0 })).toMatch(/empty/);
    expect(checkImageFile({ name: 'x.jpg', type: 'image/jpeg', size: 10 })).toBeNull();
  });
});
