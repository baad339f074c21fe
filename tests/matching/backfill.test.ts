import { Migrator, sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { insertWorks } from './fixtures.ts';
import { cornerSticker, painting } from '../images/synthetic.ts';
import { fingerprintImage } from '../../api/images/fingerprint.ts';
import { hammingDistance } from '../../api/images/pdq.ts';
import type { ThumbnailedFingerprint } from '../../api/images/types.ts';
import { LIGHTNESS_LABELS } from '../../api/matching/label-classes.ts';
import { bruteForceMatches, bulkIndexHashes, findMatches, indexWorkHashes } from '../../api/matching/service.ts';
import { flipBits } from '../../api/matching/hashes.ts';
import { migrations } from '../../db/migrations/index.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { findStoredHashes } from '../../api/matching/repository.ts';
import * as degenerateHashesMigration from '../../db/migrations/0011_degenerate_hashes.ts';
import { backfillLightnessHashes } from '../../api/matching/backfill-lightness.ts';
import { queryHashes, storedHashes } from '../../api/matching/policy.ts';
import {
  ANCHORED_LABELS,
  backfillAnchoredWindows,
  backfillColourLayouts,
  backfillGreyFlattens,
  backfillPartWindows,
  backfillStructure,
  PART_LABELS,
} from '../../api/matching/backfill-windows.ts';
import { findAcceptedMatches } from '../../api/matching/accepted.ts';
import { softGlow } from '../images/synthetic.ts';
import { isColourway } from '../../api/images/colour-layout.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';

const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };
const isLightness = (label: string) => LIGHTNESS_LABELS.includes(label);

describeEachDatabase('lightness backfill', (backend) => {
  let server: TestServer;
  let original: Buffer;
  let registered: ThumbnailedFingerprint;

  beforeAll(async () => {
    server = await startTestServer(backend);
    const db = server.ctx.db;
    original = await painting(1200, 900, 2).png().toBuffer();
    registered = await fingerprintImage(original, limits, { thumbnail: true });
    // A work registered before the lightness hashes existed: every other row, and its real thumbnail.
    await insertWorks(db, [{ id: 'legacy-colour' }, { id: 'legacy-no-thumbnail' }, { id: 'current' }, { id: 'plain-lightness-only' }]);
    const withThumbnail = ['legacy-colour', 'current', 'plain-lightness-only'];
    await db.updateTable('works').set({ thumbnail: registered.thumbnail, pdq: registered.pdq }).where('id', 'in', withThumbnail).execute();
    await indexWorkHashes(
      db,
      'legacy-colour',
      storedHashes(registered).filter((h) => !isLightness(h.label)),
    );
    await indexWorkHashes(db, 'current', storedHashes(registered));
    // Registered between migrations 0008 and 0009: it has 'lightness' but not 'lightness-clipped'.
    await indexWorkHashes(
      db,
      'plain-lightness-only',
      storedHashes(registered).filter((h) => h.label !== 'lightness-clipped'),
    );
  });
  afterAll(async () => server?.close());

  it('adds lightness hashes close to the ones registration computes, and a colour-edited copy then matches through them', async () => {
    const db = server.ctx.db;
    const expected = registered.regions.filter((r) => isLightness(r.label));
    expect(expected.map((r) => r.label)).toEqual(['lightness', 'lightness-clipped']);
    const greyCopy = await fingerprintImage(await sharp(original).greyscale().jpeg({ quality: 85 }).toBuffer(), limits);
    const legacyMatch = async () => (await findMatches(db, { hashes: queryHashes(greyCopy) })).find((m) => m.workId === 'legacy-colour');
    expect((await legacyMatch())?.storedLabel ?? 'none').not.toMatch(/lightness/);

    const progress = await backfillLightnessHashes(db, limits, { batchSize: 2 });
    expect(progress).toEqual({ works: 3, updated: 2, rows: 3, unreadable: 1, unreadableIds: ['legacy-no-thumbnail'] });
    const labelsOf = async (id: string) =>
      (
        await db
          .selectFrom('work_hashes')
          .select('label')
          .where('work_id', '=', id)
          .where('label', 'in', [...LIGHTNESS_LABELS])
          .orderBy('label')
          .execute()
      ).map((r) => r.label);
    expect(await labelsOf('plain-lightness-only')).toEqual(['lightness', 'lightness-clipped']); // no second 'lightness' row
    expect(await labelsOf('current')).toEqual(['lightness', 'lightness-clipped']);

    const rows = await storedRows(db, 'legacy-colour', LIGHTNESS_LABELS);
    expect(rows.map((r) => r.label)).toEqual(['lightness', 'lightness-clipped']);
    for (const row of rows) {
      const hex = row!.hash;
      // Measured 8 ('lightness') and 10 ('lightness-clipped') bits: the thumbnail is WebP, chroma subsampled.
      expect(hammingDistance(hex, expected.find((r) => r.label === row.label)!.hash), row.label).toBeLessThanOrEqual(12);
    }
    const match = await legacyMatch();
    expect(match?.storedLabel).toMatch(/^lightness/);
    expect(match!.distance).toBeLessThanOrEqual(16);
  });

  it('is idempotent: a second run adds nothing', async () => {
    const progress = await backfillLightnessHashes(server.ctx.db, limits);
    expect(progress).toEqual({ works: 1, updated: 0, rows: 0, unreadable: 1, unreadableIds: ['legacy-no-thumbnail'] });
  });
});

/**
 * Two works with one registered image and its real thumbnail: `legacy` indexed as before Aura stored
 * the hashes `added` tells apart, `current` with every row registration stores today.
 */
async function legacyAndCurrent(
  db: TestServer['ctx']['db'],
  ids: { legacy: string; current: string },
  registered: ThumbnailedFingerprint,
  added: (label: string) => boolean,
): Promise<void> {
  await insertWorks(db, [{ id: ids.legacy }, { id: ids.current }]);
  await db
    .updateTable('works')
    .set({ thumbnail: registered.thumbnail, pdq: registered.pdq })
    .where('id', 'in', [ids.legacy, ids.current])
    .execute();
  await indexWorkHashes(
    db,
    ids.legacy,
    storedHashes(registered).filter((h) => !added(h.label)),
  );
  await indexWorkHashes(db, ids.current, storedHashes(registered));
}

describeEachDatabase('side and corner window backfill', (backend) => {
  let server: TestServer;
  let original: Buffer;
  let registered: ThumbnailedFingerprint;
  const isAnchored = (label: string) => ANCHORED_LABELS.includes(label);

  beforeAll(async () => {
    server = await startTestServer(backend);
    const db = server.ctx.db;
    original = await renderArtwork(31, { width: 1200, height: 900 });
    registered = await fingerprintImage(original, limits, { thumbnail: true });
    // Registered before side and corner windows were stored: every other row, and its real thumbnail.
    await legacyAndCurrent(db, { legacy: 'legacy-windows', current: 'current-windows' }, registered, isAnchored);
  });
  afterAll(async () => server?.close());

  it('adds the windows from the thumbnail, and a copy cropped on one side then matches through them', async () => {
    const db = server.ctx.db;
    const meta = { width: 1200, height: 900 };
    const cropped = await sharp(original)
      .extract({ left: 120, top: 0, width: meta.width - 120, height: meta.height })
      .jpeg({ quality: 85 })
      .toBuffer();
    const copy = await fingerprintImage(cropped, limits);
    const matchOf = async (id: string) => (await findMatches(db, { hashes: queryHashes(copy) })).find((m) => m.workId === id);
    expect((await matchOf('current-windows'))?.storedLabel).toMatch(/^edge-/);
    expect((await matchOf('legacy-windows'))?.storedLabel ?? 'none').not.toMatch(/^edge-/);

    const progress = await backfillAnchoredWindows(db, limits, { batchSize: 1 });
    expect(progress).toEqual({ works: 1, updated: 1, rows: 8, unreadable: 0, unreadableIds: [] });
    const rows = await storedRows(db, 'legacy-windows', ANCHORED_LABELS);
    expect(rows.map((r) => r.label).sort()).toEqual([...ANCHORED_LABELS].sort());
    for (const row of rows) {
      const hex = row!.hash;
      expect(hammingDistance(hex, registered.regions.find((r) => r.label === row.label)!.hash), row.label).toBeLessThanOrEqual(16);
    }
    expect((await matchOf('legacy-windows'))?.storedLabel).toMatch(/^edge-/);
  });

  it('is idempotent: a second run looks at nothing', async () => {
    expect(await backfillAnchoredWindows(server.ctx.db, limits)).toEqual({
      works: 0,
      updated: 0,
      rows: 0,
      unreadable: 0,
      unreadableIds: [],
    });
  });

  it('computes the colour layout of older works from their thumbnails, once', async () => {
    const db = server.ctx.db;
    expect((await backfillColourLayouts(db, limits)).updated).toBe(2);
    const { colour_layout } = await db
      .selectFrom('works')
      .select('colour_layout')
      .where('id', '=', 'legacy-windows')
      .executeTakeFirstOrThrow();
    expect(colour_layout).toMatch(/^[0-9a-f]{64}$/);
    // The thumbnail's layout is the registered image's: the same hues, not a colourway of it.
    expect(registered.colourLayout).toBeDefined();
    expect(isColourway(colour_layout, registered.colourLayout)).toBe(false);
    expect((await backfillColourLayouts(db, limits)).works).toBe(0);
  });
});

describeEachDatabase('part window backfill', (backend) => {
  let server: TestServer;
  let original: Buffer;
  let registered: ThumbnailedFingerprint;
  const isPart = (label: string) => PART_LABELS.includes(label);

  beforeAll(async () => {
    server = await startTestServer(backend);
    const db = server.ctx.db;
    original = await renderArtwork(33, { width: 1200, height: 900 });
    registered = await fingerprintImage(original, limits, { thumbnail: true });
    // Registered before part windows were stored: every other row, and its real thumbnail.
    await legacyAndCurrent(db, { legacy: 'legacy-parts', current: 'current-parts' }, registered, isPart);
  });
  afterAll(async () => server?.close());

  it('adds the part windows from the thumbnail, and a copy under a sticker then matches through them, once', async () => {
    const db = server.ctx.db;
    const covered = await sharp(original)
      .composite([{ input: cornerSticker(1200, 900) }])
      .jpeg({ quality: 85 })
      .toBuffer();
    const copy = await fingerprintImage(covered, limits);
    const matchOf = async (id: string) => (await findMatches(db, { hashes: queryHashes(copy) })).find((m) => m.workId === id);
    expect((await matchOf('current-parts'))?.storedLabel).toBe('part-l62');
    expect((await matchOf('legacy-parts'))?.storedLabel ?? 'none').not.toMatch(/^part-/);

    const progress = await backfillPartWindows(db, limits, { batchSize: 1 });
    expect(progress).toEqual({ works: 1, updated: 1, rows: 2, unreadable: 0, unreadableIds: [] });
    const rows = await storedRows(db, 'legacy-parts', PART_LABELS);
    // A landscape work keeps its left and right parts.
    expect(rows.map((r) => r.label).sort()).toEqual(['part-l62', 'part-r62']);
    for (const row of rows) {
      const hex = row!.hash;
      expect(hammingDistance(hex, registered.regions.find((r) => r.label === row.label)!.hash), row.label).toBeLessThanOrEqual(16);
    }
    expect((await matchOf('legacy-parts'))?.storedLabel).toBe('part-l62');
    expect((await backfillPartWindows(db, limits)).works).toBe(0);
  });
});

describeEachDatabase('grey flatten backfill', (backend) => {
  let server: TestServer;
  let sprite: Buffer;
  let registered: ThumbnailedFingerprint;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const db = server.ctx.db;
    // A coloured sprite on a transparent canvas: its flattens on white, black and grey all differ.
    const art = await renderArtwork(33, { width: 600, height: 600 });
    const mask = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><circle cx="300" cy="300" r="230"/><rect x="40" y="420" width="200" height="140"/></svg>',
    );
    sprite = await sharp(art)
      .ensureAlpha()
      .composite([{ input: mask, blend: 'dest-in' }])
      .png()
      .toBuffer();
    registered = await fingerprintImage(sprite, limits, { thumbnail: true });
    await insertWorks(db, [{ id: 'legacy-sprite' }]);
    await db.updateTable('works').set({ thumbnail: registered.thumbnail, pdq: registered.pdq }).where('id', '=', 'legacy-sprite').execute();
    await indexWorkHashes(
      db,
      'legacy-sprite',
      storedHashes(registered).filter((h) => h.label !== 'alpha-grey'),
    );
  });
  afterAll(async () => server?.close());

  it('adds the grey flatten from the thumbnail, and a copy flattened on a colour then matches through it, once', async () => {
    const db = server.ctx.db;
    expect(registered.regions.map((r) => r.label)).toEqual(expect.arrayContaining(['alpha-black', 'alpha-grey']));
    const onColour = await fingerprintImage(
      await sharp(sprite).flatten({ background: '#8a5a9e' }).jpeg({ quality: 85 }).toBuffer(),
      limits,
    );
    // Without the copy put back on white (a query hash that finds the global row): the grey flatten alone.
    const hashes = queryHashes(onColour).filter((h) => h.label !== 'on-white');
    const match = async () => (await findMatches(db, { hashes })).find((m) => m.workId === 'legacy-sprite');
    const before = await match();

    expect(await backfillGreyFlattens(db, limits)).toMatchObject({ works: 1, updated: 1, rows: 1 });
    const [row] = await storedRows(db, 'legacy-sprite', ['alpha-grey']);
    const hex = row!.hash;
    expect(hammingDistance(hex, registered.regions.find((r) => r.label === 'alpha-grey')!.hash)).toBeLessThanOrEqual(16);
    const after = await match();
    expect(after?.storedLabel).toBe('alpha-grey');
    expect(after!.distance).toBeLessThan(before?.distance ?? 257);
    expect((await backfillGreyFlattens(db, limits)).works).toBe(0);
  });
});

describeEachDatabase('structure backfill', (backend) => {
  let server: TestServer;
  let wallpaper: Buffer;
  let noisy: Buffer;
  let registered: ThumbnailedFingerprint;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const db = server.ctx.db;
    wallpaper = await softGlow(0.3, 0.35, '#3a4f7a', '#0b1530').png().toBuffer();
    registered = await fingerprintImage(wallpaper, limits, { thumbnail: true });
    const painted = await fingerprintImage(await renderArtwork(41, { width: 800, height: 600 }), limits, { thumbnail: true });
    // A wallpaper registered before structure hashes were stored has no row at all (its PDQ hash is
    // degenerate); a painting has its PDQ rows and needs none.
    await insertWorks(db, [{ id: 'legacy-wallpaper' }, { id: 'painting' }]);
    await db
      .updateTable('works')
      .set({ thumbnail: registered.thumbnail, pdq: registered.pdq, pdq_quality: registered.pdqQuality })
      .where('id', '=', 'legacy-wallpaper')
      .execute();
    await db
      .updateTable('works')
      .set({ thumbnail: painted.thumbnail, pdq: painted.pdq, pdq_quality: painted.pdqQuality })
      .where('id', '=', 'painting')
      .execute();
    await indexWorkHashes(db, 'painting', storedHashes(painted));
    // A noisy wallpaper (PDQ quality 3–7) registered before: its PDQ rows, and no structure row.
    noisy = await softGlow(0.25, 0.35, '#94a3d2', '#0b1530').png().toBuffer();
    const noisyPrint = await fingerprintImage(noisy, limits, { thumbnail: true });
    await insertWorks(db, [{ id: 'legacy-noisy' }]);
    await db
      .updateTable('works')
      .set({ thumbnail: noisyPrint.thumbnail, pdq: noisyPrint.pdq, pdq_quality: noisyPrint.pdqQuality })
      .where('id', '=', 'legacy-noisy')
      .execute();
    await indexWorkHashes(
      db,
      'legacy-noisy',
      storedHashes(noisyPrint).filter((h) => !h.label.startsWith('structure')),
    );
  });
  afterAll(async () => server?.close());

  it('adds the structure hash of a degenerate work from its thumbnail, and a re-saved copy then matches through it, once', async () => {
    const db = server.ctx.db;
    expect(storedHashes(registered).map((h) => h.label)).toEqual(['structure']);
    const copy = await fingerprintImage(await sharp(wallpaper).resize(500).jpeg({ quality: 60 }).toBuffer(), limits);
    expect(await findAcceptedMatches(db, copy)).toEqual([]);

    expect(await backfillStructure(db, limits)).toMatchObject({ works: 2, updated: 2, rows: 2 });
    const [row] = await storedRows(db, 'legacy-wallpaper', ['structure']);
    const { label_class } = await db
      .selectFrom('work_hashes')
      .select('label_class')
      .where('work_id', '=', 'legacy-wallpaper')
      .where('label', '=', 'structure')
      .executeTakeFirstOrThrow();
    const hex = row!.hash;
    expect(hammingDistance(hex, storedHashes(registered)[0]!.hash)).toBeLessThanOrEqual(4);
    expect(label_class).toBe(13);
    const [match] = await findAcceptedMatches(db, copy);
    expect(match).toMatchObject({ work: { id: 'legacy-wallpaper' }, judgement: { kind: 'similar', structure: true } });
    expect((await backfillStructure(db, limits)).works).toBe(0);
  });

  it('adds the structure hash of a noisy work beside its PDQ rows', async () => {
    const db = server.ctx.db;
    const structureRows = () =>
      db.selectFrom('work_hashes').select('label').where('work_id', '=', 'legacy-noisy').where('label', '=', 'structure').execute();
    // The first test's backfill run reached it already (it looks at degenerate and noisy works alike).
    expect(await structureRows()).toHaveLength(1);
    const copy = await fingerprintImage(await sharp(noisy).resize(600).jpeg({ quality: 60 }).toBuffer(), limits);
    const [match] = await findAcceptedMatches(db, copy);
    expect(match).toMatchObject({ work: { id: 'legacy-noisy' }, judgement: { kind: 'similar', structure: true } });
  });
});

describeEachDatabase('match index rows across migrations 0011, 0023 and 0024', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  it('deletes the degenerate and flat-pattern rows indexed before; the others keep their hashes back to bit(256) and up to words', async () => {
    const db = server.ctx.db;
    await insertWorks(db, [{ id: 'flat-legacy' }, { id: 'fine-legacy' }]);
    const balanced = 'f0'.repeat(32); // every word's top bit set: negative bigints
    const other = '0f'.repeat(32);
    await bulkIndexHashes(db, [
      { workId: 'flat-legacy', label: 'global', hash: '0'.repeat(64) },
      { workId: 'flat-legacy', label: 'alpha-black', hash: balanced },
      { workId: 'fine-legacy', label: 'global', hash: other },
      // PDQ's flat-window checkerboard a few bits off: a fine dot grid's centred window (migration 0024).
      { workId: 'fine-legacy', label: 'crop-92', hash: flipBits('5555aaaa'.repeat(8), [9, 120]) },
      { workId: 'fine-legacy', label: 'crop-81', hash: flipBits('aaaa5555'.repeat(8), [3, 60, 200]) },
    ]);
    await db.updateTable('works').set({ pdq_quality: 0 }).where('id', '=', 'flat-legacy').execute();
    await db.updateTable('works').set({ pdq_quality: 80 }).where('id', '=', 'fine-legacy').execute();

    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
    expect((await migrator.migrateTo('0022_part_classes')).error).toBeUndefined();
    await degenerateHashesMigration.up(db as never);
    expect(await migrateToLatest(db)).toEqual(['0023_hash_words', '0024_flat_pattern_hashes']);
    // The rebuilt table is vacuumed at once, so the slot btrees are read without visiting the heap.
    const { rows } = await sql<{ pages: number; visible: number }>`
      select relpages as pages, relallvisible as visible from pg_class where relname = 'work_hashes'`.execute(db);
    expect(rows[0]!.pages).toBeGreaterThan(0);
    expect(rows[0]!.visible).toBe(rows[0]!.pages);

    expect(await findStoredHashes(db, 'flat-legacy')).toEqual([{ label: 'alpha-black', hash: balanced }]);
    expect(await findStoredHashes(db, 'fine-legacy')).toEqual([{ label: 'global', hash: other }]);
    const near = flipBits(other, [3, 40, 77, 200]);
    for (const search of [findMatches, bruteForceMatches]) {
      const [match] = await search(db, { hashes: [{ label: 'global', hash: near }] });
      expect(match).toMatchObject({ workId: 'fine-legacy', distance: 4, storedLabel: 'global' });
    }
  });
});

/** A work's stored hashes with the given labels, as the match index holds them. */
async function storedRows(db: TestServer['ctx']['db'], workId: string, labels: readonly string[]) {
  return (await findStoredHashes(db, workId)).filter((r) => labels.includes(r.label));
}
