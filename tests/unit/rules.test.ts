import { describe, expect, it } from 'vitest';
import { flipBits } from '../../api/matching/hashes.ts';
import { computeEvidenceLevel } from '../../api/works/evidence-level.ts';
import { screenForAiMarkers } from '../../api/works/screening.ts';
import {
  blocksRegistration,
  describeTransform,
  isDegenerate,
  judgeMatch,
  matchedStrictly,
  NOISY_QUALITY,
  orderMatches,
  queryHashes,
  storedHashes,
  strongestLocalFirst,
} from '../../api/matching/policy.ts';
import type { Fingerprint } from '../../api/images/types.ts';
import { badgeText, renderBadge } from '../../api/works/badge.ts';
import { loadConfig, ConfigError } from '../../api/config.ts';
import type { AppError } from '../../api/errors.ts';

const HOUR = 3600_000;
const at = (h: number) => new Date(Date.UTC(2026, 0, 1) + h * HOUR);

describe('evidence levels', () => {
  const base = { revoked: false, signatureValid: true, processTimesBeforeRegistration: [], validAttestations: 0 };
  it('is 1 for a valid signature alone, 0 when revoked or the signature is not valid', () => {
    expect(computeEvidenceLevel(base)).toBe(1);
    expect(computeEvidenceLevel({ ...base, revoked: true, validAttestations: 2 })).toBe(0);
    expect(computeEvidenceLevel({ ...base, signatureValid: false })).toBe(0);
  });
  it('needs three process images spanning at least 24 hours for level 2', () => {
    expect(computeEvidenceLevel({ ...base, processTimesBeforeRegistration: [at(0), at(12), at(24)] })).toBe(2);
    expect(computeEvidenceLevel({ ...base, processTimesBeforeRegistration: [at(0), at(12), at(23.9)] })).toBe(1);
    expect(computeEvidenceLevel({ ...base, processTimesBeforeRegistration: [at(0), at(48)] })).toBe(1);
  });
  it('is 3 with a valid attestation', () => {
    expect(computeEvidenceLevel({ ...base, validAttestations: 1 })).toBe(3);
  });
});

describe('AI screening', () => {
  const marker = { kind: 'png-text', where: 'PNG tEXt parameters', value: 'Steps: 20' };
  it('passes clean images as human-made', () => {
    expect(screenForAiMarkers([], 'digitalCapture').verdict).toBe('human-made');
  });
  it('refuses marked images with the markers listed', () => {
    const err = (() => {
      try {
        screenForAiMarkers([marker], 'digitalArt');
      } catch (e) {
        return e as AppError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('ai_markers_found');
    expect(err?.details?.aiMarkers).toEqual([marker]);
    expect(err?.message).toContain('PNG tEXt parameters');
  });
  it('accepts marked images when a composite type is declared, and says so', () => {
    expect(screenForAiMarkers([marker], 'compositeWithTrainedAlgorithmicMedia')).toEqual({
      verdict: 'composite-declared',
      aiMarkers: [marker],
    });
  });
});

describe('match policy', () => {
  it('applies a stricter threshold to low-quality hashes and tells', () => {
    expect(judgeMatch({ distance: 20, exact: false }, 90, 90)).toMatchObject({ accepted: true, kind: 'similar', strict: false });
    const strict = judgeMatch({ distance: 24, exact: false }, 30, 90);
    expect(strict).toMatchObject({ accepted: false, strict: true });
    expect(judgeMatch({ distance: 20, exact: false }, 30, 90)).toMatchObject({ accepted: true, strict: true });
    expect(strict.note).toMatch(/stricter/);
    expect([judgeMatch({ distance: 20, exact: false }, 90, 90).maxDistance, strict.maxDistance]).toEqual([31, 20]);
    expect([matchedStrictly(49), matchedStrictly(50)]).toEqual([true, false]);
    expect(judgeMatch({ distance: 5, exact: false }, 30, 90)).toMatchObject({ accepted: true, kind: 'same' });
    expect(judgeMatch({ distance: 0, exact: true }, 0, 0)).toMatchObject({ accepted: true, kind: 'exact', similarity: 1 });
  });
  it('never accepts a hash below the quality floor, and calls a colourway similar', () => {
    expect(judgeMatch({ distance: 0, exact: false }, 0, 90)).toMatchObject({ accepted: false });
    expect(judgeMatch({ distance: 0, exact: false }, 90, 2)).toMatchObject({ accepted: false });
    expect(isDegenerate({ hash: '0'.repeat(64), quality: 100 })).toBe(true);
    expect(isDegenerate({ hash: 'f'.repeat(32) + '0'.repeat(32), quality: 2 })).toBe(true);
    expect(isDegenerate({ hash: 'f'.repeat(32) + '0'.repeat(32), quality: 3 })).toBe(false);
    // PDQ's flat-window checkerboard (either way round), at any quality, up to 32 bits off.
    const checkerboard = '5555aaaa'.repeat(8);
    expect(isDegenerate({ hash: checkerboard, quality: 100 })).toBe(true);
    expect(isDegenerate({ hash: flipBits('aaaa5555'.repeat(8), firstBits(32)), quality: 100 })).toBe(true);
    expect(isDegenerate({ hash: flipBits(checkerboard, firstBits(33)), quality: 100 })).toBe(false);
    expect(judgeMatch({ distance: 4, exact: false }, 90, 90, true)).toMatchObject({ accepted: true, kind: 'similar', colourway: true });
    expect(judgeMatch({ distance: 28, exact: false }, 30, 90, true)).toMatchObject({ accepted: true, colourway: true });
  });
  it('accepts no colourway past the threshold nor from a degenerate hash (candidates reach further for the local-feature check)', () => {
    expect(judgeMatch({ distance: 32, exact: false }, 90, 90, true)).toMatchObject({ accepted: false, colourway: true });
    expect(judgeMatch({ distance: 50, exact: false }, 90, 90, true).accepted).toBe(false);
    expect(judgeMatch({ distance: 2, exact: false }, 1, 90, true).accepted).toBe(false);
  });
  it('matches a structure hash only for a low-detail copy, as similar, and never refuses a registration for it', () => {
    const structure = (distance: number) => ({ distance, exact: false, storedLabel: 'structure' });
    const near = judgeMatch(structure(6), 0, 0);
    expect(near).toMatchObject({ accepted: true, kind: 'similar', structure: true, maxDistance: 8 });
    expect(near.note).toMatch(/layout of light and dark/);
    expect(blocksRegistration(near)).toBe(false);
    expect(judgeMatch(structure(9), 0, 0).accepted).toBe(false);
    expect(judgeMatch(structure(0), 60, 0).accepted).toBe(false); // a detailed image is no copy of a gradient
    expect(judgeMatch(structure(0), 0, 0, true)).toMatchObject({ accepted: true, colourway: true });
    expect(blocksRegistration(judgeMatch({ distance: 4, exact: false, storedLabel: 'global' }, 90, 90))).toBe(true);
    expect(blocksRegistration(judgeMatch({ distance: 4, exact: false }, 90, 90, true))).toBe(false);
  });
  it('stores and queries structure hashes only where PDQ sees nothing or noise, and reports them only when PDQ found nothing', () => {
    const structure = [
      { label: 'structure', hash: 'ab'.repeat(32) },
      { label: 'structure-rot90', hash: 'cd'.repeat(32) },
      { label: 'structure-black', hash: 'ef'.repeat(32) },
    ];
    const balanced = '0f'.repeat(32);
    const fp = (pdq: string, pdqQuality: number) =>
      ({
        pdq,
        pdqQuality,
        structure,
        regions: [],
        variants: [{ label: 'global', hash: pdq, quality: pdqQuality }],
      }) as unknown as Fingerprint;
    expect(storedHashes(fp('0'.repeat(64), 0)).map((h) => h.label)).toEqual(['structure', 'structure-black']);
    expect(storedHashes(fp(balanced, 80)).map((h) => h.label)).toEqual(['global']);
    // A noisy hash (quality 3–7) is kept, and the structure stored beside it.
    expect(storedHashes(fp(balanced, NOISY_QUALITY - 1)).map((h) => h.label)).toEqual(['global', 'structure', 'structure-black']);
    expect(storedHashes(fp(balanced, NOISY_QUALITY)).map((h) => h.label)).toEqual(['global']);
    const queried = (f: Fingerprint) =>
      queryHashes(f)
        .filter((h) => h.against === 'structure')
        .map((h) => h.label);
    expect(queried(fp(balanced, 30))).toEqual(['structure', 'structure-rot90']);
    expect(queried(fp(balanced, 80))).toEqual([]);
    const byStructure = { distance: 2, colourway: false, queryLabel: 'structure', structure: true };
    const byPdq = { distance: 19, colourway: false, queryLabel: 'global' };
    expect(orderMatches([byStructure, byPdq], (m) => m)).toEqual([byPdq]);
    expect(orderMatches([byStructure], (m) => m)).toEqual([byStructure]);
    const mirrored = { distance: 0, colourway: false, queryLabel: 'structure-flipy', structure: true };
    const upright = { distance: 0, colourway: false, queryLabel: 'structure', structure: true };
    expect(orderMatches([mirrored, upright], (m) => m)).toEqual([upright, mirrored]);
    // Between PDQ matches at equal distance the index's order stands, turned or not.
    const pdqTurned = { distance: 24, colourway: false, queryLabel: 'flip-plus1' };
    const pdqUpright = { distance: 24, colourway: false, queryLabel: 'view-t88' };
    expect(orderMatches([pdqTurned, pdqUpright], (m) => m)).toEqual([pdqTurned, pdqUpright]);
  });
  it('describes transforms in plain language', () => {
    expect(describeTransform({ exact: true, distance: 0, queryLabel: 'global', storedLabel: 'global' })).toBe('identical file');
    expect(describeTransform({ exact: false, distance: 12, queryLabel: 'rot90', storedLabel: 'global' })).toBe(
      'rotated 90° clockwise, re-encoded or resized',
    );
    expect(describeTransform({ exact: false, distance: 3, queryLabel: 'global', storedLabel: 'crop-80' })).toBe(
      'cropped, re-encoded or resized',
    );
    expect(describeTransform({ exact: false, distance: 3, queryLabel: 'crop-80', storedLabel: 'global' })).toContain('padded');
    expect(describeTransform({ exact: false, distance: 4, queryLabel: 'crop-72', storedLabel: 'crop-72' })).toBe(
      'changed near its edges (a watermark, caption or frame), re-encoded or resized',
    );
    expect(describeTransform({ exact: false, distance: 6, queryLabel: 'lightness', storedLabel: 'lightness' })).toBe(
      'colours or brightness changed, re-encoded or resized',
    );
    expect(describeTransform({ exact: false, distance: 2, queryLabel: 'lightness-clipped', storedLabel: 'lightness-clipped' })).toBe(
      'colours or brightness changed, re-encoded or resized',
    );
    expect(describeTransform({ exact: false, distance: 9, queryLabel: 'lightness-clipped', storedLabel: 'global' })).toBe(
      'colours or brightness changed, re-encoded or resized',
    );
    expect(describeTransform({ exact: false, distance: 14, queryLabel: 'shift-b88', storedLabel: 'crop-81' })).toBe(
      'cropped unevenly, cropped, re-encoded or resized',
    );
    expect(describeTransform({ exact: false, distance: 3, queryLabel: 'structure-rot90', storedLabel: 'structure-black' })).toBe(
      'the same layout of light and dark (a low-detail picture), rotated 90° clockwise, transparency flattened',
    );
  });

  it('puts works whose keypoints agree before works aligned as a whole, keeping each group nearest first', () => {
    const confirmed = [
      { work: 'near star', alignedBy: 'correlation' as const },
      { work: 'far star, keypoints', alignedBy: 'keypoints' as const },
      { work: 'farther', alignedBy: 'correlation' as const },
      { work: 'farthest, keypoints', alignedBy: 'keypoints' as const },
    ];
    expect(strongestLocalFirst(confirmed, (m) => m.alignedBy).map((m) => m.work)).toEqual([
      'far star, keypoints',
      'farthest, keypoints',
      'near star',
      'farther',
    ]);
  });
});

describe('badge', () => {
  it('escapes hostile titles and handles', () => {
    const svg = renderBadge({
      title: '<script>alert(1)</script>"&',
      artist: 'x"onload="y',
      level: 3,
      levelName: 'witnessed',
      revoked: false,
      disputed: true,
    });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('"onload');
    expect(svg).toContain('&#60;script&#62;');
    expect(svg).toContain('disputed');
  });

  const base = { title: 'Harbour', artist: 'ada', level: 1, levelName: 'self-declared', revoked: false, disputed: false };
  const widthOf = (svg: string) => Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);

  it('says human-made only while the registration stands (level 1 to 3)', () => {
    expect(badgeText(base).status).toBe('Aura · human-made · level 1 · self-declared');
    expect(badgeText({ ...base, level: 2, levelName: 'process evidence' }).status).toBe('Aura · human-made · level 2 · process evidence');
    expect(badgeText({ ...base, revoked: true, level: 0, levelName: 'unverified' }).status).toBe('Aura · registration revoked');
    expect(badgeText({ ...base, level: 0, levelName: 'unverified' }).status).toBe('Aura · level 0 · unverified');
    expect(renderBadge({ ...base, revoked: true, level: 0, levelName: 'unverified' })).not.toContain('human-made');
  });

  it('is as wide as its longest line, each line held to its measured width', () => {
    const short = renderBadge(base);
    const longest = renderBadge({
      ...base,
      title: 'x'.repeat(60),
      artist: 'y'.repeat(24),
      level: 2,
      levelName: 'process evidence',
      disputed: true,
    });
    expect(widthOf(longest)).toBeGreaterThan(widthOf(short));
    for (const svg of [short, longest]) {
      const lengths = [...svg.matchAll(/textLength="(\d+)"/g)].map((m) => Number(m[1]));
      expect(lengths).toHaveLength(2);
      expect(widthOf(svg)).toBe(Math.max(...lengths) + 24);
    }
  });
});

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.maxUploadBytes).toBe(40 * 1024 * 1024);
    expect(c.databaseIdleTimeoutMs).toBe(600_000);
    expect(loadConfig({ DATABASE_IDLE_TIMEOUT_S: '30' }).databaseIdleTimeoutMs).toBe(30_000);
  });
  it('names the bad variable in one line', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/^invalid configuration: PORT="abc": /);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ AURA_MAX_UPLOAD_MB: '-1' })).toThrow(/AURA_MAX_UPLOAD_MB/);
    expect(() => loadConfig({ DATABASE_IDLE_TIMEOUT_S: '0' })).toThrow(/DATABASE_IDLE_TIMEOUT_S/);
  });
});

/** The positions of a hash's first n bits. */
function firstBits(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
