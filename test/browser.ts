// Real-browser test helpers: the built web app served against the test API, Debian's chromium, axe, screenshots.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWeb, serveWeb, type RunningWeb } from '../dev/web';
import { apiUrl } from './fixtures';

export const CHROMIUM = process.env.LUZ_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve('test-artifacts');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export interface WebUnderTest {
  url: string;
  browser: Browser;
  stop(): Promise<void>;
}

/** Builds the app into a folder of its own, serves it against the test API and launches chromium. */
export async function startWebUnderTest(): Promise<WebUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'luz-web-'));
  let web: RunningWeb | undefined;
  try {
    await buildWeb(dir);
    web = await serveWeb({ dir, port: 0, config: { api: apiUrl(), timeZone: 'America/Bahia' } });
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    const running = web;
    return {
      url: running.url,
      browser,
      stop: async () => {
        await browser.close();
        await running.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await web?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A fresh page (its own storage) in Brazilian Portuguese unless told otherwise. */
export async function newPage(web: WebUnderTest, options: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<Page> {
  const context = await web.browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    locale: options.locale ?? 'pt-BR',
    acceptDownloads: true,
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(web.url);
  return page;
}

/** Errors the page logged (uncaught exceptions, CSP refusals, failed requests). */
export const pageProblems = (page: Page) => (page as Page & { problems: string[] }).problems;

const AXE_SOURCE = `${readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8')}\n;true`;

/** axe-core's violations on the page as it is now (rule id: the offending nodes' selectors). */
export async function axeViolations(page: Page): Promise<Record<string, string[]>> {
  // Evaluated through the debugging protocol: the page's CSP (rightly) refuses an injected <script>.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    type Result = { violations: { id: string; nodes: { target: unknown[] }[] }[] };
    const result = await (window as unknown as { axe: { run(): Promise<Result> } }).axe.run();
    return result.violations.map((violation) => [violation.id, violation.nodes.map((node) => node.target.join(' '))] as const);
  });
  return Object.fromEntries(violations);
}

/** Screenshots at desktop and phone widths, kept in test-artifacts/ (the README's pictures come from here). */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const viewport = page.viewportSize() ?? DESKTOP;
  await page.screenshot({ path: join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(ARTIFACTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(viewport);
}
