/**
 * Benchmark: the studio page. Builds it and prints the size of what a browser
 * downloads (script, style sheet, page, and the chunks only the graph view
 * loads), raw and gzipped (target: the main bundle under 300 KB gzipped). Then serves the sample policies with one audit
 * run (tests/web/studio-server.ts: `studio run`, `studio serve`, an audit job
 * against the local OpenAI-compatible server) and opens views in the
 * machine's Chromium, each in a fresh browser context (no cached files) with
 * the token already given: the time from navigation until the view is usable
 * (its list or text shown), first on a server that has not answered those
 * queries yet, then the median and worst of the next runs (target: under 1 s).
 *
 *   npx tsx scripts/bench/studio-web.ts [repeats]
 */

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../../src/reports/browser.js';
import { WEB_DIR } from '../../src/api/studio-web.js';
import { BCG, startServedStudio, TOKENS } from '../../tests/web/studio-server.js';

declare const document: any;
declare const sessionStorage: any;

const repeats = Number(process.argv[2] ?? 10);
const studio = await startServedStudio();

console.log('studio page, as built by npm run build (dist/web):');
for (const file of ['app.js', 'styles.css', 'index.html', ...(await readdir(path.join(WEB_DIR, 'chunks'))).map((chunk) => `chunks/${chunk}`)]) {
  const bytes = await readFile(path.join(WEB_DIR, file));
  console.log(`  ${file.padEnd(11)} ${(bytes.length / 1024).toFixed(1).padStart(6)} KB raw  ${(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1).padStart(5)} KB gzipped`);
}

const enc = encodeURIComponent;
const failing: string = ((await (await fetch(`${studio.url}/v1/audits/${enc(studio.run)}/failing-rules?limit=1`, { headers: { authorization: `Bearer ${TOKENS.reader}` } })).json()) as { items: { rule: string }[] }).items[0]!.rule;
/** Each view, what shows it is usable, and whose token opens it (the write forms need an engineer). */
const VIEWS: [string, string, string, keyof typeof TOKENS][] = [
  ['policies', '#/', 'table tbody tr', 'reader'],
  ['rules (225)', `#/policy/${enc(BCG)}/rules`, 'table.rules tbody tr', 'reader'],
  ['rule page', `#/rule/${enc(failing)}`, '#audits-heading ~ table tbody tr', 'reader'],
  ['coverage', `#/policy/${enc(BCG)}/coverage`, 'main table tbody tr', 'reader'],
  ['conflicts', `#/policy/${enc(BCG)}/conflicts`, 'main table tbody tr', 'reader'],
  ['audits', `#/policy/${enc(BCG)}/audits`, 'main table tbody tr', 'reader'],
  ['audit run', `#/run/${enc(studio.run)}?policy=${enc(BCG)}`, 'li.result', 'reader'],
  ['compare', `#/compare?policy=${enc(BCG)}&first=${enc(studio.baseline)}&second=${enc(studio.run)}`, 'main table tbody tr', 'reader'],
  ['review', `#/review/${enc(studio.run)}?policy=${enc(BCG)}`, 'form.verdict', 'engineer'],
  // The graph is usable once drawn (or, without WebGL, once its tables are there).
  ['graph', `#/graph?policy=${enc(BCG)}`, '.graph-canvas[data-state="drawn"], .graph-canvas[data-state="no-webgl"]', 'reader'],
  ['rule graph', `#/graph?rule=${enc(failing)}`, '.graph-canvas[data-state="drawn"], .graph-canvas[data-state="no-webgl"]', 'reader'],
  ['playground', `#/playground?policy=${enc(BCG)}`, 'form.ask', 'engineer'],
  ['jobs', '#/jobs', 'form.start-job', 'engineer'],
  ['ingest', '#/ingest', 'form.ingest', 'engineer'],
];

const browser = await launchChromium();
try {
  console.log(`\nfirst view usable, ms (fresh browser context each time; ${repeats} runs after the first):`);
  console.log(`  ${'view'.padEnd(12)} ${'first'.padStart(6)} ${'median'.padStart(7)} ${'max'.padStart(6)}`);
  for (const [name, route, ready, role] of VIEWS) {
    const times: number[] = [];
    for (let i = 0; i <= repeats; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript((token: string) => sessionStorage.setItem('studio-token', token), TOKENS[role]);
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${studio.url}/${route}`);
      await page.waitForFunction((selector: string) => document.querySelector(selector) !== null, ready, { polling: 'raf', timeout: 30_000 });
      times.push(performance.now() - started);
      await context.close();
    }
    const [first, ...rest] = times;
    rest.sort((a, b) => a - b);
    console.log(`  ${name.padEnd(12)} ${first!.toFixed(0).padStart(6)} ${rest[Math.floor(rest.length / 2)]!.toFixed(0).padStart(7)} ${rest[rest.length - 1]!.toFixed(0).padStart(6)}`);
  }
} finally {
  await browser.close();
  await studio.close();
}
