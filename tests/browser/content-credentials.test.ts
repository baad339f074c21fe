import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { readContentCredentials } from '../../api/content-credentials/read.ts';
import { hasChromium, launchBrowser, openPage, ready, screenshot, type WatchedPage } from './support.ts';

const PASSPHRASE = 'harbour lantern quiet moss';

/**
 * An artist registers a work in the browser, downloads it with Content Credentials from the work page,
 * and a viewer's verify report shows the embedded manifest linked to the work.
 */
describe.skipIf(!hasChromium)('Content Credentials in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let artist: WatchedPage;
  let original: Buffer;
  let credentialed = '';
  let workId = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer('pglite'), launchBrowser()]);
    artist = await openPage(browser, server.url);
    original = await sharp(await renderArtwork(4242))
      .jpeg({ quality: 90 })
      .toBuffer();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the artist downloads a registered work with Content Credentials from its page', async () => {
    const { page } = artist;
    await page.goto('/identity');
    await ready(page, '/identity');
    await page.getByLabel('Handle').fill('ines');
    await page.getByLabel('Display name').fill('Inès Moreau');
    await page.getByRole('button', { name: 'Create my key' }).click();
    await page.getByLabel('Backup passphrase').fill(PASSPHRASE);
    await page.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download encrypted backup' }).click()]);
    await page.getByRole('button', { name: 'Create my account' }).click();
    await expect.poll(() => page.locator('#session').textContent(), { timeout: 20_000 }).toContain('@ines');

    await page.goto('/register');
    await ready(page, '/register');
    await page.getByLabel('Choose the image of your work').setInputFiles({ name: 'harbour.jpg', mimeType: 'image/jpeg', buffer: original });
    await page.getByLabel('Title').fill('Harbour at dusk');
    await page.getByRole('button', { name: 'Check the image' }).click();
    await expect.poll(() => page.locator('#draft-h').count(), { timeout: 30_000 }).toBe(1);
    await page.getByRole('button', { name: 'Sign and register' }).click();
    await expect.poll(() => page.locator('#receipt-h').count(), { timeout: 30_000 }).toBe(1);
    const href = (await page.locator('.receipt a.work-link').getAttribute('href'))!;
    workId = href.replace('/w/', '');
    await page.locator('.receipt a.work-link').click();
    await ready(page, href);

    await page
      .getByLabel('Your file of this work (JPEG, PNG or WebP)')
      .setInputFiles({ name: 'harbour.jpg', mimeType: 'image/jpeg', buffer: original });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download with Content Credentials' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`aura-${workId}.c2pa.jpg`);
    credentialed = (await download.path())!;
    await expect.poll(() => page.locator('.cc-status').textContent()).toMatch(/Ready: .* \(manifest urn:c2pa:/);
    await screenshot(page, 'content-credentials-work-page');

    const read = await readContentCredentials(fs.readFileSync(credentialed));
    expect(read.activeManifest?.aura?.workId).toBe(workId);
    expect(read.activeManifest?.identities[0]?.verifiedIdentities[0]).toMatchObject({ username: 'ines', name: 'Inès Moreau' });
    expect(artist.problems).toEqual([]);
  });

  it('a viewer’s verify report shows the manifest, its signer and identity, linked to the work', async () => {
    const viewer = await openPage(browser, server.url, { width: 390, height: 844 });
    const { page } = viewer;
    await page.goto('/');
    await ready(page, '/');
    await page
      .getByLabel('Drop an image here, or choose a file')
      .setInputFiles({ name: 'harbour-credentialed.jpg', mimeType: 'image/jpeg', buffer: fs.readFileSync(credentialed) });
    await expect.poll(() => page.locator('#cc-h').count(), { timeout: 30_000 }).toBe(1);
    const section = await page.locator('section.content-credentials').textContent();
    expect(section).toContain('✓ Intact (Valid)');
    expect(section).toContain('signingCredential.untrusted');
    expect(section).toContain('Inès Moreau @ines (Aura)');
    expect(section).toContain('evidence level 1 (self-declared)');
    expect(await page.locator('section.content-credentials a').getAttribute('href')).toBe(`/w/${workId}`);
    await screenshot(page, 'content-credentials-verify-phone');
    expect(viewer.problems).toEqual([]);
    await viewer.context.close();
  });
});
