import { existsSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { forEachEngine, testConfig, type EngineName } from './engines.js';

const CHROMIUM = '/usr/bin/chromium';
const WEB_INDEX = path.join(testConfig().webDir, 'index.html');

/**
 * Runs a browser suite on each engine when Debian's Chromium and the built UI are there. Under
 * CI=true a missing Chromium fails; a missing build always fails, naming the command that makes it.
 */
export function browserSuite(name: string, suite: (engine: EngineName) => void): void {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') {
      it(name, () => {
        throw new Error(`CI=true but ${CHROMIUM} is missing: the browser tests cannot run (apt-get install chromium)`);
      });
    } else {
      it(name, { skip: `${CHROMIUM} is not installed` }, () => undefined);
    }
  } else if (!existsSync(WEB_INDEX)) {
    it(name, () => {
      throw new Error(`${WEB_INDEX} is missing: run \`npm run build:web\` before the browser tests`);
    });
  } else {
    forEachEngine(name, suite);
  }
}

export interface BrowserPage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and CSP violations: the UI must run under the server's CSP without either. */
  problems: string[];
}

/** Headless Chromium on a fresh profile (a new context has no cookies or storage), at `origin`. */
export async function openBrowserPage(origin: string): Promise<BrowserPage> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ baseURL: origin, viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  return { browser, context, page, problems };
}

/** Signs in on the sign-in form with an API token. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-badge').waitFor();
}

/** Logs out, signs in with `token` and opens the page the menu entry `menu` names. */
export async function switchTo(page: Page, token: string, menu: string): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await signIn(page, token);
  await page.getByRole('link', { name: menu, exact: true }).click();
  await page.getByRole('heading', { name: menu }).waitFor();
}
