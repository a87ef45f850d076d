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
import { LLM_DEFAULTS } from '../../src/llm/llm-config.js';
import { OpenAiTestServer } from '../helpers/openai-server.js';
import { reader } from '../ingest/drafter-model.js';

// Runs inside the page (page.evaluate); the project's TypeScript has no DOM library.
declare const window: any;

const FIXTURE = 'tests/ingest/fixtures/gifts-rule.md';
const POLICY = 'https://example.org/gifts-web#policy';
const NS = 'https://example.org/gifts-web#';

describe.runIf(chromium !== undefined)('the ingestion view', () => {
  let api: Api;
  let browser: Browser;
  let model: OpenAiTestServer;
  beforeAll(async () => {
    // A server with a helper model, and a policy whose terms its answers may map to.
    model = await OpenAiTestServer.start({ script: reader, models: ['drafter-1'] });
    api = await startMiniApi({ llm: { ...LLM_DEFAULTS, baseUrl: model.baseUrl, model: 'drafter-1', parameters: {}, timeoutMs: 2000, maxRetries: 1 } });
    const loaded = await api.call('POST', '/v1/policies?filename=gifts-code.ttl', { as: 'engineer', body: readFileSync('policies/gifts-code.ttl', 'utf8'), headers: { 'content-type': 'text/turtle' } });
    expect(loaded.status).toBe(201);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stopApi(api);
    await model?.close();
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

  it("asks the server's language model when told, mapping its answers onto a loaded policy's terms", async () => {
    const page = await signedInPage(browser, api.url, TOKENS.engineer);
    await page.goto(`${api.url}/#/ingest`);
    await page.getByLabel(/^Regulation document/).setInputFiles(FIXTURE);
    await page.getByLabel(/Ask the server's language model/).check();
    await page.getByLabel('Map its answers onto the terms of').selectOption({ label: (await api.call('GET', '/v1/policies', { as: 'reader' })).body.items.find((p: { policy: string }) => p.policy === 'https://example.org/eastmarch/gifts#policy').title });
    await page.getByRole('button', { name: 'Draft rules' }).click();
    await page.getByText('drafter-1 named the fields of 9 of 9 provisions').waitFor();
    const row = page.locator('tr', { has: page.locator('th#row-sec-12-2-a-p1') });
    await expect(row.locator('.model').textContent()).resolves.toMatch(/^model: bearer employee; action accept a gift; target gift; counterparty supplier/);
    // The draft is checked with the gifts code and names its action; it cannot be loaded on its own, and the page says what to do instead.
    expect(await page.locator('pre.turtle').textContent()).toContain('https://example.org/eastmarch/gifts#acceptGift');
    await page.getByText(/This draft names terms of Eastmarch gifts code - atomic rules, so it passes the shapes only together with that policy/).waitFor();
    expect(await page.getByRole('button', { name: 'Load as a policy' }).count()).toBe(0);
    await page.getByLabel('Decision on sec-12-2-a-p1').selectOption('accept');
    await page.getByRole('button', { name: 'Apply the decisions' }).click();
    await page.getByText(/^Applied: 1 accepted/).waitFor();
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
