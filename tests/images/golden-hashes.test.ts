import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashPixels } from '../../api/images/fingerprint.ts';
import { CLIPPED_SHARE, clipBrightest, halfLightnessPlane } from '../../api/images/lightness.ts';
import { lumaFromPixels, pdqOfWindows } from '../../api/images/pdq.ts';
import { ANCHORED_PREFIX, cropWindows, PART_PREFIX, SHIFT_PREFIX, VIEW_PREFIX } from '../../api/images/regions.ts';
import { FITTED_PREFIX } from '../../api/images/rotation.ts';
import { goldenInputs } from './golden-pixels.ts';

/**
 * Every hash a fingerprint stores, and the floats behind them, bit for bit on fixed pixel buffers. The
 * expected values were computed by the plain TypeScript loops before the WebAssembly kernels replaced
 * them (commit e934aa6): registered works keep matching their stored hashes only while this holds. The
 * hashes alone would not notice a last-bit change (few bits sit that close to the median), so the luma
 * and lightness planes and the DCTs are compared too, as SHA-256 digests of their bytes.
 */
const expected = JSON.parse(fs.readFileSync(new URL('./golden-hashes.json', import.meta.url), 'utf8')) as {
  hashes: Record<string, string[]>;
  floats: Record<string, { luma: string; dcts: string; lightness: string; clipped: string }>;
};

const digest = (a: Float32Array) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

describe('fingerprints are stable bit for bit', () => {
  for (const { name, pixels } of goldenInputs()) {
    it(`${name}: every stored label, hash and quality as recorded`, () => {
      const hashes = hashPixels({ pixels });
      const all = [...hashes.variants, ...hashes.regions];
      // Hash kinds added since the recording (side and corner windows, the query's anchored views, the
      // grey flatten, a turned or framed view, the views moved off centre, a copy on a colour put back on white) are new labels; every recorded one is still there,
      // unchanged and in the same order.
      const added = (label: string) =>
        [ANCHORED_PREFIX, VIEW_PREFIX, PART_PREFIX, FITTED_PREFIX, SHIFT_PREFIX].some((p) => label.startsWith(p)) ||
        ['alpha-grey', 'turned', 'framed', 'on-white'].includes(label);
      expect(all.filter((h) => !added(h.label)).map((h) => `${h.label} ${h.hash} ${h.quality}`)).toEqual(expected.hashes[name]);
      expect(all.filter((h) => added(h.label)).length).toBeGreaterThan(0);
    });

    it(`${name}: luma, DCTs, lightness and clipped lightness as recorded`, () => {
      const { data, width, height, channels } = pixels;
      const luma = lumaFromPixels(data, width, height, channels);
      const windows = [{ x: 0, y: 0, width, height }, ...cropWindows(width, height)];
      const dcts = pdqOfWindows(luma, width, height, windows).map((h) => h.dct);
      const joined = new Float32Array(dcts.length * 256);
      for (const [i, d] of dcts.entries()) joined.set(d, i * 256);
      const plane = halfLightnessPlane(data, width, height, channels).data;
      expect({
        luma: digest(luma),
        dcts: digest(joined),
        lightness: digest(plane),
        clipped: digest(clipBrightest(plane, CLIPPED_SHARE)),
      }).toEqual(expected.floats[name]);
    });
  }

  it('records every input', () => {
    const names = goldenInputs()
      .map((i) => i.name)
      .sort();
    expect(Object.keys(expected.hashes).sort()).toEqual(names);
    expect(Object.keys(expected.floats).sort()).toEqual(names);
  });
});
