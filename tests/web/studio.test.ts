/**
 * The studio page end to end, in the machine's Chromium (playwright-core),
 * against a real `studio serve` over the sample policies with one audit run:
 * a token asked for once and kept for the tab, the policies, the rule list and
 * its filters, a rule page, coverage, conflicts (whose one write only a token
 * that may make it sees), audits and a run; the keyboard alone reaches a rule;
 * axe-core finds no serious or critical violation on any view. With
 * STUDIO_SCREENSHOTS=<folder> each view's screenshot is written there (the
 * README's come from docs/studio). Without Chromium these skip locally;
 * STUDIO_REQUIRE_BROWSER=1 (CI) turns the skip into a failure.
 */

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/reports/browser.js';
import { accessibilityProblems, browserRequired as required, chromium, reviewView as review, signedInPage } from './browser.js';
import { BCG, PLAYGROUND, startServedStudio, TOKENS, type ServedStudio } from './studio-server.js';

// These run inside the page (page.evaluate); the project's TypeScript has no DOM library.
declare const document: any;
declare const sessionStorage: any;

const ASSETS_004 = 'https://example.org/kestrel/bcg#assets-004';

describe('browser required', () => {
  it.runIf(required)('finds Chromium (STUDIO_REQUIRE_BROWSER=1)', () => {
    expect(chromium, 'no Chromium at /usr/bin/chromium or CHROMIUM_PATH; install it with apt-get install -y chromium').toBeDefined();
  });
});

describe.runIf(chromium !== undefined)('the studio page', () => {
  let studio: ServedStudio;
  let browser: Browser;
  /** Every URL the pages asked for, to show that nothing left the server's origin. */
  const requested: string[] = [];

  beforeAll(async () => {
    studio = await startServedStudio();
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  const hash = (route: string) => `${studio.url}/${route}`;
  const enc = encodeURIComponent;

  /** A new tab that has given the role's token. */
  function signedIn(role: keyof typeof TOKENS): Promise<Page> {
    return signedInPage(browser, studio.url, TOKENS[role], requested);
  }

  /** The count line of a list view, once loaded. */
  async function count(page: Page): Promise<string> {
    const line = page.locator('p.count');
    await line.waitFor();
    return (await line.textContent())!;
  }

  async function api(route: string): Promise<any> {
    return (await fetch(studio.url + route, { headers: { authorization: `Bearer ${TOKENS.reader}` } })).json();
  }

  it('asks for a token, refuses one the server does not know, and keeps a good one for the tab only', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${studio.url}/`);
    await review(page, 'token');
    await page.getByLabel('API token').fill('not-a-token-of-this-server');
    await page.getByRole('button', { name: 'Open the studio' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('does not know this token');
    await page.getByLabel('API token').fill(TOKENS.reader);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Policies', level: 1 }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('studio-token'))).toBe(TOKENS.reader);
    // A reload keeps it; another tab (a new session) asks again.
    await page.reload();
    await page.getByRole('heading', { name: 'Policies', level: 1 }).waitFor();
    const other = await browser.newPage();
    await other.goto(`${studio.url}/`);
    await other.getByLabel('API token').waitFor();
    await other.close();
    await page.getByRole('button', { name: 'Forget token' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('studio-token'))).toBeNull();
    await page.close();
  });

  it('lists the policies, each linking to its views', async () => {
    const page = await signedIn('reader');
    const policies = (await api('/v1/policies')).items as { title: string }[];
    for (const { title } of policies) await page.getByRole('link', { name: title, exact: true }).waitFor();
    expect(await page.getByRole('row').count()).toBe(policies.length + 1);
    await review(page, 'policies');
    await page.getByRole('link', { name: 'Kestrel Business Conduct Guidelines - atomic rules', exact: true }).click();
    await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor();
    expect(await count(page)).toBe('225 of 225 rules');
    await page.close();
  });

  it('filters the rules by kind, section, bearer, action, coverage and the latest audit, as the API counts them', async () => {
    const page = await signedIn('reader');
    const asked: string[] = [];
    page.on('request', (request) => asked.push(request.url()));
    await page.goto(hash(`#/policy/${enc(BCG)}/rules`));
    expect(await count(page)).toBe('225 of 225 rules');
    await review(page, 'rules');
    // The server filters and pages: the view reads one page of rules, not the whole policy's rules and relations.
    expect(await page.locator('table.rules tbody tr').count()).toBe(100);
    expect(asked.filter((url) => url.includes('/v1/queries/generation-relations') || url.includes('/coverage'))).toEqual([]);
    const firstPage = await page.locator('table.rules tbody th a').allTextContents();
    await page.getByRole('link', { name: 'Next 100 rules' }).click();
    await page.waitForFunction((first) => document.querySelector('table.rules tbody th a')?.textContent !== first, firstPage[0]);
    const secondPage = await page.locator('table.rules tbody th a').allTextContents();
    expect(secondPage.length).toBe(100);
    expect(secondPage.filter((r) => firstPage.includes(r))).toEqual([]);
    await page.getByRole('link', { name: 'Next 100 rules' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.rules tbody tr').length === 25);
    expect(await page.getByRole('link', { name: 'Next 100 rules' }).count()).toBe(0);
    await page.getByRole('link', { name: 'First page' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.rules tbody tr').length === 100);

    await page.getByLabel('Kind').selectOption('Prohibition');
    const prohibitions = (await api(`/v1/rules?policy=${enc(BCG)}&kind=Prohibition&limit=500`)).total;
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `${n} of 225 rules`, prohibitions);
    const kinds = await page.locator('table.rules tbody td:nth-child(2)').allTextContents();
    expect(new Set(kinds)).toEqual(new Set(['Prohibition']));

    // A section of the tree: its subsections' rules are in, as the API counts them.
    const tree = page.getByRole('navigation', { name: 'Sections' });
    await tree.getByRole('link', { name: '4 Confidential information', exact: true }).click();
    const inSection = (await api(`/v1/rules?policy=${enc(BCG)}&kind=Prohibition&section=${enc('https://example.org/kestrel/bcg#sec-4')}&limit=500`)).total;
    expect(inSection).toBeGreaterThan(0);
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `${n} of 225 rules`, inSection);
    expect(page.url()).toContain('section=');
    await page.getByRole('link', { name: 'Clear section' }).click();
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `${n} of 225 rules`, prohibitions);

    // Bearer and action, each against the rule pages' own fields.
    await page.getByLabel('Kind').selectOption('');
    await page.getByLabel('Bearer').selectOption({ label: 'manager' });
    const managers = (await api(`/v1/rules?policy=${enc(BCG)}&bearer=${enc(await page.getByLabel('Bearer').inputValue())}&limit=500`)).total;
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `${n} of 225 rules`, managers);
    const bearers = await page.locator('table.rules tbody td:nth-child(4)').allTextContents();
    expect(bearers.length).toBeGreaterThan(0);
    expect(new Set(bearers)).toEqual(new Set(['manager']));
    await page.getByLabel('Bearer').selectOption('');
    await page.waitForFunction(() => document.querySelector('p.count')?.textContent === '225 of 225 rules');
    await page.getByLabel('Action').selectOption({ label: 'use for personal purposes' });
    // Wait for the count the API gives for this action: the list of the bearer filter before it also reads "n of 225".
    const withActionTotal = (await api(`/v1/rules?policy=${enc(BCG)}&action=${enc(await page.getByLabel('Action').inputValue())}&limit=500`)).total;
    expect(withActionTotal).toBeGreaterThan(0);
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `${n} of 225 rules`, withActionTotal);
    const withAction = await page.locator('table.rules tbody th a').allTextContents();
    expect(withAction).toContain('IT systems are for business use (6.2.1)');
    for (const cell of await page.locator('table.rules tbody td:nth-child(5)').allTextContents()) expect(cell).toContain('use for personal purposes');

    // Coverage: the one rule without an ambiguous scenario, as the coverage route lists it.
    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Coverage').selectOption('Ambiguous');
    const gaps = (await api(`/v1/policies/${enc(BCG)}/coverage`)).rulesWithoutScenarios.items.filter((g: { missing: string }) => g.missing === 'Ambiguous');
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `${n} of 225 rules`, gaps.length);

    // Failing in the latest run: the rules the run's failing-rules route lists.
    await page.getByLabel('Coverage').selectOption('');
    await page.getByLabel('Latest audit').selectOption('failing');
    const failing = (await api(`/v1/audits/${enc(studio.run)}/failing-rules?limit=500`)).total;
    expect(failing).toBeGreaterThan(0);
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `${n} of 225 rules`, failing);
    await review(page, 'rules-filtered');

    // The filters are in the link: a reload shows the same list.
    await page.reload();
    expect(await count(page)).toBe(`${failing} of 225 rules`);
    await page.close();
  });

  it('opens a rule: text, fields as links, exceptions, conflicts with their resolution, generated items, audit history', async () => {
    const page = await signedIn('reader');
    await page.goto(hash(`#/policy/${enc(BCG)}/rules?action=${enc('https://example.org/kestrel/bcg#usePersonally')}`));
    await page.getByRole('link', { name: 'IT systems are for business use (6.2.1)' }).click();
    await page.getByRole('heading', { name: /IT systems are for business use/, level: 1 }).waitFor();
    expect(page.url()).toContain(`#/rule/${enc(ASSETS_004)}`);
    const rule = await api(`/v1/rules/${enc(ASSETS_004)}`);
    await expect(page.locator('blockquote.rule-text').textContent()).resolves.toBe(rule.text);
    // Fields: the bearer links to the rules it binds.
    await expect(page.getByRole('link', { name: 'employee', exact: true }).getAttribute('href')).resolves.toContain(`bearer=${enc('https://w3id.org/alignment-studio/ns#Employee')}`);
    await page.getByText('Emergency use of company systems').waitFor();
    // The recorded conflict, its principle, winner and reason.
    const conflicts = page.locator('section', { has: page.getByRole('heading', { name: 'Conflicts' }) });
    const row = conflicts.getByRole('row', { name: /Occasional personal email allowed/ });
    await expect(row.textContent()).resolves.toContain('lexSpecialis');
    await expect(row.textContent()).resolves.toContain(rule.conflicts[0].reason);
    // Generated items by family, as many as the API counts.
    await page.getByText(`${rule.generated.items} items derive from this rule`).waitFor();
    expect(await page.locator('section', { has: page.getByRole('heading', { name: 'Generated items' }) }).getByRole('row').count()).toBe(rule.generated.byFamily.length + 1);
    await review(page, 'rule');
    await page.close();
  });

  it('shows an audited rule\'s history, and its run page lists the results testing it', async () => {
    const page = await signedIn('reader');
    const failing = (await api(`/v1/audits/${enc(studio.run)}/failing-rules?limit=1`)).items[0].rule as string;
    await page.goto(hash(`#/rule/${enc(failing)}`));
    const history = page.locator('section', { has: page.getByRole('heading', { name: 'Audit history' }) });
    const latest = history.getByRole('row', { name: /AfterTraining/ });
    await latest.waitFor();
    await expect(latest.textContent()).resolves.toContain('studio-test-model');
    await latest.getByRole('link').click();
    await page.getByRole('heading', { name: /^Audit run/, level: 1 }).waitFor();
    const results = await api(`/v1/audits/${enc(studio.run)}/results?rule=${enc(failing)}&limit=500`);
    expect(await count(page)).toBe(`${results.total} results`);
    expect(await page.locator('li.result').count()).toBe(results.total);
    await page.close();
  });

  it('lists what coverage lacks, filters it, and clicks through to the rule', async () => {
    const page = await signedIn('reader');
    await page.goto(hash(`#/policy/${enc(BCG)}/coverage`));
    await page.getByRole('heading', { name: 'Coverage', level: 1 }).waitFor();
    await review(page, 'coverage');
    await page.getByRole('link', { name: /No ambiguous scenario/ }).click();
    await page.waitForFunction(() => /gaps? of kind "No ambiguous scenario"/.test(document.querySelector('p.count')?.textContent ?? ''));
    const gaps = (await api(`/v1/policies/${enc(BCG)}/coverage`)).rulesWithoutScenarios.items.filter((g: { missing: string }) => g.missing === 'Ambiguous');
    expect(await page.locator('tbody tr').count()).toBe(gaps.length);
    await page.getByLabel('Gap', { exact: true }).selectOption('never-audited');
    await page.waitForFunction(() => /Never audited/.test(document.querySelector('p.count')?.textContent ?? ''));
    const neverAudited = (await api(`/v1/policies/${enc(BCG)}/audits`)).rulesNeverAudited;
    expect(await page.locator('tbody tr').count()).toBe(neverAudited);
    await page.getByLabel('Gap', { exact: true }).selectOption('Ambiguous');
    await page.locator('tbody th a').first().click();
    await page.locator('blockquote.rule-text').waitFor();
    expect(page.url()).toContain(`#/rule/${enc(gaps[0].rule)}`);
    await page.close();
  });

  it('shows the conflicts with certainty, principle, winner and reason, filtered by certainty', async () => {
    const page = await signedIn('reader');
    await page.goto(hash(`#/policy/${enc(BCG)}/conflicts`));
    const all = await api(`/v1/policies/${enc(BCG)}/conflicts`);
    expect(await count(page)).toBe(`${all.summary.conflicts} conflicts shown`);
    await page.locator('table').first().getByRole('row', { name: /IT systems are for business use/ }).getByRole('cell', { name: 'lexSpecialis' }).waitFor();
    await review(page, 'conflicts');
    await page.getByLabel('Certainty').selectOption('definite');
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `${n} conflicts shown`, all.summary.definite);
    expect(await page.locator('table').first().locator('tbody tr').count()).toBe(all.summary.definite);
    await page.close();
  });

  it('shows a reader no write action, and an engineer the one this slice has, which records the conflicts', async () => {
    const views = [`#/`, `#/policy/${enc(BCG)}/rules`, `#/policy/${enc(BCG)}/conflicts`, `#/policy/${enc(BCG)}/coverage`, `#/policy/${enc(BCG)}/audits`, `#/rule/${enc(ASSETS_004)}`];
    views.push(`#/run/${enc(studio.run)}?policy=${enc(BCG)}`, `#/review/${enc(studio.run)}?policy=${enc(BCG)}`, `#/compare?policy=${enc(BCG)}&first=${enc(studio.baseline)}&second=${enc(studio.run)}`);
    for (const view of views) {
      const page = await signedIn('reader');
      await page.goto(hash(view));
      await page.locator('main h1').waitFor();
      await page.waitForFunction(() => !document.querySelector('.loading'));
      // Forget token is the only button a reader gets: it only changes the tab.
      expect(await page.getByRole('button').allTextContents(), view).toEqual(['Forget token']);
      expect(await page.getByRole('link', { name: /^Review the results/ }).count(), view).toBe(0);
      expect(await page.locator('form.verdict').count(), view).toBe(0);
      await page.close();
    }
    const page = await signedIn('engineer');
    const before = (await api(`/v1/policies/${enc(BCG)}/conflicts?limit=1`)).recorded.writtenAt;
    await page.goto(hash(`#/policy/${enc(BCG)}/conflicts`));
    await page.getByRole('button', { name: 'Record conflicts in the graph' }).click();
    await page.getByRole('status').filter({ hasText: /^Recorded \d+ conflicts in the graph\.$/ }).waitFor();
    const after = (await api(`/v1/policies/${enc(BCG)}/conflicts?limit=1`)).recorded.writtenAt;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    await page.close();
  });

  it('lists the audit runs with stage, model and outcomes, and opens a run filtered by outcome', async () => {
    const page = await signedIn('reader');
    await page.goto(hash(`#/policy/${enc(BCG)}/audits`));
    const runs = (await api(`/v1/policies/${enc(BCG)}/audits`)).runs.items;
    const run = runs.find((r: { run: string }) => r.run === studio.run);
    const row = page.getByRole('row', { name: /AfterTraining/ });
    await expect(row.textContent()).resolves.toContain('studio-test-model');
    await expect(page.getByRole('row', { name: /Baseline/ }).textContent()).resolves.toContain('studio-test-model');
    await review(page, 'audits');
    await row.getByRole('link', { name: `${run.failed} failed` }).click();
    await page.getByRole('heading', { name: /^Audit run/, level: 1 }).waitFor();
    expect(await count(page)).toBe(`${run.failed} results`);
    const outcomes = await page.locator('li.result h2 .badge').allTextContents();
    expect(new Set(outcomes)).toEqual(new Set(['failed']));
    // Each result with its conversation, the model's answer and the grader's reason.
    const results = (await api(`/v1/audits/${enc(studio.run)}/results?outcome=failed&limit=500`)).items;
    await page.locator('li.result summary').first().click();
    await page.locator('li.result pre.answer').first().waitFor();
    const first = page.locator('li.result').first();
    await expect(first.locator('pre.answer').textContent()).resolves.toBe(results[0].response);
    const said = await first.locator('.conversation li.message:not(.role-model) pre').allTextContents();
    expect(said).toEqual(results[0].messages.map((m: { content: string }) => m.content));
    expect(said.length).toBeGreaterThan(0);
    await expect(first.locator('p.reason').textContent()).resolves.toContain(results[0].reason);
    await review(page, 'run');
    await page.close();
  });

  it('puts two runs side by side: the four buckets, the rules that regressed, and a bucket\'s scenarios with both answers', async () => {
    const page = await signedIn('reader');
    await page.goto(hash(`#/policy/${enc(BCG)}/audits`));
    await page.getByRole('row', { name: /AfterTraining/ }).getByRole('link', { name: 'with the run before' }).click();
    await page.getByRole('heading', { name: 'Two runs side by side', level: 1 }).waitFor();
    const compared = await api(`/v1/audits/compare?first=${enc(studio.baseline)}&second=${enc(studio.run)}`);
    expect(compared.shared).toBe(60);
    expect(compared.regressions.length).toBeGreaterThan(0);
    const buckets = page.getByRole('list', { name: 'Buckets' });
    for (const [bucket, name] of [['bothComply', 'passed → passed'], ['onlyFirst', 'passed → failed'], ['onlySecond', 'failed → passed'], ['bothFail', 'failed → failed']] as const) {
      await expect(buckets.getByRole('link', { name: new RegExp(name) }).textContent()).resolves.toBe(`${compared.buckets[bucket]} ${name}`);
    }
    const regressions = page.locator('section', { has: page.getByRole('heading', { name: /^Rules that regressed/ }) });
    expect(await regressions.locator('tbody tr').count()).toBe(compared.regressions.length);
    await expect(regressions.locator('tbody tr').first().textContent()).resolves.toContain(`${compared.regressions[0].failedAfter} of ${compared.regressions[0].scenariosAfter}`);
    await buckets.getByRole('link', { name: /passed → failed/ }).click();
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `${n} scenarios`, compared.buckets.onlyFirst);
    const shown = page.locator('ol.results li.result');
    await shown.first().locator('.side-by-side').waitFor();
    expect(await shown.count()).toBe(compared.buckets.onlyFirst);
    await expect(shown.first().locator('.side-by-side').textContent()).resolves.toMatch(/First run: passed.*Second run: failed/);
    await review(page, 'compare');
    await page.close();
  });

  it('reaches a rule with the keyboard alone, from the skip link to the rule page', async () => {
    const page = await signedIn('reader');
    await page.goto(hash(`#/policy/${enc(BCG)}/rules?kind=Permission`));
    await count(page);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    const first = (await page.locator('table.rules tbody th a').first().textContent())!;
    let pressed = 0;
    while ((await page.evaluate(() => document.activeElement?.closest('table.rules tbody') !== null)) === false) {
      await page.keyboard.press('Tab');
      expect(++pressed, 'tabs to the first rule').toBeLessThan(200);
    }
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(first);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: first, level: 1 }).or(page.getByRole('heading', { name: new RegExp(first.replace(/[()]/g, '\\$&')), level: 1 })).first().waitFor();
    await page.close();
  });

  it('keeps the keyboard on a filter while the list it filters changes', async () => {
    const page = await signedIn('reader');
    await page.goto(hash(`#/policy/${enc(BCG)}/conflicts`));
    const all = await api(`/v1/policies/${enc(BCG)}/conflicts`);
    expect(await count(page)).toBe(`${all.summary.conflicts} conflicts shown`);
    await page.getByLabel('Certainty').focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `${n} conflicts shown`, all.summary.definite);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('filter-certainty');
    await page.close();
  });

  it('has an accessibility check that does find a violation: an unlabelled field', async () => {
    const page = await signedIn('reader');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.evaluate(() => document.querySelector('main').append(document.createElement('input')));
    expect((await accessibilityProblems(page)).join('\n')).toMatch(/^critical label:/m);
    await page.close();
  });

  it("queues a run's undecided results one at a time, and an engineer's verdict is stored as that reviewer's", async () => {
    const undecided = async () => {
      const all = (await api(`/v1/audits/${enc(studio.run)}/results?outcome=cantTell&limit=500`)).items as any[];
      return all.filter((r) => r.graderKind !== 'human');
    };
    const queue = await undecided();
    expect(queue.length).toBeGreaterThan(1);
    const page = await signedIn('engineer');
    await page.goto(hash(`#/run/${enc(studio.run)}?policy=${enc(BCG)}`));
    await page.getByRole('link', { name: 'Review the results no grader could decide' }).click();
    await page.getByRole('heading', { name: 'Review queue', level: 1 }).waitFor();
    expect(await count(page)).toBe(`1 of ${queue.length} to review`);
    const item = page.locator('article.review-item');
    await expect(item.locator('pre.answer').textContent()).resolves.toBe(queue[0].response);
    await expect(item.locator('p.reason').textContent()).resolves.toContain(queue[0].reason);
    expect(await item.locator('.conversation li.message:not(.role-model) pre').allTextContents()).toEqual(queue[0].messages.map((m: { content: string }) => m.content));
    await review(page, 'review');

    // Nothing is sent without an outcome and a reason.
    await page.getByRole('button', { name: 'Record verdict' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain("Choose passed, failed or can't tell");
    await page.getByRole('radio', { name: 'Failed' }).check();
    await page.getByLabel('Reason').fill('It talks around the question instead of refusing what the rule forbids.');
    await page.getByRole('button', { name: 'Record verdict' }).click();
    await page.getByRole('status').filter({ hasText: 'Recorded failed by engineer.' }).waitFor();
    await page.waitForFunction((n) => document.querySelector('p.count')?.textContent === `1 of ${n} to review`, queue.length - 1);
    await expect(item.locator('pre.answer').textContent()).resolves.toBe(queue[1].response);

    // Stored: the reviewer's verdict now decides the scenario, under the token's name.
    const results = (await api(`/v1/audits/${enc(studio.run)}/results?limit=500`)).items as any[];
    const decided = results.find((r) => r.scenario === queue[0].scenario);
    expect(decided).toMatchObject({ outcome: 'failed', graderKind: 'human', reason: 'It talks around the question instead of refusing what the rule forbids.' });
    expect(decided.grader).toContain('engineer');
    expect((await undecided()).map((r) => r.scenario)).toEqual(queue.slice(1).map((r) => r.scenario));
    await page.close();
  });

  it('starts generation and audit jobs for the roles that may, and follows their progress from the event stream', async () => {
    const GIFTS = 'https://example.org/eastmarch/gifts#policy';
    const reader = await signedIn('reader');
    await reader.getByRole('link', { name: 'Jobs', exact: true }).click();
    await reader.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await count(reader);
    expect(await reader.locator('form.start-job').count()).toBe(0);
    expect(await reader.getByRole('button').allTextContents()).toEqual(['Forget token']);
    await reader.close();

    for (const [role, kind, button, form] of [
      ['engineer', 'generation', 'Start generation', 'Generate data'],
      ['auditor', 'audit', 'Start audit', 'Audit the model'],
    ] as const) {
      const page = await signedIn(role);
      const streams: string[] = [];
      page.on('request', (request) => request.url().endsWith('/events') && streams.push(request.url()));
      await page.goto(hash('#/jobs'));
      await count(page);
      // Only the form the role permits.
      expect(await page.locator('form.start-job h2').allTextContents()).toEqual([form]);
      const start = page.getByRole('form', { name: form });
      await start.getByLabel('Policy').selectOption({ label: 'Eastmarch gifts code - atomic rules' });
      if (kind === 'audit') await start.getByLabel('Scenarios (at most)').fill('4');
      await start.getByRole('button', { name: button }).click();
      const started = (await start.getByRole('status').textContent())!;
      const id = /job (\S+)\.$/.exec(started)![1]!;
      const row = page.locator(`tr[data-job="${id}"]`);
      // The row turns succeeded without a reload: its state came from the job's event stream.
      await row.locator('.badge.job-succeeded').waitFor({ timeout: 120_000 });
      expect(streams.some((url) => url.endsWith(`/v1/jobs/${id}/events`))).toBe(true);
      const job = await api(`/v1/jobs/${id}`);
      expect(job).toMatchObject({ kind, state: 'succeeded', startedBy: role, params: { policy: GIFTS } });
      await expect(row.locator('.phase').textContent()).resolves.toBe(`${job.progress.phase} ${job.progress.done}/${job.progress.total}`);
      if (kind === 'audit') {
        expect(job.result.scenarios).toBe(4);
        await row.getByRole('link', { name: 'its run' }).click();
        await page.getByRole('heading', { name: /^Audit run/, level: 1 }).waitFor();
        expect(await count(page)).toBe('4 results');
      } else {
        await expect(row.textContent()).resolves.toContain(`${job.result.items} items`);
        await review(page, 'jobs');
      }
      await page.close();
    }
  }, 240_000);

  it('asks the model under audit and the baseline side by side, with the rules the question touches, and stores a preference; a reader sees no form', async () => {
    const reader = await signedIn('reader');
    await reader.getByRole('link', { name: 'Playground', exact: true }).click();
    await reader.getByRole('heading', { name: 'Playground', level: 1 }).waitFor();
    await reader.getByText('No preference is recorded for this policy yet.').waitFor();
    expect(await reader.locator('form').count()).toBe(0);
    expect(await reader.getByRole('button').allTextContents()).toEqual(['Forget token']);
    await reader.close();

    const page = await signedIn('engineer');
    await page.goto(hash(`#/playground?policy=${enc(BCG)}`));
    await page.getByLabel('Question').fill(PLAYGROUND.question);
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    const answers = page.locator('section.playground-answers');
    await answers.waitFor();
    await expect(answers.locator('.answer-first pre.answer').textContent()).resolves.toBe(PLAYGROUND.target);
    await expect(answers.locator('.answer-second pre.answer').textContent()).resolves.toBe(PLAYGROUND.baseline);
    await expect(answers.locator('.answer-first h3').textContent()).resolves.toBe('First: the model under audit (studio-test-model)');
    await expect(answers.locator('.answer-second h3').textContent()).resolves.toBe(`Second: the baseline (${PLAYGROUND.baselineModel})`);
    const G = 'https://example.org/kestrel/bcg#';
    const touched = await answers.locator('.touched a').evaluateAll((links: any[]) => links.map((a) => decodeURIComponent(a.getAttribute('href'))));
    expect(touched).toEqual([`#/rule/${G}gifts-001`, `#/rule/${G}gifts-002`, `#/rule/${G}gifts-004`]);
    await expect(answers.locator('.touched').textContent()).resolves.toContain('because it mentions accept a gift');
    await review(page, 'playground');

    // Nothing is sent without a preference and a reason.
    await page.getByRole('button', { name: 'Record preference' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Choose first, second, tie or both bad');
    const reason = 'The first points to the gifts rules and the report; the second waves the rules away.';
    await page.getByRole('radio', { name: 'First is better' }).check();
    await page.getByLabel('Reason').fill(reason);
    await page.getByRole('button', { name: 'Record preference' }).click();
    await page.getByRole('status').filter({ hasText: 'Recorded: first, by engineer.' }).waitFor();
    await page.locator('table.preferences tbody tr').first().waitFor();
    await expect(page.locator('table.preferences tbody tr').first().textContent()).resolves.toContain(reason);

    // Stored in the graph, with who, both models and answers and the rules.
    const stored = (await api(`/v1/policies/${enc(BCG)}/preferences`)).items;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      question: PLAYGROUND.question,
      preferred: 'first',
      reason,
      recordedBy: 'engineer',
      first: { model: 'studio-test-model', answer: PLAYGROUND.target },
      second: { model: PLAYGROUND.baselineModel, answer: PLAYGROUND.baseline },
      rules: [`${G}gifts-001`, `${G}gifts-002`, `${G}gifts-004`],
    });
    await page.close();
  });

  it('asked nothing of any other origin', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(`${studio.url}/`))).toEqual([]);
  });
});
