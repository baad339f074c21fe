import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { bruteForceMatches, bulkIndexHashes, findMatches, indexWorkHashes, type MatchCandidate } from '../../api/matching/service.ts';
import { withIndexesDeferred, type HashRow } from '../../api/matching/repository.ts';
import { sql } from 'kysely';
import { hammingDistanceHex } from '../../api/matching/hashes.ts';
import { insertWorks, neighbour, randomHash, seededRandom } from './fixtures.ts';
import { queryHashes, storedHashes } from '../../api/matching/policy.ts';
import { storedLabelClass } from '../../api/matching/label-classes.ts';
import type { Fingerprint } from '../../api/images/types.ts';

const VARIANTS = ['global', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'transpose', 'transverse'];
const REGIONS = ['crop-90', 'crop-75', 'crop-60'];
const q = (label: string, hash: string) => ({ label, hash, quality: 100 });

describeEachDatabase('match index', (backend) => {
  let server: TestServer;
  const random = seededRandom(20240601);
  const stored = new Map<string, { label: string; hash: string }[]>();
  const queries: { label: string; hash: string; quality: number }[][] = [];
  /** For each query: the planted work ids and their distance to the planted query hash. */
  const planted: Map<string, number>[] = [];

  async function store(id: string, hashes: { label: string; hash: string }[], status: 'active' | 'revoked' = 'active', sha256?: string) {
    await insertWorks(server.ctx.db, [{ id, status, ...(sha256 ? { sha256 } : {}) }]);
    await indexWorkHashes(
      server.ctx.db,
      id,
      hashes.map((h) => q(h.label, h.hash)),
    );
    stored.set(id, hashes);
  }

  beforeAll(async () => {
    server = await startTestServer(backend);
    const db = server.ctx.db;
    // Background: works with a global hash and region hashes, all random.
    const background = Array.from({ length: 150 }, (_, i) => `bg-${i}`);
    await insertWorks(
      db,
      background.map((id) => ({ id })),
    );
    const rows: HashRow[] = [];
    for (const id of background) {
      const hashes = [{ label: 'global', hash: randomHash(random) }, ...REGIONS.map((label) => ({ label, hash: randomHash(random) }))];
      rows.push(...hashes.map((h) => ({ workId: id, ...h })));
      stored.set(id, hashes);
    }
    // Per query: 8 random variant hashes + 2 region hashes; neighbours planted at every distance 0..40
    // of one randomly chosen query hash, each stored under a random label of its own work.
    for (let n = 0; n < 6; n++) {
      const query = [...VARIANTS, 'crop-90', 'crop-75'].map((label) => q(label, randomHash(random)));
      queries.push(query);
      const target = query[Math.floor(random() * query.length)]!;
      const expected = new Map<string, number>();
      const works = Array.from({ length: 41 }, (_, distance) => ({ id: `q${n}-d${distance}`, distance }));
      await insertWorks(db, works);
      for (const { id, distance } of works) {
        const label = ['global', ...REGIONS][Math.floor(random() * 4)]!;
        const hash = neighbour(target.hash, distance, random);
        rows.push({ workId: id, label, hash });
        stored.set(id, [{ label, hash }]);
        expected.set(id, distance);
      }
      planted.push(expected);
    }
    // The bulk path (one statement) for the bulk of the rows; indexWorkHashes is exercised below.
    await bulkIndexHashes(db, rows);
  });
  afterAll(async () => server?.close());

  /** The answer computed in plain TypeScript, independent of SQL. */
  function reference(query: { label: string; hash: string }[], maxDistance = 31): Map<string, number> {
    const best = new Map<string, number>();
    for (const [workId, hashes] of stored) {
      for (const s of hashes) {
        for (const h of query) {
          const d = hammingDistanceHex(s.hash, h.hash);
          if (d <= maxDistance && d < (best.get(workId) ?? Infinity)) best.set(workId, d);
        }
      }
    }
    return best;
  }

  const asMap = (matches: MatchCandidate[]) => new Map(matches.map((m) => [m.workId, m.distance]));

  it('finds every planted neighbour at distance 0..31 and none at 32..40, exactly like the full scan', async () => {
    for (const [n, query] of queries.entries()) {
      const indexed = await findMatches(server.ctx.db, { hashes: query }, { limit: 1000 });
      const scanned = await bruteForceMatches(server.ctx.db, { hashes: query }, { limit: 1000 });
      expect(indexed).toEqual(scanned);
      expect(asMap(indexed)).toEqual(reference(query));
      const found = asMap(indexed);
      for (const [id, distance] of planted[n]!) {
        if (distance <= 31) expect(found.get(id), `${id}`).toBe(distance);
        else expect(found.has(id), `${id}`).toBe(false);
      }
    }
  });

  it('reports which query hash and which stored hash matched, ranked by distance', async () => {
    const query = queries[0]!;
    const matches = await findMatches(server.ctx.db, { hashes: query }, { limit: 1000 });
    expect(matches.length).toBe(32);
    expect(matches.map((m) => m.distance)).toEqual([...matches.map((m) => m.distance)].sort((a, b) => a - b));
    for (const m of matches) {
      const queryHash = query.find((h) => h.label === m.queryLabel)!;
      const storedHash = stored.get(m.workId)!.find((h) => h.label === m.storedLabel)!;
      expect(hammingDistanceHex(queryHash.hash, storedHash.hash)).toBe(m.distance);
      expect(m.exact).toBe(false);
    }
  });

  it('honours a stricter maxDistance and the limit', async () => {
    const query = queries[1]!;
    const strict = await findMatches(server.ctx.db, { hashes: query }, { maxDistance: 10 });
    expect(asMap(strict)).toEqual(reference(query, 10));
    expect(strict).toEqual(await bruteForceMatches(server.ctx.db, { hashes: query }, { maxDistance: 10 }));
    const top3 = await findMatches(server.ctx.db, { hashes: query }, { limit: 3 });
    expect(top3.map((m) => m.distance)).toEqual([0, 1, 2]);
  });

  it('ranks exact SHA-256 matches first, then by distance, and still reports revoked works', async () => {
    const base = randomHash(random);
    const sha = 'ab'.repeat(32);
    await store('rank-exact', [{ label: 'global', hash: neighbour(base, 20, random) }], 'active', sha);
    await store('rank-near', [{ label: 'global', hash: neighbour(base, 3, random) }]);
    await store('rank-revoked', [{ label: 'crop-90', hash: neighbour(base, 1, random) }], 'revoked');
    await insertWorks(server.ctx.db, [{ id: 'rank-sha-only', sha256: sha }]);
    stored.set('rank-sha-only', []);

    const matches = await findMatches(server.ctx.db, { sha256: sha.toUpperCase(), hashes: [q('global', base)] });
    expect(matches.map((m) => [m.workId, m.exact, m.distance, m.revoked])).toEqual([
      ['rank-sha-only', true, 0, false],
      ['rank-exact', true, 20, false],
      ['rank-revoked', false, 1, true],
      ['rank-near', false, 3, false],
    ]);
    expect(matches[0]!.queryLabel).toBe('sha256');
    expect(matches[2]!.storedLabel).toBe('crop-90');
    expect(await bruteForceMatches(server.ctx.db, { sha256: sha, hashes: [q('global', base)] })).toEqual(matches);
  });

  it('answers an exact-only query and an empty query', async () => {
    const sha = 'cd'.repeat(32);
    await insertWorks(server.ctx.db, [{ id: 'sha-alone', sha256: sha }]);
    stored.set('sha-alone', []);
    expect(await findMatches(server.ctx.db, { sha256: sha, hashes: [] })).toEqual([
      { workId: 'sha-alone', distance: 0, exact: true, queryLabel: 'sha256', storedLabel: 'sha256', revoked: false },
    ]);
    expect(await findMatches(server.ctx.db, { hashes: [] })).toEqual([]);
  });

  it('finds every work that stores the same hash, through the slot btrees that carry no row id (migration 0014)', async () => {
    const shared = randomHash(random);
    await store('twin-a', [{ label: 'global', hash: shared }]);
    await store('twin-b', [{ label: 'crop-90', hash: shared }]);
    const query = { hashes: [{ label: 'global', hash: neighbour(shared, 5, random) }] };
    const found = await findMatches(server.ctx.db, query);
    expect(found.filter((m) => m.workId.startsWith('twin-')).map((m) => [m.workId, m.storedLabel, m.distance])).toEqual([
      ['twin-a', 'global', 5],
      ['twin-b', 'crop-90', 5],
    ]);
    expect(found).toEqual(await bruteForceMatches(server.ctx.db, query));
  });

  it("keeps a work's best PDQ pair and its best structure pair apart (migration 0021), index and full scan alike", async () => {
    const pdq = randomHash(random);
    const structure = randomHash(random);
    // A noisy work stored under both; its structure row is nearer the query than its PDQ row.
    await store('noisy', [
      { label: 'global', hash: pdq },
      { label: 'structure', hash: structure },
    ]);
    const query = {
      hashes: [
        { label: 'global', hash: neighbour(pdq, 14, random) },
        { label: 'structure', hash: neighbour(structure, 3, random), against: 'structure' as const },
      ],
    };
    const found = (await findMatches(server.ctx.db, query)).filter((m) => m.workId === 'noisy');
    expect(found.map((m) => [m.queryLabel, m.storedLabel, m.distance])).toEqual([
      ['structure', 'structure', 3],
      ['global', 'global', 14],
    ]);
    expect(await findMatches(server.ctx.db, query)).toEqual(await bruteForceMatches(server.ctx.db, query));
  });

  it('bulk loads with the indexes and foreign key deferred, restores them, and still answers exactly', async () => {
    const db = server.ctx.db;
    const target = randomHash(random);
    await insertWorks(db, [{ id: 'bulk-near' }, { id: 'bulk-far' }]);
    const rows = [
      { workId: 'bulk-near', label: 'global', hash: neighbour(target, 31, random) },
      { workId: 'bulk-far', label: 'global', hash: neighbour(target, 32, random) },
    ];
    for (const r of rows) stored.set(r.workId, [{ label: r.label, hash: r.hash }]);
    await withIndexesDeferred(db, () => bulkIndexHashes(db, rows));
    const indexes = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_indexes where tablename = 'work_hashes' and indexname like 'work_hashes_s%'`.execute(db);
    expect(indexes.rows[0]!.n).toBe(16);
    // The work_id index and the foreign key are back too.
    await expect(indexWorkHashes(db, 'no-such-work', [q('global', target)])).rejects.toThrow(/foreign key/);
    const workIndex = await sql<{ n: number }>`select count(*)::int as n from pg_indexes where indexname = 'work_hashes_work_idx'`.execute(
      db,
    );
    expect(workIndex.rows[0]!.n).toBe(1);
    const matches = await findMatches(db, { hashes: [q('global', target)] });
    expect(matches.map((m) => [m.workId, m.distance])).toEqual([['bulk-near', 31]]);
  });

  describe('restricted to the pairs the match rules need', () => {
    const DIHEDRAL = ['global', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flip-plus1', 'flip-minus1'];
    const CROPS = ['crop-96', 'crop-92', 'crop-88', 'crop-85', 'crop-81', 'crop-78', 'crop-75', 'crop-72', 'crop-69'];
    const ANCHORS = ['l', 'r', 't', 'b', 'tl', 'tr', 'bl', 'br'];
    const EDGES = ANCHORS.map((a) => `edge-${a}85`);
    const VIEWS = [97, 94, 91, 88].flatMap((s) => ANCHORS.map((a) => `view-${a}${s}`));
    const REGION_LABELS = [
      ...CROPS,
      'trimmed',
      ...EDGES,
      ...VIEWS,
      'lightness',
      'lightness-clipped',
      'alpha-black',
      'alpha-grey',
      'turned',
      'framed',
    ];
    const LIGHTNESS = ['lightness', 'lightness-clipped'];
    /** The product's rule, written out independently of label-classes.ts. */
    const allowed = (queryLabel: string, storedLabel: string) =>
      (DIHEDRAL.includes(queryLabel) && (storedLabel === 'global' || storedLabel === 'alpha-black')) ||
      (queryLabel === 'global' && storedLabel !== 'global') ||
      (LIGHTNESS.includes(queryLabel) && (LIGHTNESS.includes(storedLabel) || storedLabel === 'global')) ||
      (CROPS.includes(queryLabel) && !LIGHTNESS.includes(storedLabel) && !EDGES.includes(storedLabel)) ||
      queryLabel === 'trimmed' ||
      (['turned', 'framed'].includes(queryLabel) && (storedLabel === 'global' || storedLabel === 'alpha-black')) ||
      (VIEWS.includes(queryLabel) && storedLabel === `edge-${/^view-([a-z]+)\d+$/.exec(queryLabel)![1]}85`);

    it('matches every allowed (query, stored) pair and no other, index and full scan alike', async () => {
      const db = server.ctx.db;
      const variants = DIHEDRAL.map((label) => q(label, randomHash(random)));
      const regions = REGION_LABELS.map((label) => q(label, randomHash(random)));
      const fp: Fingerprint = {
        sha256: 'ef'.repeat(32),
        pdq: variants[0]!.hash,
        pdqQuality: 100,
        width: 64,
        height: 64,
        format: 'png',
        variants,
        regions,
      };
      const query = queryHashes(fp);
      // Every hash but the stored-only ones (side and corner windows, the grey flatten) and the black
      // flatten (queried only when the white one is blank): 8 variants, 9 rungs, 'trimmed', 32 views,
      // 2 lightness, 'turned', 'framed'.
      expect(query).toHaveLength(8 + 9 + 1 + 32 + 2 + 2);
      const storedLabels = storedHashes({ pdq: randomHash(random), pdqQuality: 100, regions }).map((h) => h.label);
      // 'global', 3 rungs, 'trimmed', 8 side and corner windows, 2 lightness, 'alpha-black', 'alpha-grey'.
      expect(storedLabels).toHaveLength(1 + 3 + 1 + 8 + 2 + 2);
      // One work per (query label, stored label): a single stored row 4 bits from that query hash.
      const works: { id: string; queryLabel: string; storedLabel: string; hash: string }[] = [];
      for (const [qi, h] of query.entries()) {
        for (const [si, storedLabel] of storedLabels.entries()) {
          works.push({ id: `pair-${qi}-${si}`, queryLabel: h.label, storedLabel, hash: neighbour(h.hash, 4, random) });
        }
      }
      await insertWorks(
        db,
        works.map((w) => ({ id: w.id })),
      );
      await bulkIndexHashes(
        db,
        works.map((w) => ({ workId: w.id, label: w.storedLabel, hash: w.hash })),
      );
      for (const w of works) stored.set(w.id, [{ label: w.storedLabel, hash: w.hash }]);

      const pairs = (matches: MatchCandidate[]) =>
        matches
          .filter((m) => m.workId.startsWith('pair-'))
          .map((m) => `${m.queryLabel}→${m.storedLabel}`)
          .sort();
      const expected = works
        .filter((w) => allowed(w.queryLabel, w.storedLabel))
        .map((w) => `${w.queryLabel}→${w.storedLabel}`)
        .sort();
      expect(expected.length).toBeGreaterThan(30);
      expect(expected.length).toBeLessThan(works.length / 2);

      const indexed = await findMatches(db, { hashes: query }, { limit: 1000 });
      expect(pairs(indexed)).toEqual(expected);
      expect(indexed.filter((m) => m.workId.startsWith('pair-')).every((m) => m.distance === 4)).toBe(true);
      expect(await bruteForceMatches(db, { hashes: query }, { limit: 1000 })).toEqual(indexed);
      // A rung of the query's centred ladder meets the work's rungs (a centred crop) and its whole image (a pad)…
      expect(pairs(indexed)).toContain('crop-75→crop-92');
      expect(pairs(indexed)).toContain('crop-75→global');
      expect(pairs(indexed)).not.toContain('crop-75→lightness');
      expect(pairs(indexed)).toContain('global→crop-92');
      // …a view anchored to a side or corner meets the work's side and corner windows, not its whole image.
      expect(pairs(indexed)).toContain('view-tl94→edge-tl85');
      expect(pairs(indexed)).not.toContain('view-tl94→edge-br85');
      expect(pairs(indexed)).not.toContain('view-tl94→global');
      expect(pairs(indexed)).toContain('rot90→alpha-black');
      expect(pairs(indexed)).not.toContain('rot90→crop-92');
      expect(pairs(indexed)).toContain('lightness→lightness');
      expect(pairs(indexed)).toContain('lightness→global');
      expect(pairs(indexed)).toContain('global→lightness');
      expect(pairs(indexed)).toContain('lightness-clipped→lightness-clipped');
      expect(pairs(indexed)).toContain('lightness→lightness-clipped');
      expect(pairs(indexed)).not.toContain('rot90→lightness-clipped');
      expect(pairs(indexed)).not.toContain('lightness→crop-96');
      expect(pairs(indexed)).not.toContain('rot90→lightness');
      expect(pairs(indexed)).toContain('crop-72→crop-72');
      expect(pairs(indexed)).toContain('turned→global');
      expect(pairs(indexed)).toContain('framed→alpha-black');
      expect(pairs(indexed)).not.toContain('framed→crop-92');
      expect(pairs(indexed)).toContain('global→alpha-grey');
      expect(pairs(indexed)).not.toContain('rot90→alpha-grey');
      expect(pairs(indexed)).not.toContain('crop-75→crop-75');
      // …while without restriction ('any', the default) every one of the 21 × 14 pairs is.
      const unrestricted = query.map(({ label, hash }) => ({ label, hash }));
      expect(pairs(await findMatches(db, { hashes: unrestricted }, { limit: 1000 }))).toHaveLength(works.length);
    });

    it('sends the black flatten only when the white flatten is blank (a light alpha-only copy kept transparent)', () => {
      const blank = '0'.repeat(64);
      const black = q('alpha-black', randomHash(random));
      const fp = (pdq: string, pdqQuality: number): Fingerprint => ({
        sha256: 'ab'.repeat(32),
        pdq,
        pdqQuality,
        width: 64,
        height: 64,
        format: 'png',
        variants: [q('global', pdq)],
        regions: [black],
      });
      expect(queryHashes(fp(blank, 0))).toEqual([expect.objectContaining({ label: 'alpha-black', against: 'whole' })]);
      expect(queryHashes(fp(randomHash(random), 100)).map((h) => h.label)).toEqual(['global']);
    });

    it('queries identical hashes once, against the union of the stored classes they asked for', async () => {
      const db = server.ctx.db;
      const base = randomHash(random);
      await insertWorks(db, [{ id: 'union-crop' }, { id: 'union-global' }]);
      await bulkIndexHashes(db, [
        { workId: 'union-crop', label: 'crop-88', hash: neighbour(base, 2, random) },
        { workId: 'union-global', label: 'global', hash: neighbour(base, 3, random) },
      ]);
      const ids = (matches: MatchCandidate[]) =>
        matches
          .map((m) => m.workId)
          .filter((id) => id.startsWith('union-'))
          .sort();
      expect(ids(await findMatches(db, { hashes: [{ label: 'trimmed', hash: base, against: 'whole-only' }] }))).toEqual(['union-global']);
      expect(ids(await findMatches(db, { hashes: [{ label: 'rot90', hash: base, against: 'regions' }] }))).toEqual(['union-crop']);
      const both = [
        { label: 'trimmed', hash: base, against: 'whole-only' as const },
        { label: 'rot90', hash: base, against: 'regions' as const },
      ];
      const matches = await findMatches(db, { hashes: both });
      expect(ids(matches)).toEqual(['union-crop', 'union-global']);
      expect(matches.filter((m) => m.workId.startsWith('union-')).every((m) => m.queryLabel === 'trimmed')).toBe(true);
      expect(await bruteForceMatches(db, { hashes: both })).toEqual(matches);
      await expect(findMatches(db, { hashes: [{ label: 'x', hash: base, against: 'nothing' as never }] })).rejects.toMatchObject({
        code: 'validation_failed',
      });
    });

    it('derives the stored label class in the database exactly as label-classes.ts does', async () => {
      const rows = await sql<{ label: string; label_class: number }>`select distinct label, label_class from work_hashes`.execute(
        server.ctx.db,
      );
      expect(rows.rows.length).toBeGreaterThanOrEqual(16);
      for (const row of rows.rows) expect(row.label_class, row.label).toBe(storedLabelClass(row.label));
    });
  });

  it('rejects malformed hashes and out-of-range options with validation_failed', async () => {
    await expect(findMatches(server.ctx.db, { hashes: [q('global', 'zz')] })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(findMatches(server.ctx.db, { hashes: [] }, { maxDistance: 32 })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(indexWorkHashes(server.ctx.db, 'bg-0', [q('global', '0'.repeat(63))])).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(bulkIndexHashes(server.ctx.db, [{ workId: 'bg-0', label: 'global', hash: 'G'.repeat(64) }])).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});
