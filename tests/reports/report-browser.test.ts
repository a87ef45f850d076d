/**
 * The HTML report in a real headless browser (the machine's Chromium through
 * playwright-core): it opens from a file with no network request, every
 * internal link resolves, the charts render with a size, and a <script> in
 * a model's answer did not run. The PDF is printed by the same browser.
 * Without Chromium these skip locally; STUDIO_REQUIRE_BROWSER=1 (CI) turns
 * the skip into a failure.
 */

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditsDir } from '../../src/auditors/audit-run.js';
import { BrowserMissingError } from '../../src/errors.js';
import { findChromium, launchChromium } from '../../src/reports/browser.js';
import { buildReportData } from '../../src/reports/report-data.js';
import { renderHtml } from '../../src/reports/render-html.js';
import { renderPdf } from '../../src/reports/render-pdf.js';
import { MINI_POLICY, openFixtureStore } from '../auditors/suite-fixture.js';
import { studio } from '../helpers/cli.js';
import { makeReportFixture, type ReportFixture } from './report-fixture.js';

// These run inside the page (page.evaluate); the project's TypeScript has no DOM library.
declare const document: any;
declare const window: any;

const chromium = await findChromium();
const required = process.env.STUDIO_REQUIRE_BROWSER === '1';

describe('browser required', () => {
  it.runIf(required)('finds Chromium (STUDIO_REQUIRE_BROWSER=1)', () => {
    expect(chromium, 'no Chromium at /usr/bin/chromium or CHROMIUM_PATH; install it with apt-get install -y chromium').toBeDefined();
  });
});

describe('PDF without a browser', () => {
  it('fails with a message saying how to install Chromium', async () => {
    const error = await launchChromium({ CHROMIUM_PATH: '/nonexistent/chromium' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrowserMissingError);
    expect((error as Error).message).toContain('apt-get install -y chromium');
    expect((error as Error).message).toContain('/nonexistent/chromium');
  });
});

describe.runIf(chromium !== undefined)('HTML report in Chromium', () => {
  let fixture: ReportFixture;
  let file: string;
  let html: string;

  beforeAll(async () => {
    fixture = await makeReportFixture();
    const store = await openFixtureStore(fixture.suite);
    try {
      html = renderHtml(await buildReportData({ store, auditsDir: auditsDir(fixture.dataDir), policy: MINI_POLICY }));
    } finally {
      await store.close();
    }
    file = path.join(fixture.dataDir, 'report.html');
    await writeFile(file, html);
  }, 180_000);

  it('opens with no network request, resolves every link, renders the charts, and runs no script from an answer', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: 'load' });
      expect(requests).toEqual([url]);
      expect(await page.title()).toBe('Provenance report: Mini Code policy');
      expect(await page.evaluate(() => window.__pwned)).toBeUndefined();

      const links = await page.evaluate(() =>
        [...document.querySelectorAll('a[href]')].map((a: any) => {
          const href = a.getAttribute('href')!;
          return { href, internal: href.startsWith('#'), resolves: href.startsWith('#') && document.getElementById(decodeURIComponent(href.slice(1))) !== null };
        }),
      );
      expect(links.length).toBeGreaterThan(100);
      expect(links.filter((l) => !l.internal)).toEqual([]);
      expect(links.filter((l) => !l.resolves)).toEqual([]);

      // Each numbered link leads to a list of as many entries.
      const mismatches = await page.evaluate(() =>
        [...document.querySelectorAll('a.num')].flatMap((a: any) => {
          const target = document.getElementById(a.getAttribute('href')!.slice(1));
          const n = target?.querySelectorAll('li').length;
          return n === Number(a.textContent) ? [] : [`${a.getAttribute('href')}: ${a.textContent} vs ${n}`];
        }),
      );
      expect(mismatches).toEqual([]);

      const charts = await page.evaluate(() =>
        [...document.querySelectorAll('svg.chart')].map((svg: any) => {
          const box = svg.getBoundingClientRect();
          const bars = [...svg.querySelectorAll('rect.bar')].map((r: any) => r.getBoundingClientRect()).filter((b: any) => b.width > 0 && b.height > 0);
          return { width: box.width, height: box.height, bars: bars.length };
        }),
      );
      // Outcomes per run, then pass rates per section, per rule kind and per authority rank.
      expect(charts.length).toBe(4);
      for (const chart of charts) {
        expect(chart.width).toBeGreaterThan(0);
        expect(chart.height).toBeGreaterThan(0);
        expect(chart.bars).toBeGreaterThan(0);
      }

      // The hostile answer is on the page as text, not as elements.
      const responses = await page.locator('pre.response').allTextContents();
      expect(responses.some((t) => t.includes('<script>document.title = "PWNED"'))).toBe(true);
      expect(await page.locator('pre.response script, pre.response img').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(1);

      // A failed count leads, in the browser, to results whose evidence is shown.
      await page.click('a.num[href="#s-run2-failed"]');
      const first = page.locator('#s-run2-failed li a').first();
      const target = await first.getAttribute('href');
      await first.click();
      expect(new URL(page.url()).hash).toBe(target);
      expect(await page.locator(`${target} pre.response`).textContent()).toContain('nobody will mind');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('prints the report as PDF, from the library and the command line', async () => {
    const pdf = await renderPdf(html);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    const out = path.join(fixture.dataDir, 'report.pdf');
    const made = studio(['report', '--policy', MINI_POLICY, '--format', 'pdf', '--out', out, '--data-dir', fixture.dataDir]);
    expect(made.code, made.stderr).toBe(0);
    expect((await readFile(out)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const missing = studio(['report', '--policy', MINI_POLICY, '--format', 'pdf', '--out', `${out}.2`, '--data-dir', fixture.dataDir], { CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('apt-get install -y chromium');
  }, 120_000);
});
