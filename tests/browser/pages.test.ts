import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { readFixture, startTestServer, type TestServer } from '../helpers/server.ts';
import { hasChromium, launchBrowser, openPage, ready, screenshot } from './support.ts';
import { AuraClient, generateIdentity } from '../../scripts/lib/aura-client.ts';

/** Pages that work on any server: verify (incl. its errors), identity keys and backups, routing. */
describe.skipIf(!hasChromium)('web UI pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer('pglite'), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('home asks the question, offers an accessible file picker, and renders on desktop and phone without errors', async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    const response = await page.goto('/');
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await ready(page, '/');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Was this made by a human?');
    expect(await page.getByLabel('Drop an image here, or choose a file').count()).toBe(1);
    expect(await page.title()).toBe('Verify an image — Aura');
    await screenshot(page, 'home-desktop');
    // The skip link is the first thing the keyboard reaches.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await context.close();

    const phone = await openPage(browser, server.url, { width: 390, height: 844 });
    await phone.page.goto('/');
    await ready(phone.page, '/');
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, 'home-phone');
    await phone.context.close();
    expect([...problems, ...phone.problems]).toEqual([]);
  });

  it('refuses a non-image before uploading it, and shows the server’s error for a broken JPEG next to the drop zone', async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    const uploads: string[] = [];
    page.on('request', (r) => r.url().includes('/v1/verify') && uploads.push(r.url()));
    await page.goto('/');
    await ready(page, '/');
    const picker = page.getByLabel('Drop an image here, or choose a file');

    await picker.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect.poll(() => page.locator('.hero [role=alert]').textContent()).toContain('Aura cannot read text/plain files');
    await picker.setInputFiles({ name: 'photo.heic', mimeType: 'image/heic', buffer: readFixture('bad/heic-single.heic') });
    await expect.poll(() => page.locator('.hero [role=alert]').textContent()).toContain('HEIC');
    expect(uploads).toEqual([]);

    // A HEIC file disguised as a JPEG passes the browser's check; the server's answer is shown instead.
    await picker.setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: readFixture('bad/heic-single.heic') });
    await expect.poll(() => page.locator('.hero .error-code').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('.hero .error-code').textContent()).toBe('Error code: unsupported_media_type');
    expect(await page.locator('.hero .error-title').textContent()).toBe('This file type is not supported.');
    expect(await page.locator('.hero .error-detail').textContent()).toMatch(/HEIC\/HEIF images are not supported/);
    expect(await page.locator('.hero .progress').isHidden()).toBe(true);
    expect(uploads.length).toBe(1);
    await screenshot(page, 'verify-error');
    await context.close();
    expect(problems).toEqual([]);
  });

  it('says plainly when nothing matches, and shows the file’s own metadata and AI markers', async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    await page.goto('/');
    await ready(page, '/');
    const picker = page.getByLabel('Drop an image here, or choose a file');
    await picker.setInputFiles({ name: 'canon.jpg', mimeType: 'image/jpeg', buffer: readFixture('camera/canon-dslr.jpg') });
    await expect
      .poll(() => page.locator('.results h2').first().textContent(), { timeout: 30_000 })
      .toBe('No registered work matches this image');
    expect(await page.locator('.results').textContent()).toContain('This does not mean it was made by AI');
    expect(await page.locator('.evidence').textContent()).toMatch(/Canon/);
    await screenshot(page, 'verify-no-match');

    await picker.setInputFiles({ name: 'C.jpg', mimeType: 'image/jpeg', buffer: readFixture('c2pa/C.jpg') });
    await expect.poll(() => page.locator('.evidence .markers li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const evidence = await page.locator('.evidence').textContent();
    expect(evidence).toMatch(/markers? of AI generation found/);
    expect(evidence).toContain('Content Credentials (C2PA) manifest present');
    expect(evidence).toMatch(/algorithmicMedia/);
    expect(await page.locator('.hero .progress').isHidden()).toBe(true);
    await screenshot(page, 'verify-ai-markers');
    await context.close();
    expect(problems).toEqual([]);
  });

  it('shows upload progress while a large image travels over a slow connection', async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    await page.goto('/');
    await ready(page, '/');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // 2 MB at 1 MB/s: about two seconds of visible progress.
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 1_000_000,
    });
    const seen = new Set<string>();
    await page.exposeFunction('reportProgress', (text: string) => seen.add(text));
    await page.evaluate(() => {
      const label = document.querySelector('.progress-label')!;
      new MutationObserver(() =>
        (window as unknown as { reportProgress(t: string): void }).reportProgress(label.textContent ?? ''),
      ).observe(label, { childList: true, characterData: true, subtree: true });
    });
    await page
      .getByLabel('Drop an image here, or choose a file')
      .setInputFiles({ name: 'canon.jpg', mimeType: 'image/jpeg', buffer: readFixture('camera/canon-dslr.jpg') });
    await expect.poll(() => page.locator('.results h2').count(), { timeout: 40_000 }).toBeGreaterThan(0);
    const percents = [...seen]
      .map((t) => /Uploading… (\d+)%/.exec(t)?.[1])
      .filter(Boolean)
      .map(Number);
    expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
    expect(seen).toContain('Comparing with the registry…');
    expect(await page.locator('.hero .progress').isHidden()).toBe(true);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('accepts an image dropped on the zone or pasted anywhere on the page', async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    await page.goto('/');
    await ready(page, '/');
    const bytes = [...readFixture('camera/noexif.jpg')];
    const transfer = await page.evaluateHandle((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'dropped.jpg', { type: 'image/jpeg' }));
      return dt;
    }, bytes);
    await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: transfer });
    await expect
      .poll(() => page.locator('.results h2').first().textContent(), { timeout: 30_000 })
      .toBe('No registered work matches this image');
    expect(
      await page
        .locator('.results h2')
        .first()
        .evaluate((el) => el === document.activeElement),
    ).toBe(true);

    await page.evaluate(() => document.querySelector('.results')?.replaceChildren());
    await page.evaluate((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'pasted.jpg', { type: 'image/jpeg' }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
    }, bytes);
    await expect
      .poll(() => page.locator('.results h2').first().textContent(), { timeout: 30_000 })
      .toBe('No registered work matches this image');
    await context.close();
    expect(problems).toEqual([]);
  });

  it('creates a key in the browser, forces the encrypted backup first, and restores it only with the passphrase', async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    await page.goto('/identity');
    await ready(page, '/identity');
    await page.getByLabel('Handle').fill('Backup-Test');
    await page.getByLabel('Display name').fill('Backup Test');
    await page.getByRole('button', { name: 'Create my key' }).click();
    await expect.poll(() => page.locator('.status').first().textContent()).toMatch(/Key id: [A-Za-z0-9_-]{43}/);
    expect(await page.getByRole('button', { name: 'Create my account' }).isDisabled()).toBe(true);

    await page.getByLabel('Backup passphrase').fill('short');
    await page.getByLabel('Repeat the passphrase').fill('short');
    await page.getByRole('button', { name: 'Download encrypted backup' }).click();
    await expect.poll(() => page.locator('fieldset .error').first().textContent()).toContain('at least 12 characters');

    const passphrase = 'lantern orchard velvet tide';
    await page.getByLabel('Backup passphrase').fill(passphrase);
    await page.getByLabel('Repeat the passphrase').fill(passphrase);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download encrypted backup' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^backup-test-.{8}\.aura-key$/);
    const file = await download.path();
    const backup = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(backup).toMatchObject({
      version: 1,
      handle: 'backup-test',
      kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      publicJwk: { kty: 'OKP', crv: 'Ed25519' },
    });
    const header = JSON.parse(Buffer.from(backup.jwe.split('.')[0], 'base64url').toString());
    expect(header).toMatchObject({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM' });
    expect(header.p2c).toBeGreaterThanOrEqual(310_000);
    await expect.poll(() => page.getByRole('button', { name: 'Create my account' }).isDisabled()).toBe(false);
    await screenshot(page, 'identity-backup');

    // Restore in a different browser profile.
    const other = await openPage(browser, server.url);
    await other.page.goto('/identity');
    await ready(other.page, '/identity');
    const restore = other.page.locator('form', { has: other.page.getByRole('button', { name: 'Restore' }) });
    await restore.getByLabel('Backup file (.aura-key)').setInputFiles(file);
    await restore.getByLabel('Passphrase').fill('not the passphrase');
    await restore.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => restore.locator('.error').textContent(), { timeout: 15_000 }).toContain('The passphrase is wrong');
    await restore.getByLabel('Passphrase').fill(passphrase);
    await restore.getByRole('button', { name: 'Restore' }).click();
    await expect
      .poll(() => restore.locator('.status').textContent(), { timeout: 15_000 })
      .toContain(`Backup decrypted: key ${backup.kid} for @backup-test`);
    // The account was never created, so the registry says so and nothing is stored.
    await expect.poll(() => restore.locator('.error').textContent(), { timeout: 15_000 }).toContain('There is no account @backup-test');
    await screenshot(other.page, 'identity-restore');
    await other.context.close();
    await context.close();
    expect([...problems, ...other.problems]).toEqual([]);
  });

  it('puts the server’s validation message beside the field it concerns', async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    await page.goto('/identity');
    await ready(page, '/identity');
    await page.getByLabel('Handle').fill('webby');
    await page.getByLabel('Display name').fill('Webby');
    await page.getByLabel('Website (optional)').fill('ftp://example.org');
    await page.getByRole('button', { name: 'Create my key' }).click();
    await page.getByLabel('Backup passphrase').fill('lantern orchard velvet tide');
    await page.getByLabel('Repeat the passphrase').fill('lantern orchard velvet tide');
    await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download encrypted backup' }).click()]);
    await page.getByRole('button', { name: 'Create my account' }).click();
    const website = page.getByLabel('Website (optional)');
    await expect.poll(() => website.getAttribute('aria-invalid'), { timeout: 15_000 }).toBe('true');
    const describedBy = (await website.getAttribute('aria-describedby'))!.split(' ');
    const message = page.locator(`[id="${describedBy.at(-1)}"]`);
    expect(await message.isVisible()).toBe(true);
    expect((await message.textContent())!.length).toBeGreaterThan(3);
    expect(await page.locator('fieldset .error-code').textContent()).toBe('Error code: validation_failed');
    await screenshot(page, 'identity-field-error');
    await context.close();
    expect(problems).toEqual([]);
  });

  it('says when a profile is not signed by its account (accounts from before signed profiles)', async () => {
    const client = new AuraClient(server.url);
    await client.createAccount(await generateIdentity(), {
      handle: 'signed-profile',
      displayName: 'Signed Studio',
      kind: 'artist',
      bio: 'Signed bio.',
    });
    await client.createAccount(await generateIdentity(), {
      handle: 'old-profile',
      displayName: 'Old Studio',
      kind: 'artist',
      bio: 'Written before 0016.',
    });
    // As migration 0016 leaves an account whose proof did not cover its profile (that path: tests/registry/signed-actions.test.ts).
    await server.ctx.db.updateTable('accounts').set({ profile_signed: false }).where('handle', '=', 'old-profile').execute();
    const { page, problems, context } = await openPage(browser, server.url);
    await page.goto('/@old-profile');
    await ready(page, '/@old-profile');
    expect(await page.locator('[data-profile-unsigned]').textContent()).toContain('not signed by the account');
    await screenshot(page, 'profile-unsigned');
    await page.goto('/@signed-profile');
    await ready(page, '/@signed-profile');
    expect(await page.locator('h1').textContent()).toBe('Signed Studio');
    expect(await page.locator('[data-profile-unsigned]').count()).toBe(0);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('routes on the client, moves focus to the new heading, and says when a page does not exist', async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    await page.goto('/');
    await ready(page, '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log' }).click();
    await ready(page, '/log');
    expect(page.url()).toBe(`${server.url}/log`);
    expect(await page.evaluate(() => `${document.activeElement?.tagName}:${document.activeElement?.textContent}`)).toBe('H1:Public log');
    expect(await page.locator('nav a[aria-current=page]').textContent()).toBe('Log');
    await expect
      .poll(() => page.locator('.facts').first().textContent(), { timeout: 15_000 })
      .toContain('Signed by the registry’s log key');
    await screenshot(page, 'log-empty');
    await page.goBack();
    await ready(page, '/');
    await page.goto('/no/such/page');
    await ready(page, '/no/such/page');
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    await context.close();
    expect(problems).toEqual([]);
  });
});
