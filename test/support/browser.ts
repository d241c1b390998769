/**
 * A real Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core, headless, with
 * a fresh profile and no background networking (this machine's network is closed). Screenshots go to
 * test-output/screenshots so a person can look at the pages. Without Chromium the browser tests fail when
 * TUIKUAN_REQUIRE_BROWSER=1 (as CI sets it) and are skipped, loudly, otherwise.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.TUIKUAN_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumMissing = existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
const browserRequired = process.env.TUIKUAN_REQUIRE_BROWSER === '1';

/**
 * The `skip` option for a browser suite: the reason Chromium is missing, or false. When the browser is
 * required, a missing one is not skipped: `requireBrowser()` in the suite's `before` fails it.
 */
export function browserSkip(): string | false {
  if (!chromiumMissing || browserRequired) return false;
  console.warn(`\n*** ${chromiumMissing}: the browser tests are SKIPPED (TUIKUAN_REQUIRE_BROWSER=1 fails them instead). ***\n`);
  return chromiumMissing;
}

/** Fails the suite when Chromium is missing (reached only when the browser is required). */
export function requireBrowser(): void {
  if (chromiumMissing) throw new Error(`${chromiumMissing}; TUIKUAN_REQUIRE_BROWSER=1 requires it`);
}
export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');

export interface Browser {
  context: BrowserContext;
  page: Page;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tuikuan-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'zh-CN',
    viewport: { width: 1100, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    async screenshot(name) {
      const path = join(SCREENSHOTS, `${name}.png`);
      // From the top: a full-page capture of a scrolled page draws sticky headers half-way down.
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
