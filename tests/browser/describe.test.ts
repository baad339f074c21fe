import { describe, expect, it } from 'vitest';
import { EVIDENCE_LEVELS } from '../../api/works/evidence-level.ts';
import { checkImageFile, describeMatch, describeSourceType, levelName } from '../../web/src/lib/describe.ts';

describe('plain-language descriptions (describe.ts)', () => {
  it("shows the server's names of the four evidence levels as badge titles", () => {
    const names = ([0, 1, 2, 3] as const).map((l) => levelName(EVIDENCE_LEVELS[l].name));
    expect(names).toEqual(['Unverified', 'Self-declared', 'Process evidence', 'Witnessed']);
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
