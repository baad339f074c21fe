import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Browser tests skip only when there is no browser on the machine (so CI without one stays green). */
export const hasChromium = fs.existsSync(CHROMIUM);

/** Kept by CI as an artifact; git-ignored. */
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const WEB_DIST_INDEX = path.resolve(import.meta.dirname, '../../web/dist/index.html');

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(WEB_DIST_INDEX)) throw new Error('web/dist is missing: run `npm run build` first (npm test does)');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[];
}

/** A fresh browser profile (its own IndexedDB and cookies), with every page error recorded. */
export async function openPage(browser: Browser, baseURL: string, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL, viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    // A failed API call answered with 4xx is expected in error-path tests; the page shows it itself.
    if (msg.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) problems.push(text);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return { page, context, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Drops a file on the home page's verify box and waits until the report's heading reads `heading`. */
export async function verifyOnHomePage(
  page: Page,
  file: { name: string; mimeType: string; buffer: Buffer },
  heading: string,
): Promise<void> {
  await page.goto('/');
  await ready(page, '/');
  await page.getByLabel('Drop an image here, or choose a file').setInputFiles(file);
  await expect.poll(() => page.locator('.results h2').first().textContent(), { timeout: 30_000 }).toBe(heading);
}

/** Waits until the router finished rendering the given path. */
export async function ready(page: Page, pathname: string): Promise<void> {
  await page.waitForFunction(
    (p) => document.querySelector('#main')?.getAttribute('data-ready') === p && !document.querySelector('#main')?.hasAttribute('aria-busy'),
    pathname,
  );
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Saves `<name>-desktop.png` and `<name>-phone.png` (390 px), re-laying the page out at each width. */
export async function screenshotBothWidths(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? DESKTOP;
  for (const [suffix, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await screenshot(page, `${name}-${suffix}`);
  }
  await page.setViewportSize(before);
}
