import { describe, expect, it } from 'vitest';
import { checkImageFile, describeMatch, describeSourceType, levelInfo } from '../../web/src/lib/describe.ts';

describe('plain-language descriptions (describe.ts)', () => {
  it('names the four evidence levels of docs/registry.md and falls back to unverified', () => {
    expect([0, 1, 2, 3].map((l) => levelInfo(l).name)).toEqual(['Unverified', 'Self-declared', 'Process evidence', 'Witnessed']);
    expect(levelInfo(2).summary).toMatch(/at least three .* 24 hours/);
    expect(levelInfo(undefined).level).toBe(0);
  });

  it('turns a PDQ distance into a similarity and says "similar", not "same", near the threshold', () => {
    expect(describeMatch('exact').label).toBe('Same file');
    expect(describeMatch('same').label).toBe('Same image');
    expect(describeMatch('similar').label).toBe('Similar');
    expect(describeMatch('similar').explanation).toMatch(/colourway/);
  });

  it('describes transforms, source types and rejects files the registry cannot read', () => {
    expect(describeSourceType('http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia')).toMatch(/AI-generated/);
    expect(checkImageFile({ name: 'a.heic', type: 'image/heic', size: 10 })).toMatch(/HEIC/);
    expect(checkImageFile({ name: 'notes.txt', type: 'text/plain', size: 10 })).toMatch(/cannot read/);
    expect(checkImageFile({ name: 'x.jpg', type: 'image/jpeg', size: 0 })).toMatch(/empty/);
    expect(checkImageFile({ name: 'x.jpg', type: 'image/jpeg', size: 10 })).toBeNull();
  });
});
