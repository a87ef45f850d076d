/**
 * What the browser tests of the studio page share: the machine's Chromium
 * (playwright-core), a tab signed in with a role's token, axe-core's serious
 * and critical violations, and a view's screenshot kept when
 * STUDIO_SCREENSHOTS=<folder> asks (the README's come from docs/studio).
 * Without Chromium the tests skip locally; STUDIO_REQUIRE_BROWSER=1 (CI)
 * turns the skip into a failure.
 */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { findChromium } from '../../src/reports/browser.js';

// These run inside the page (page.evaluate); the project's TypeScript has no DOM library.
declare const window: any;

export const chromium = await findChromium();
export const browserRequired = process.env.STUDIO_REQUIRE_BROWSER === '1';
const screenshots = process.env.STUDIO_SCREENSHOTS;
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A new tab of the studio at `url` that has given `token`, on the policies view. */
export async function signedInPage(browser: Browser, url: string, token: string, requested?: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  if (requested) page.on('request', (request) => requested.push(request.url()));
  await page.goto(`${url}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Open the studio' }).click();
  await page.getByRole('heading', { name: 'Policies', level: 1 }).waitFor();
  return page;
}

/** axe-core's serious and critical violations on the page as it is. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] = await page.evaluate(async () => (await window.axe.run(window.document, { resultTypes: ['violations'] })).violations);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

/** Checks the view with axe-core and, when asked, keeps its screenshot. */
export async function reviewView(page: Page, name: string): Promise<void> {
  expect(await accessibilityProblems(page), name).toEqual([]);
  const png = await page.screenshot({ fullPage: false });
  expect(png.length).toBeGreaterThan(10_000);
  if (screenshots) {
    await mkdir(screenshots, { recursive: true });
    await writeFile(path.join(screenshots, `${name}.png`), png);
  }
}
