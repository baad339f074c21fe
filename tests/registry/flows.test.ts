import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../helpers/server.ts';
import { AuraClient, generateIdentity, signCredential, type Identity } from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { fixedClock } from '../../api/clock.ts';
import { operatorVerifies } from '../helpers/operator.ts';

const DAY = 24 * 3600 * 1000;
const png = (bytes: Buffer, filename = 'work.png') => ({ bytes, filename, type: 'image/png' });

describeEachDatabase('registry flows', (backend) => {
  let server: TestServer;
  const clock = fixedClock(new Date());
  let artist: Identity;
  let gallery: Identity;
  let artistClient: AuraClient;
  let galleryClient: AuraClient;
  let workImage: Buffer;
  let workId: string;

  beforeAll(async () => {
    server = await startTestServer(backend, { clock });
    artist = await generateIdentity();
    gallery = await generateIdentity();
    artistClient = new AuraClient(server.url);
    galleryClient = new AuraClient(server.url);
    await artistClient.createAccount(artist, { handle: 'ada', displayName: 'Ada Painter', kind: 'artist' });
    await galleryClient.createAccount(gallery, { handle: 'north-gallery', displayName: 'North Gallery', kind: 'organization' });
    // Process images are logged a day and a half of server time back, so that afterwards it is about now again.
    clock.set(new Date(Date.now() - 3 * (DAY / 2 + 1000)));
    await artistClient.signIn(artist);
    await galleryClient.signIn(gallery);
    workImage = await renderArtwork(11);
  });
  afterAll(async () => server?.close());

  it('registers a work with process images logged over more than a day before it (level 2)', async () => {
    const processIds: string[] = [];
    for (const stage of [0.3, 0.6, 0.9]) {
      const receipt = await artistClient.addProcessImage(artist, png(await renderArtwork(11, { stage })));
      processIds.push(receipt.processId);
      clock.advance(DAY / 2 + 1000);
      await artistClient.signIn(artist); // sessions last an hour of server time
    }
    await galleryClient.signIn(gallery);
    const result = await artistClient.registerWork(artist, png(workImage), {
      title: 'Harbour at dusk',
      year: 2026,
      medium: 'oil on canvas',
      statement: 'Painted by hand in my studio.',
      digitalSourceType: 'digitalCapture',
      processIds,
    });
    workId = result.workId;
    expect(result.receipt.logIndex).toBeGreaterThan(0);
    expect(result.receipt.inclusionProof.size).toBeGreaterThan(result.receipt.logIndex);
    expect(result.receipt.checkpoint).toContain('\n\n— ');
    const work = await artistClient.request('GET', `/v1/works/${workId}`);
    expect(work.artist.handle).toBe('ada');
    expect(work.signature).toMatchObject({ valid: true, keyActiveAtLogTime: true });
    expect(work.evidenceLevel.level).toBe(2);
    expect(work.processImages).toHaveLength(3);
  });

  it('answers a retried commit with the same receipt instead of a conflict', async () => {
    const draft = await artistClient.request(
      'POST',
      '/v1/works/drafts',
      artistClient.form(png(await renderArtwork(12)), { title: 'Retry' }),
    );
    expect(draft.strictMatching).toBe(draft.fingerprint.pdqQuality < 50);
    const jws = await signCredential(artist, draft.payload);
    const first = await artistClient.request('POST', '/v1/works', { draftId: draft.draftId, jws });
    const again = await artistClient.request('POST', '/v1/works', { draftId: draft.draftId, jws });
    expect(again).toMatchObject({ workId: first.workId, logIndex: first.logIndex });
  });

  it('gives the same artist the existing work back for the same file', async () => {
    const again = await artistClient.registerWork(artist, png(workImage), { title: 'Harbour at dusk again' });
    expect(again).toMatchObject({ existing: true, workId });
  });

  it('lets a gallery the operator verified attest (level 3) and a viewer verify a resized, re-compressed copy', async () => {
    await galleryClient.attest(gallery, workId, { type: 'exhibited', note: 'Shown in "Light", spring 2026', date: '2026-04-01' });
    await operatorVerifies(server, 'north-gallery', { note: 'checked in person' });
    const copy = await sharp(workImage).resize({ width: 500 }).jpeg({ quality: 60 }).toBuffer();
    const report = await new AuraClient(server.url).verify({ bytes: copy, filename: 'copy.jpg', type: 'image/jpeg' });
    expect(report.matches.length).toBeGreaterThan(0);
    const [best] = report.matches;
    expect(best.workId).toBe(workId);
    expect(best.exact).toBe(false);
    expect(best.distance).toBeLessThanOrEqual(31);
    expect(best.work.artist.handle).toBe('ada');
    expect(best.evidenceLevel.level).toBe(3);
    expect(best.attestations[0]).toMatchObject({
      type: 'exhibited',
      issuer: { handle: 'north-gallery', verified: true, label: 'verified organisation' },
      valid: true,
      countsTowardLevel: true,
    });
    expect(best.signature.valid).toBe(true);
  });

  it('reports an exact copy first and nothing for an unrelated image', async () => {
    const exact = await new AuraClient(server.url).verify(png(workImage));
    expect(exact.matches[0]).toMatchObject({ workId, exact: true, distance: 0 });
    const other = await new AuraClient(server.url).verify(png(await renderArtwork(999)));
    expect(other.matches).toEqual([]);
  });

  it('refuses another artist registering the same work, exact or resized, and logs the attempt', async () => {
    const thief = await generateIdentity();
    const thiefClient = new AuraClient(server.url);
    await thiefClient.createAccount(thief, { handle: 'copycat', displayName: 'Copy Cat', kind: 'artist' });
    await thiefClient.signIn(thief);
    const before = await worksCount();
    for (const bytes of [workImage, await sharp(workImage).resize({ width: 640 }).jpeg({ quality: 80 }).toBuffer()]) {
      const err = await thiefClient.registerWork(thief, png(bytes), { title: 'Mine now' }).catch((e) => e);
      expect(err.status).toBe(409);
      expect(err.problem.code).toBe('priority_conflict');
      expect(err.problem.earlierWork).toMatchObject({ id: workId, artist: { handle: 'ada' } });
    }
    expect(await worksCount()).toBe(before);
    const refused = await server.ctx.db.selectFrom('log_entries').select('type').where('type', '=', 'registration.refused').execute();
    expect(refused.length).toBe(2);
  });

  it('records disputes and revocation without deleting anything', async () => {
    const critic = await generateIdentity();
    const criticClient = new AuraClient(server.url);
    await criticClient.createAccount(critic, { handle: 'critic', displayName: 'A Critic', kind: 'artist' });
    await criticClient.signIn(critic);
    await criticClient.dispute(critic, workId, 'ai-generated', 'The brush strokes look <b>synthetic</b>.');
    await artistClient.revokeWork(artist, workId, 'sold and re-registered elsewhere');
    const work = await artistClient.request('GET', `/v1/works/${workId}`);
    expect(work.revoked).toBe(true);
    expect(work.evidenceLevel.level).toBe(0);
    expect(work.disputes[0]).toMatchObject({ reason: 'ai-generated', text: 'The brush strokes look <b>synthetic</b>.' });
    const report = await new AuraClient(server.url).verify(png(workImage));
    expect(report.matches[0]).toMatchObject({ workId, revoked: true });
    const badge = await (await server.fetch(`/v1/works/${workId}/badge.svg`)).text();
    expect(badge).toContain('revoked');
    const timeline = await artistClient.request('GET', `/v1/works/${workId}/timeline`);
    expect(timeline.entries.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['work.registered', 'attestation.issued', 'dispute.filed', 'work.revoked', 'draft.registered']),
    );
  });

  it('rotates a key: add a new one, revoke the old, sign in with the new', async () => {
    const next = await generateIdentity();
    await artistClient.addKey(artist, 'ada', next);
    await artistClient.revokeKey(next, artist.kid);
    const account = await artistClient.request('GET', '/v1/accounts/ada');
    expect(account.keys.map((k: { status: string }) => k.status).sort()).toEqual(['active', 'revoked']);
    const fresh = new AuraClient(server.url);
    const err = await fresh.signIn(artist).catch((e) => e);
    expect(err.status).toBe(403);
    await fresh.signIn(next);
    const old = await artistClient.request('GET', '/v1/auth/session').catch((e) => e);
    expect(old.status).toBe(401);
  });

  it('browses and searches works', async () => {
    const page = await new AuraClient(server.url).request('GET', '/v1/works?q=harbour');
    expect(page.items.map((w: { id: string }) => w.id)).toContain(workId);
    const none = await new AuraClient(server.url).request('GET', '/v1/works?q=%25%25nothing');
    expect(none.total).toBe(0);
    const issued = await new AuraClient(server.url).request('GET', '/v1/accounts/north-gallery/attestations');
    expect(issued.items).toHaveLength(1);
    expect(issued.items[0]).toMatchObject({ type: 'exhibited', work: { id: workId, artist: { handle: 'ada' } } });
  });

  const worksCount = async () =>
    Number(
      (
        await server.ctx.db
          .selectFrom('works')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
});
