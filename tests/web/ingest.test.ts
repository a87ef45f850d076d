/**
 * The ingestion view end to end, in the machine's Chromium, against a real
 * API server: an engineer drafts a policy from a Markdown regulation, sees the
 * review table the API answers, accepts, rejects and corrects provisions,
 * applies the decisions, and loads the reviewed draft, whose rules the API then
 * serves as reviewed; a document the server refuses says why; a reader sees
 * no way in.
 */

import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/reports/browser.js';
import { startMiniApi, stopApi, TOKENS, type Api } from '../api/harness.js';
import { chromium, reviewView, signedInPage } from './browser.js';

// Runs inside the page (page.evaluate); the project's TypeScript has no DOM library.
declare const window: any;

const FIXTURE = 'tests/ingest/fixtures/gifts-rule.md';
const POLICY = 'https://example.org/gifts-web#policy';
const NS = 'https://example.org/gifts-web#';

describe.runIf(chromium !== undefined)('the ingestion view', () => {
  let api: Api;
  let browser: Browser;
  beforeAll(async () => {
    api = await startMiniApi();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stopApi(api);
  });

  it('drafts rules from a document, applies an engineer\'s decisions, and loads the reviewed draft as a policy', async () => {
    // What the API answers for the same document: the view must show exactly its rows.
    const expected = await fetch(`${api.url}/v1/ingest?filename=gifts-rule.md&policy=${encodeURIComponent(POLICY)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.engineer}`, 'content-type': 'text/markdown' },
      body: readFileSync(FIXTURE),
    }).then((r) => r.json() as Promise<any>);
    const rows = expected.review as { provision: string; kind: string; text: string }[];
    const rules = rows.filter((r) => ['Obligation', 'Prohibition', 'Permission', 'Recommendation'].includes(r.kind));
    expect(rules.length).toBeGreaterThanOrEqual(3);

    const page = await signedInPage(browser, api.url, TOKENS.engineer);
    await page.getByRole('navigation', { name: 'Studio' }).getByRole('link', { name: 'Ingest' }).click();
    await page.getByRole('heading', { name: 'Ingest a regulation', level: 1 }).waitFor();
    await page.getByLabel(/^Regulation document/).setInputFiles(FIXTURE);
    await page.getByLabel('Policy IRI of the draft (optional)').fill(POLICY);
    await page.getByRole('button', { name: 'Draft rules' }).click();
    await page.getByRole('heading', { name: 'Draft of gifts-rule.md' }).waitFor();
    expect(await page.locator('p.count').textContent()).toBe(`${rows.length} provisions in the draft`);
    expect(await page.locator('table.review-table tbody th').allTextContents()).toEqual(rows.map((r) => r.provision));
    await expect(page.getByRole('heading', { name: 'Draft of gifts-rule.md' }).locator('..').textContent()).resolves.toContain(`${expected.unresolved} placeholders left for the author`);

    // One rule accepted, one rejected, one made a recommendation with its text corrected.
    const [accepted, rejected, edited] = [rules[0]!, rules[1]!, rules[2]!];
    await page.getByLabel(`Decision on ${accepted.provision}`).selectOption('accept');
    await page.getByLabel(`Decision on ${rejected.provision}`).selectOption('reject');
    const newKind = edited.kind === 'Recommendation' ? 'Obligation' : 'Recommendation';
    await page.getByLabel(`Kind of ${edited.provision}`).selectOption(newKind);
    await page.getByLabel(`Text of ${edited.provision}`).fill(`${edited.text} (as reviewed)`);
    await page.getByRole('button', { name: 'Apply the decisions' }).click();
    await page.getByText(/^Applied: 1 accepted, 2 edited, 1 rejected/).waitFor();
    const left = await page.locator('table.review-table tbody th').allTextContents();
    expect(left).not.toContain(rejected.provision);
    expect(left).toContain(accepted.provision);
    await expect(page.locator('tr', { has: page.locator(`th#row-${accepted.provision}`) }).locator('.reviewed').textContent()).resolves.toBe('accepted');
    await expect(page.locator('tr', { has: page.locator(`th#row-${edited.provision}`) }).locator('.reviewed').textContent()).resolves.toBe('edited');
    await page.evaluate(() => window.scrollTo(0, 0));
    await reviewView(page, 'ingest');

    // Loaded, the policy's rules are the reviewed ones: the rejected one is gone, the edit kept.
    await page.getByRole('button', { name: 'Load as a policy' }).click();
    await page.getByRole('link', { name: 'See its rules' }).click();
    await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor();
    const served = await api.call('GET', `/v1/rules?policy=${encodeURIComponent(POLICY)}&limit=500`, { as: 'reader' });
    expect(served.status).toBe(200);
    const byIri = new Map((served.body.items as { rule: string; kind: string }[]).map((r) => [r.rule, r]));
    expect(byIri.has(NS + rejected.provision)).toBe(false);
    expect(byIri.get(NS + edited.provision)?.kind).toBe(newKind);
    const editedRule = await api.call('GET', `/v1/rules/${encodeURIComponent(NS + edited.provision)}`, { as: 'reader' });
    expect(editedRule.body.text).toBe(`${edited.text} (as reviewed)`);
    expect(byIri.has(NS + accepted.provision)).toBe(true);
    await page.close();
  });

  it('says why a document cannot be drafted, in the browser and from the server', async () => {
    const page = await signedInPage(browser, api.url, TOKENS.engineer);
    await page.goto(`${api.url}/#/ingest`);
    const input = page.getByLabel(/^Regulation document/);
    await input.setInputFiles({ name: 'rules.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n') });
    await page.getByRole('button', { name: 'Draft rules' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('rules.csv is none of them');
    const french =
      'Les employés ne doivent pas accepter de cadeaux des fournisseurs. Le responsable doit conserver une copie de chaque rapport pendant cinq ans. ' +
      'Cette règle ne s\'applique pas aux cadeaux des membres de la famille, sauf si le comité en décide autrement par écrit.\n';
    await input.setInputFiles({ name: 'regles.txt', mimeType: 'text/plain', buffer: Buffer.from(french.repeat(4)) });
    await page.getByRole('button', { name: 'Draft rules' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/cannot be ingested.*anyLanguage=true|cannot be ingested.*English/);
    expect(await page.locator('table.review-table').count()).toBe(0);
    await page.close();
  });

  it('shows a reader no way to ingest', async () => {
    const page = await signedInPage(browser, api.url, TOKENS.reader);
    expect(await page.getByRole('navigation', { name: 'Studio' }).getByRole('link', { name: 'Ingest' }).count()).toBe(0);
    await page.goto(`${api.url}/#/ingest`);
    await page.getByText('This token may not ingest documents').waitFor();
    expect(await page.getByRole('button', { name: 'Draft rules' }).count()).toBe(0);
    await page.close();
  });
});
