import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Clock } from '../../api/clock.ts';
import { AuraClient, generateIdentity, type Identity } from '../../scripts/lib/aura-client.ts';
import { renderArtwork } from '../../scripts/lib/artwork.ts';
import { fixture, startTestServer, type TestServer } from '../helpers/server.ts';
import {
  DESKTOP,
  hasChromium,
  launchBrowser,
  openPage,
  PHONE,
  ready,
  SCREENSHOTS,
  screenshotBothWidths,
  type WatchedPage,
  verifyOnHomePage,
} from './support.ts';

const DAY = 24 * 3600 * 1000;
const PASSPHRASE = 'lantern orchard velvet tide';
const png = (bytes: Buffer, filename = 'work.png') => ({ bytes, filename, type: 'image/png' });
/** The longest a badge's texts get: a 24-character handle, a title past the 38 characters shown, a dispute. */
const HANDLE = 'ines-albuquerque-montene';
const TITLE = 'Evening light over the salt flats at Aveiro, second study';

/** A clock that runs, shifted by an offset the test moves (to log work-in-progress images over days). */
function shiftedClock(): Clock & { offset: number } {
  const clock = { offset: 0, now: () => new Date(Date.now() + clock.offset) };
  return clock;
}

async function logSize(server: TestServer): Promise<number> {
  return Number((await (await server.fetch('/v1/log/checkpoint')).text()).split('\n')[1]);
}

/** Every link of the main navigation sits on one row, inside the viewport. */
async function navRows(page: Page): Promise<{ rows: number; right: number; bottom: number }> {
  return page.locator('header.site nav a').evaluateAll((links) => {
    const boxes = links.map((a) => a.getBoundingClientRect());
    return {
      rows: new Set(boxes.map((b) => Math.round(b.top))).size,
      right: Math.max(...boxes.map((b) => b.right)),
      bottom: Math.max(...boxes.map((b) => b.bottom)),
    };
  });
}

describe.skipIf(!hasChromium)('rough edges a newcomer meets, in Chromium at desktop and phone widths', () => {
  const clock = shiftedClock();
  let server: TestServer;
  let browser: Browser;
  let viewer: WatchedPage;
  let artist: Identity;
  let client: AuraClient;
  let workImage: Buffer;
  let longestWork = '';
  let revokedWork = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer('pglite', { clock }), launchBrowser()]);
    viewer = await openPage(browser, server.url, PHONE);
    artist = await generateIdentity();
    client = new AuraClient(server.url);
    await client.createAccount(artist, { handle: HANDLE, displayName: 'Inês Albuquerque', kind: 'artist' });
    // Three work-in-progress images over a day and a half, so that the work reaches level 2 (the longest level name).
    clock.offset = -3 * (DAY / 2 + 1000);
    const processIds: string[] = [];
    for (const stage of [0.3, 0.6, 0.9]) {
      await client.signIn(artist);
      processIds.push((await client.addProcessImage(artist, png(await renderArtwork(71, { stage })))).processId);
      clock.offset += DAY / 2 + 1000;
    }
    clock.offset = 0;
    await client.signIn(artist);
    workImage = await renderArtwork(71);
    longestWork = (await client.registerWork(artist, png(workImage), { title: TITLE, processIds })).workId;
    revokedWork = (await client.registerWork(artist, png(await renderArtwork(72)), { title: 'Withdrawn sketch' })).workId;
    await client.revokeWork(artist, revokedWork, 'Registered the wrong file.');
    const critic = await generateIdentity();
    const criticClient = new AuraClient(server.url);
    await criticClient.createAccount(critic, { handle: 'critic', displayName: 'A Critic', kind: 'artist' });
    await criticClient.signIn(critic);
    await criticClient.dispute(critic, longestWork, 'copied', 'Looks like a photo I saw elsewhere.');
    // The artist rotates keys after registering: the work's signature stays valid, by a key revoked later.
    const next = await generateIdentity();
    await client.addKey(artist, HANDLE, next);
    await client.revokeKey(next, artist.kid);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('at 390 px every page keeps its navigation on one row, above the content, with no sideways scrolling', async () => {
    const { page } = viewer;
    for (const path of ['/', '/works', '/register', '/attest', '/log', '/identity', `/w/${longestWork}`]) {
      await page.goto(path);
      await ready(page, path);
      const nav = await navRows(page);
      expect([path, nav.rows]).toEqual([path, 1]);
      expect(nav.right).toBeLessThanOrEqual(PHONE.width);
      expect(await page.locator('header.site').evaluate((h) => h.getBoundingClientRect().height)).toBeLessThanOrEqual(100);
      // Polled: a page may still be filling in what it loaded after it reports ready.
      await expect
        .poll(async () => [path, await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)])
        .toEqual([path, 0]);
    }
    await page.goto('/');
    await ready(page, '/');
    const zone = await page.locator('.drop-zone').boundingBox();
    expect((await navRows(page)).bottom).toBeLessThan(zone!.y);
    expect(zone!.y + zone!.height).toBeLessThan(PHONE.height); // the whole drop zone on the first screen
    await screenshotBothWidths(page, 'phone-verify-home');
    await page.goto('/works');
    await ready(page, '/works');
    await screenshotBothWidths(page, 'phone-works');
    expect(viewer.problems).toEqual([]);
  });

  it('every file input is a styled picker, not the browser’s “Choose File” button, and shows what was chosen', async () => {
    const { page } = viewer;
    for (const [path, button] of [
      ['/', 'Choose an image'],
      ['/identity', 'Choose the backup file'],
    ] as const) {
      await page.goto(path);
      await ready(page, path);
      const inputs = page.locator('input[type=file]');
      expect(await inputs.count()).toBeGreaterThan(0);
      for (const box of await inputs.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
        expect(box.width * box.height).toBeLessThanOrEqual(1); // present for keyboards and screen readers, but invisible
      }
      const visible = page.locator('.file-button', { hasText: button });
      expect(await visible.isVisible()).toBe(true);
      expect(await page.locator('.file-name').first().textContent()).toBe('No file chosen');
    }
    // /identity: choosing a file names it beside the button.
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'mira.aura-key', mimeType: 'application/json', buffer: Buffer.from('{}') });
    expect(await page.locator('.file-name').textContent()).toBe('mira.aura-key');
    await screenshotBothWidths(page, 'file-picker-identity');
    expect(viewer.problems).toEqual([]);
  });

  it('the badge is as wide as its longest text, and a revoked work’s badge does not say human-made', async () => {
    const { page } = viewer;
    await page.goto(`${server.url}/v1/works/${longestWork}/badge.svg`);
    const measured = await page.evaluate(() => {
      const svg = document.documentElement as unknown as SVGSVGElement;
      const width = Number(svg.getAttribute('width'));
      const texts = [...svg.querySelectorAll('text')].map((t) => {
        const box = t.getBBox();
        const rendered = { text: t.textContent, left: box.x, right: box.x + box.width };
        t.removeAttribute('textLength'); // what this machine's fallback font would take without the fit
        return { ...rendered, natural: t.getComputedTextLength() };
      });
      return { width, texts };
    });
    expect(measured.texts.map((t) => t.text)).toEqual([
      'Aura · human-made · level 2 · process evidence',
      'Evening light over the salt flats at … — @ines-albuquerque-montene · disputed',
    ]);
    for (const t of measured.texts) {
      expect(t.left).toBeGreaterThanOrEqual(10);
      expect(t.right).toBeLessThanOrEqual(measured.width - 10); // nothing clipped: the padding stays on the right too
      expect(t.natural / (t.right - t.left)).toBeGreaterThan(0.8); // the width is the text's, not a fixed box
      expect(t.natural / (t.right - t.left)).toBeLessThan(1.2);
    }

    // The badges themselves, at their own size (a full-page screenshot of an SVG document never settles).
    await page.setViewportSize(DESKTOP);
    const clip = { x: 0, y: 0, width: measured.width, height: 56 };
    await page.screenshot({ path: path.join(SCREENSHOTS, 'badge-longest-svg.png'), clip });
    await page.goto(`${server.url}/v1/works/${revokedWork}/badge.svg`);
    await page.screenshot({
      path: path.join(SCREENSHOTS, 'badge-revoked-svg.png'),
      clip: { ...clip, width: Number(await page.evaluate(() => document.documentElement.getAttribute('width'))) },
    });
    await page.setViewportSize(PHONE);
    const revoked = await (await server.fetch(`/v1/works/${revokedWork}/badge.svg`)).text();
    expect(revoked).toContain('Aura · registration revoked');
    expect(revoked).not.toContain('human-made');

    await page.goto(`/w/${longestWork}`);
    await ready(page, `/w/${longestWork}`);
    await expect
      .poll(() => page.locator('img.badge-preview').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(measured.width);
    await page.locator('img.badge-preview').scrollIntoViewIfNeeded();
    await screenshotBothWidths(page, 'badge-longest-work-page');
    expect(viewer.problems).toEqual([]);
  });

  it('a revoked work’s page offers its proof, but no badge or embed snippet', async () => {
    const { page } = viewer;
    await page.goto(`/w/${revokedWork}`);
    await ready(page, `/w/${revokedWork}`);
    expect(await page.locator('.banner.danger').textContent()).toContain('Revoked by the artist');
    expect(await page.locator('#badge-snippet').count()).toBe(0);
    expect(await page.locator('img.badge-preview').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Copy snippet' }).count()).toBe(0);
    expect(await page.locator('#proof-h').textContent()).toBe('Proof');
    expect(await page.getByRole('link', { name: 'Download the proof bundle' }).count()).toBe(1);
    expect(await page.locator('main').textContent()).toContain('No badge to embed: the artist revoked this registration.');
    await screenshotBothWidths(page, 'revoked-work-page');
    expect(viewer.problems).toEqual([]);
  });

  it('a signature by a key revoked later says the key was active when the work was logged, and when it was revoked', async () => {
    const work = await client.request('GET', `/v1/works/${longestWork}`);
    expect(work.signature).toMatchObject({ valid: true, keyActiveAtLogTime: true, keyRevokedAt: expect.any(String) });
    const year = String(new Date(work.signature.keyRevokedAt).getFullYear());
    const wording = /✓ Valid artist signature — by a key that was active when the work was logged and was revoked on (.+)/;

    const { page } = viewer;
    await page.goto(`/w/${longestWork}`);
    await ready(page, `/w/${longestWork}`);
    const onWorkPage = await page.locator('.facts .signature').first().textContent();
    expect(onWorkPage).toMatch(wording);
    expect(wording.exec(onWorkPage!)![1]).toContain(year);
    await page.locator('.facts .signature').first().scrollIntoViewIfNeeded();
    await screenshotBothWidths(page, 'revoked-key-work-page');

    await verifyOnHomePage(page, { name: 'copy.png', mimeType: 'image/png', buffer: workImage }, 'This image matches a registered work');
    const match = page.locator('article.match').first();
    expect(await match.locator('.signature').textContent()).toMatch(wording);
    await match.locator('.signature').scrollIntoViewIfNeeded();
    await screenshotBothWidths(page, 'revoked-key-verify');

    // A key never revoked: the plain wording, with nothing added.
    const fresh = await generateIdentity();
    const freshClient = new AuraClient(server.url);
    await freshClient.createAccount(fresh, { handle: 'steady', displayName: 'Steady Hand', kind: 'artist' });
    await freshClient.signIn(fresh);
    const steady = (await freshClient.registerWork(fresh, png(await renderArtwork(73)), { title: 'Steady' })).workId;
    await page.goto(`/w/${steady}`);
    await ready(page, `/w/${steady}`);
    expect(await page.locator('.facts .signature').first().textContent()).toBe('✓ Valid artist signature');
    expect(viewer.problems).toEqual([]);
  });

  it('work-in-progress images are shown for review, can be removed, and are signed and logged only on confirmation', async () => {
    const watched = await openPage(browser, server.url);
    const { page } = watched;
    await createIdentity(page, 'wip-artist', 'Wen Ito');
    await page.goto('/register');
    await ready(page, '/register');
    const before = await logSize(server);
    const files = ['q0003.jpg', 'q0004.jpg', 'q0122.jpg'];
    await page.getByLabel('Add work-in-progress images').setInputFiles(files.map((f) => fixture(`pdq/reg-test-input/labelme-subset/${f}`)));
    const pending = page.locator('.process-pending li');
    await expect.poll(() => pending.count()).toBe(3);
    expect(await pending.allTextContents()).toEqual(files.map((f) => expect.stringContaining(f)));
    await expect
      .poll(() => pending.locator('img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)))
      .toBe(true);
    expect(await page.locator('.process-review').textContent()).toContain('Nothing is signed or logged yet');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await logSize(server)).toBe(before); // picking a file logs nothing
    await screenshotBothWidths(page, 'wip-review');

    await page.getByRole('button', { name: 'Remove q0004.jpg' }).click();
    await expect.poll(() => pending.count()).toBe(2);
    await page.getByRole('button', { name: 'Sign and log these 2 images' }).click();
    await expect.poll(() => page.locator('.process-list li.ok').count(), { timeout: 30_000 }).toBe(2);
    expect(await page.locator('.process-list').textContent()).not.toContain('q0004.jpg');
    expect(await page.locator('.process-review').isHidden()).toBe(true);
    const entries = await (await server.fetch(`/v1/log/entries?start=${before}&end=${await logSize(server)}`)).json();
    expect(entries.entries.map((e: { entry: { type: string } }) => e.entry.type)).toEqual(['draft.registered', 'draft.registered']);
    await screenshotBothWidths(page, 'wip-logged');

    // The final work's review says what the screening checked, and what it cannot prove.
    await page
      .getByLabel('Choose the image of your work')
      .setInputFiles({ name: 'final.png', mimeType: 'image/png', buffer: await renderArtwork(74) });
    await page.getByLabel('Title').fill('Final');
    await page.getByRole('button', { name: 'Check the image' }).click();
    await expect.poll(() => page.locator('#draft-h').count(), { timeout: 30_000 }).toBe(1);
    const screening = page.locator('.draft .screening');
    expect(await screening.getAttribute('class')).toBe('screening neutral');
    expect(await screening.locator('h3').textContent()).toBe('AI screening: no AI markers in the metadata');
    const said = await screening.textContent();
    expect(said).toContain('Content Credentials (C2PA)');
    expect(said).toContain('What this cannot prove');
    expect(said).not.toMatch(/human-made/i);
    await screening.scrollIntoViewIfNeeded();
    await screenshotBothWidths(page, 'register-screening');
    await watched.context.close();
    expect(watched.problems).toEqual([]);
  });
});

/** Creates an identity through the page, saves its backup, creates the account and signs in. */
async function createIdentity(page: Page, handle: string, displayName: string): Promise<void> {
  await page.goto('/identity');
  await ready(page, '/identity');
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByRole('button', { name: 'Create my key' }).click();
  await page.getByLabel('Backup passphrase').fill(PASSPHRASE);
  await page.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
  await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download encrypted backup' }).click()]);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect.poll(() => page.locator('#session').textContent(), { timeout: 20_000 }).toContain(`@${handle}`);
}
