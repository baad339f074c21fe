import { createHash } from 'node:crypto';
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixture, readFixture, startTestServer, type TestServer } from '../helpers/server.ts';
import { hasChromium, launchBrowser, openPage, ready, screenshot, type WatchedPage, verifyOnHomePage } from './support.ts';
import { operatorVerifies } from '../helpers/operator.ts';
import { rotatedAndCropped } from '../images/synthetic.ts';

const PASSPHRASE = 'lantern orchard velvet tide';

/** Creates an identity through the page, downloads its backup, creates the account and signs in. */
async function createIdentity(page: Page, who: { handle: string; displayName: string; organisation?: boolean }): Promise<string> {
  await page.goto('/identity');
  await ready(page, '/identity');
  if (who.organisation) await page.getByLabel('Organisation — a gallery').check();
  await page.getByLabel('Handle').fill(who.handle);
  await page.getByLabel('Display name').fill(who.displayName);
  await page.getByRole('button', { name: 'Create my key' }).click();
  await page.getByLabel('Backup passphrase').fill(PASSPHRASE);
  await page.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download encrypted backup' }).click(),
  ]);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect
    .poll(() => page.locator('.done, fieldset .error').first().textContent(), { timeout: 20_000 })
    .toContain(`Your account @${who.handle} is created and you are signed in`);
  expect(await page.locator('#session').textContent()).toContain(`@${who.handle}`);
  return (await download.path())!;
}

/**
 * The whole story in real browsers against a real server: an artist registers a work with process
 * images, a gallery attests it, and a viewer recognises a resized, re-compressed copy.
 */
describe.skipIf(!hasChromium)('registration, attestation and verification flows in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let artist: WatchedPage;
  let gallery: WatchedPage;
  let viewer: WatchedPage;
  let workId = '';
  let workLogIndex = -1;
  let backupFile = '';
  const original = readFixture('pdq/reg-test-input/pen-and-coaster.png');

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer('pglite'), launchBrowser()]);
    artist = await openPage(browser, server.url);
    gallery = await openPage(browser, server.url);
    viewer = await openPage(browser, server.url, { width: 390, height: 844 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an artist creates an identity, signs out and signs in again with the key', async () => {
    const { page } = artist;
    backupFile = await createIdentity(page, { handle: 'mira', displayName: 'Mira Okafor' });
    await screenshot(page, 'flow-artist-identity');
    // The profile typed in the page is signed by the new key (issue 18, finding 5).
    expect((await (await server.fetch('/v1/accounts/mira')).json()).profileSigned).toBe(true);
    const token = (await artist.context.cookies()).find((c) => c.name === 'aura_session')!.value;
    const withToken = () => server.fetch('/v1/auth/session', { headers: { authorization: `Bearer ${token}` } });
    expect((await withToken()).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.locator('#session').textContent()).toBe('Sign in');
    // Signing out in the page ended the session on the server, not only in this browser (finding 4).
    await expect.poll(async () => (await withToken()).status).toBe(401);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.locator('#session').textContent(), { timeout: 15_000 }).toContain('@mira');
    expect(artist.problems).toEqual([]);
  });

  it('the artist restores the backup on another device and signs in there', async () => {
    const device = await openPage(browser, server.url);
    const { page } = device;
    await page.goto('/identity');
    await ready(page, '/identity');
    const restore = page.locator('form', { has: page.getByRole('button', { name: 'Restore' }) });
    await restore.getByLabel('Backup file (.aura-key)').setInputFiles(backupFile);
    await restore.getByLabel('Passphrase').fill(PASSPHRASE);
    await restore.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => restore.locator('.status').textContent(), { timeout: 15_000 }).toContain('@mira is restored in this browser');
    await page.locator('.identity', { hasText: 'Mira Okafor' }).getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#session').textContent(), { timeout: 15_000 }).toContain('@mira');
    await screenshot(page, 'flow-restore-signed-in');
    await device.context.close();
    expect(device.problems).toEqual([]);
  });

  it('the artist logs work-in-progress images, then registers the final work and gets a receipt', async () => {
    const { page } = artist;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Register' }).click();
    await ready(page, '/register');
    await page
      .getByLabel('Add work-in-progress images')
      .setInputFiles(['q0003.jpg', 'q0004.jpg', 'q0122.jpg'].map((f) => fixture(`pdq/reg-test-input/labelme-subset/${f}`)));
    await page.getByRole('button', { name: 'Sign and log these 3 images' }).click();
    await expect.poll(() => page.locator('.process-list li.ok').count(), { timeout: 30_000 }).toBe(3);
    expect(await page.locator('.process-list').textContent()).toMatch(/signed and recorded as log entry #\d+/);

    await page
      .getByLabel('Choose the image of your work')
      .setInputFiles({ name: 'pen-and-coaster.png', mimeType: 'image/png', buffer: original });
    await page.getByLabel('Title').fill('Pen and coaster');
    await page.getByLabel('Medium').fill('gouache on paper');
    await page.getByRole('button', { name: 'Check the image' }).click();
    await expect.poll(() => page.locator('#draft-h').count(), { timeout: 30_000 }).toBe(1);
    const review = await page.locator('.draft').textContent();
    expect(review).toContain(createHash('sha256').update(original).digest('hex'));
    expect(review).toContain('AI screening: no AI markers in the metadata');
    expect(review).toContain('What this cannot prove');
    expect(await page.locator('.draft pre.json').textContent()).toContain('"processImages"');
    await screenshot(page, 'flow-register-review');

    await page.getByRole('button', { name: 'Sign and register' }).click();
    await expect.poll(() => page.locator('#receipt-h').count(), { timeout: 30_000 }).toBe(1);
    const href = await page.locator('.receipt a.work-link').getAttribute('href');
    workId = href!.replace('/w/', '');
    workLogIndex = Number((await page.locator('.receipt .facts').textContent())!.match(/#(\d+)/)![1]);
    expect(workId).toMatch(/^[0-9a-f-]{36}$/);
    expect(workLogIndex).toBeGreaterThan(3);
    expect(await page.locator('.receipt pre.checkpoint').textContent()).toMatch(/aura-log\n\d+\n/);
    await screenshot(page, 'flow-register-receipt');

    await page.locator('.receipt a.work-link').click();
    await ready(page, href!);
    expect(await page.locator('h1').textContent()).toBe('Pen and coaster');
    expect(await page.locator('.level-badge').textContent()).toContain('Evidence level 1: Self-declared');
    expect(await page.locator('.facts').first().textContent()).toContain('3 (3 logged before the final)');
    await expect.poll(() => page.locator('.timeline li').count()).toBe(4);
    expect(artist.problems).toEqual([]);
  });

  it('refuses an AI-marked image at registration with the reasons, and an unsupported file with a clear message', async () => {
    const { page } = artist;
    await page.goto('/register');
    await ready(page, '/register');
    const picker = page.getByLabel('Choose the image of your work');
    await picker.setInputFiles({ name: 'C.jpg', mimeType: 'image/jpeg', buffer: readFixture('c2pa/C.jpg') });
    await page.getByLabel('Title').fill('Not mine');
    await page.getByRole('button', { name: 'Check the image' }).click();
    await expect.poll(() => page.locator('form .error-code').textContent(), { timeout: 30_000 }).toBe('Error code: ai_markers_found');
    const error = await page.locator('form .error').textContent();
    expect(error).toContain('This image carries markers of AI generation');
    expect(error).toContain('Content Credentials (C2PA) record an AI generation step');
    expect(error).toContain('algorithmicMedia');
    await screenshot(page, 'flow-register-ai-refused');

    await picker.setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: readFixture('bad/heic-single.heic') });
    await page.getByRole('button', { name: 'Check the image' }).click();
    await expect.poll(() => page.locator('form .error-code').textContent(), { timeout: 30_000 }).toBe('Error code: unsupported_media_type');
    expect(await page.locator('form .error').textContent()).toMatch(/HEIC\/HEIF images are not supported/);
    expect(artist.problems).toEqual([]);
  });

  it('a gallery attests the work with its own key, then files a dispute that shows beside the level', async () => {
    const { page } = gallery;
    await createIdentity(page, { handle: 'gallery-north', displayName: 'Gallery North', organisation: true });
    await page.goto('/attest');
    await ready(page, '/attest');
    await page.getByLabel('Find the work').fill('Pen and');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('link', { name: /Pen and coaster — Mira Okafor/ }).click();
    await ready(page, '/attest');
    await page.getByLabel(/^Exhibited/).check();
    await page.getByLabel('Note (public, optional)').fill('Shown in “Small Things”, spring 2025.');
    await page.getByLabel('Date (optional)').fill('2025-04-12');
    await screenshot(page, 'flow-attest-form');
    await page.getByRole('button', { name: 'Sign the attestation' }).click();
    await expect
      .poll(() => page.locator('.attest-work p.ok').textContent(), { timeout: 20_000 })
      .toMatch(/Attestation signed and recorded as log entry #\d+/);

    await page.getByRole('link', { name: 'See it on the work’s page' }).click();
    await ready(page, `/w/${workId}`);
    // Anyone can make an organisation account: until the operator verifies it, its attestation is shown but gives no level 3.
    expect(await page.locator('.level-badge').textContent()).not.toContain('Evidence level 3');
    expect(await page.locator('.attestations').textContent()).toContain('Exhibited by Gallery North');
    expect(await page.locator('.attestations').textContent()).toContain('unverified organisation');
    await screenshot(page, 'flow-work-page-unverified-organisation');
    await operatorVerifies(server, 'gallery-north', { note: 'visited the gallery' });
    await page.reload();
    await ready(page, `/w/${workId}`);
    expect(await page.locator('.level-badge').textContent()).toContain('Evidence level 3: Witnessed');
    expect(await page.locator('.attestations').textContent()).toMatch(
      /Exhibited by Gallery North\s*verified organisation since .+ by the registry’s operator/,
    );
    expect(await page.locator('.timeline').textContent()).toContain('Organisation verified by the operator');
    // Anyone signed in may dispute; it shows beside the level at once.
    await page.getByLabel('What is wrong').selectOption('copied');
    await page.getByLabel(/^Explain/).fill('A near-identical photo appeared on a stock site in 2019.');
    await page.getByRole('button', { name: 'Sign and file the dispute' }).click();
    await ready(page, `/w/${workId}`);
    await expect
      .poll(() => page.locator('.disputes').textContent(), { timeout: 15_000 })
      .toContain('Disputed: It copies someone else’s work');
    expect(await page.locator('.banner.warning').first().textContent()).toContain('This work has 1 dispute');
    await screenshot(page, 'flow-work-page');
    expect(gallery.problems).toEqual([]);
  });

  it('a viewer on a phone recognises a resized, re-compressed copy and sees artist, level, attestation and dispute', async () => {
    const copy = await sharp(original).resize({ width: 600 }).jpeg({ quality: 70 }).toBuffer();
    const { page } = viewer;
    await verifyOnHomePage(page, { name: 'reposted.jpg', mimeType: 'image/jpeg', buffer: copy }, 'This image matches a registered work');
    const match = page.locator('article.match').first();
    expect(await match.locator('h3').textContent()).toBe('Pen and coaster by Mira Okafor');
    expect(await match.locator('.level-badge').textContent()).toContain('Evidence level 3: Witnessed');
    expect(await match.locator('.attestations').textContent()).toContain('Exhibited by Gallery North');
    expect(await match.locator('.banner.warning').textContent()).toContain('Disputed');
    const facts = await match.locator('.facts').textContent();
    expect(facts).toMatch(/Same image — \d+% similar/);
    expect(facts).toMatch(/Transform detected\S/);
    expect(facts).toContain('✓ Valid artist signature');
    expect(facts).toContain(`Recorded as entry #${workLogIndex}`);
    await expect
      .poll(() => match.locator('.facts').textContent(), { timeout: 15_000 })
      .toContain('✓ inclusion proof checked in your browser against the registry’s signed checkpoint');
    expect(await match.locator('img').count()).toBe(2);
    await expect
      .poll(() =>
        match
          .locator('img')
          .nth(1)
          .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
      )
      .toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await screenshot(page, 'flow-verify-match-phone');
    expect(viewer.problems).toEqual([]);
  });

  it('a viewer recognises a tilted, cropped re-post by its keypoints and is told how it was changed', async () => {
    // Turned 8°: past the turned views PDQ compares (2–5°), so only the keypoints find it.
    const tilted = await (await rotatedAndCropped(original, 8, { width: 0.76, height: 0.7 }))
      .resize({ width: 700 })
      .jpeg({ quality: 70 })
      .toBuffer();
    const { page } = viewer;
    await verifyOnHomePage(page, { name: 'tilted.jpg', mimeType: 'image/jpeg', buffer: tilted }, 'This image matches a registered work');
    const match = page.locator('article.match').first();
    expect(await match.locator('h3').textContent()).toBe('Pen and coaster by Mira Okafor');
    const facts = await match.locator('.facts').textContent();
    expect(facts).toMatch(/past the hash threshold; \d+ keypoints line up/);
    expect(facts).toMatch(/rotated [78]\.\d° clockwise, cropped/);
    expect(facts).toContain('found by its local features');
    await screenshot(page, 'flow-verify-local-features-phone');
    expect(viewer.problems).toEqual([]);
  });

  it('the viewer checks the work’s log entry, its inclusion proof and the profile, and downloads the bundle', async () => {
    const { page } = viewer;
    await page.goto(`/log?entry=${workLogIndex}`);
    await ready(page, '/log');
    await expect.poll(() => page.locator('.entry').textContent(), { timeout: 20_000 }).toContain('✓ Included in the log');
    expect(await page.locator('.entry h3').textContent()).toBe(`#${workLogIndex} Work registered`);
    expect(await page.locator('.facts').first().textContent()).toContain('✓ Signed by the registry’s log key');
    await expect.poll(() => page.locator('.log-entries li').count()).toBeGreaterThan(5);
    await screenshot(page, 'flow-log');

    await page.goto('/@mira');
    await ready(page, '/@mira');
    expect(await page.locator('h1').textContent()).toBe('Mira Okafor');
    expect(await page.locator('.works-grid').textContent()).toContain('Pen and coaster');
    expect(await page.locator('table.keys tbody tr').count()).toBe(1);
    expect(await page.locator('table.keys').textContent()).toContain('active');
    await screenshot(page, 'flow-profile');

    await page.goto('/@gallery-north');
    await ready(page, '/@gallery-north');
    await expect.poll(() => page.locator('ul.attestations').textContent(), { timeout: 15_000 }).toContain('Pen and coaster');
    expect(await page.locator('section.verification').textContent()).toMatch(
      /verified organisation since .+, by the registry’s operator \(key .+\).*Operator’s note: visited the gallery/,
    );
    await screenshot(page, 'flow-gallery-profile');

    await page.goto('/works?q=coaster');
    await ready(page, '/works');
    await expect.poll(() => page.locator('.works-grid .work-title').allTextContents(), { timeout: 15_000 }).toEqual(['Pen and coaster']);
    await screenshot(page, 'flow-works-search');

    await page.goto(`/w/${workId}`);
    await ready(page, `/w/${workId}`);
    expect(await page.locator('#badge-snippet').inputValue()).toContain(`/v1/works/${workId}/badge.svg`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the proof bundle' }).click(),
    ]);
    const bundle = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
    expect(JSON.stringify(bundle)).toContain(workId);
    expect(viewer.problems).toEqual([]);
  });

  it('the artist revokes the work, and a viewer then sees the revocation in plain sight', async () => {
    const { page } = artist;
    await page.goto(`/w/${workId}`);
    await ready(page, `/w/${workId}`);
    page.once('dialog', (d) => void d.accept());
    await page.getByLabel('Reason (public, optional)').fill('Registered the wrong photo.');
    await page.getByRole('button', { name: 'Revoke this registration' }).click();
    await expect.poll(() => page.locator('.banner.danger').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('.level-badge').textContent()).toContain('Evidence level 0: Unverified');

    await viewer.page.goto('/');
    await ready(viewer.page, '/');
    await viewer.page
      .getByLabel('Drop an image here, or choose a file')
      .setInputFiles({ name: 'original.png', mimeType: 'image/png', buffer: original });
    await expect
      .poll(() => viewer.page.locator('.results h2').first().textContent(), { timeout: 30_000 })
      .toBe('This image matches only a revoked registration');
    const match = viewer.page.locator('article.match').first();
    expect(await match.locator('.banner.danger').textContent()).toContain('Revoked: the artist has withdrawn this registration');
    expect(await match.locator('.level-badge').textContent()).toContain('Evidence level 0: Unverified');
    expect(await match.locator('.facts').textContent()).toContain('identical file');
    await screenshot(viewer.page, 'flow-verify-revoked');
    expect([...artist.problems, ...viewer.problems]).toEqual([]);
  });
});
