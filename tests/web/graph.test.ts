/**
 * The graph view end to end, in the machine's Chromium, against a real API
 * server holding the business conduct policy with its conflicts recorded: the
 * policy's overview by section from its Graph tab, a rule's neighbourhood from
 * "See in the graph" on its page, another rule's reached by the keyboard from
 * the tables, and a term's place in its hierarchy; the tables list what the API answers, the canvas is drawn when
 * the browser has WebGL, the drawing's chunk loads only when the view opens,
 * and without WebGL the view says so and still lists everything.
 */

import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/reports/browser.js';
import { startMiniApi, stopApi, TOKENS, type Api } from '../api/harness.js';
import { chromium, reviewView, signedInPage } from './browser.js';

// Runs inside the page (page.evaluate); the project's TypeScript has no DOM library.
declare const window: any;
declare const document: any;
declare const HTMLCanvasElement: any;

interface Overview {
  nodes: { id: string; label: string | null; rules: number; exceptions: number }[];
  edges: { source: string; target: string; relation: string; links: number }[];
  more: number;
}
interface Neighbourhood {
  nodes: { id: string; label: string | null; kind: string }[];
  edges: { source: string; target: string; relation: string }[];
  more: number;
}

/** Pixels of an element's screenshot that are not the page's white, counted in the page (a PNG drawn on a 2D canvas). */
async function inkedPixels(page: Page, selector: string): Promise<number> {
  const png = await page.locator(selector).screenshot();
  return page.evaluate(async (data: string) => {
    const image = new window.Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [image.width, image.height];
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    let inked = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 235 || pixels[i + 1] < 235 || pixels[i + 2] < 235) inked++;
    return inked;
  }, png.toString('base64'));
}

/** Whether the browser offers WebGL 2 (Debian's headless Chromium does, through SwiftShader); without it the view lists the graph only. */
async function webgl(page: Page): Promise<boolean> {
  return page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null);
}

describe.runIf(chromium !== undefined)('the graph view', () => {
  let api: Api;
  let browser: Browser;
  let policy: string;
  const get = async <T,>(path: string): Promise<T> => {
    const reply = await api.call('GET', path, { as: 'reader' });
    expect(reply.status, path).toBe(200);
    return reply.body as T;
  };

  beforeAll(async () => {
    api = await startMiniApi();
    const loaded = await api.call('POST', '/v1/policies?filename=business-conduct.ttl', { as: 'engineer', body: readFileSync('policies/business-conduct.ttl', 'utf8'), headers: { 'content-type': 'text/turtle' } });
    expect(loaded.status).toBe(201);
    policy = loaded.body.policy;
    expect((await api.call('POST', `/v1/policies/${encodeURIComponent(policy)}/conflicts`, { as: 'engineer' })).status).toBe(200);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stopApi(api);
  });

  /** The rule of the policy with the most edges around it, that has a conflict. */
  async function busiestRule(): Promise<{ rule: string; graph: Neighbourhood }> {
    const rules = await get<{ items: { rule: string }[] }>(`/v1/rules?policy=${encodeURIComponent(policy)}&limit=500`);
    let best: { rule: string; graph: Neighbourhood } | null = null;
    for (const { rule } of rules.items) {
      const graph = await get<Neighbourhood>(`/v1/rules/${encodeURIComponent(rule)}/graph`);
      if (graph.edges.some((e) => e.relation === 'conflict') && graph.edges.some((e) => e.relation === 'refersTo') && (!best || graph.edges.length > best.graph.edges.length)) best = { rule, graph };
    }
    expect(best).not.toBeNull();
    return best!;
  }

  it('opens the overview by section from the policy tabs, with the sections and links the API answers, drawn', async () => {
    const requested: string[] = [];
    const page = await signedInPage(browser, api.url, TOKENS.reader, requested);
    await page.goto(`${api.url}/#/policy/${encodeURIComponent(policy)}/rules`);
    await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor();
    expect(requested.filter((u) => u.includes('graph-drawing'))).toEqual([]);

    await page.getByRole('navigation', { name: 'Policy views' }).getByRole('link', { name: 'Graph' }).click();
    await page.getByRole('heading', { name: 'Graph by section', level: 1 }).waitFor();
    const expected = await get<Overview>(`/v1/policies/${encodeURIComponent(policy)}/graph?limit=500`);
    expect(expected.nodes.length).toBeGreaterThan(3);
    expect(expected.edges.length).toBeGreaterThan(0);
    const sections = page.locator('section[aria-labelledby="graph-nodes-heading"] tbody tr');
    expect(await sections.locator('th a').evaluateAll((links) => links.map((a) => a.getAttribute('title')))).toEqual(expected.nodes.map((n) => n.id));
    expect(await sections.locator('td:nth-child(2)').allTextContents()).toEqual(expected.nodes.map((n) => String(n.rules)));
    const links = page.locator('section[aria-labelledby="graph-edges-heading"] tbody tr');
    expect(await links.locator('td:nth-child(4)').allTextContents()).toEqual(expected.edges.map((e) => String(e.links)));

    if (await webgl(page)) {
      await page.locator('.graph-canvas[data-state="drawn"]').waitFor();
      expect(requested.filter((u) => u.includes('graph-drawing'))).toHaveLength(1);
      expect(await inkedPixels(page, '.graph-canvas')).toBeGreaterThan(500);
    } else await page.locator('.graph-canvas[data-state="no-webgl"]').waitFor();
    await reviewView(page, 'graph-sections');

    // A section opens its rules.
    const first = expected.nodes[0]!;
    await sections.first().locator('th a').click();
    await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor();
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain(`section=${first.id}`);
    await page.close();
  }, 120_000);

  it("opens a rule's neighbourhood from its page, lists what the API answers, draws it, and moves to a neighbour by the keyboard", async () => {
    const { rule, graph } = await busiestRule();
    const page = await signedInPage(browser, api.url, TOKENS.reader);
    await page.goto(`${api.url}/#/rule/${encodeURIComponent(rule)}`);
    await page.getByRole('link', { name: 'See in the graph' }).click();
    await page.getByRole('heading', { name: /^Neighbourhood of / }).waitFor();

    const nodes = page.locator('section[aria-labelledby="graph-nodes-heading"] tbody tr th > *');
    expect(await nodes.evaluateAll((cells) => cells.map((c) => c.getAttribute('title')))).toEqual(graph.nodes.map((n) => n.id));
    const edges = await page.locator('section[aria-labelledby="graph-edges-heading"] tbody tr').evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((td: any, i: number) => (i === 1 ? td.textContent : td.firstElementChild?.getAttribute('title')))),
    );
    const names: Record<string, string> = { exceptionTo: 'is an exception to', refersTo: 'refers to', overrides: 'overrides', conflict: 'conflicts with', bearer: 'binds', action: 'concerns the action', target: 'concerns', broader: 'is a narrower term of' };
    expect(edges).toEqual(graph.edges.map((e) => [e.source, names[e.relation], e.target]));
    expect(graph.edges.map((e) => e.relation)).toEqual(expect.arrayContaining(['conflict', 'refersTo', 'bearer', 'broader']));

    if (await webgl(page)) {
      await page.locator('.graph-canvas[data-state="drawn"]').waitFor();
      expect(await inkedPixels(page, '.graph-canvas')).toBeGreaterThan(500);
    } else await page.locator('.graph-canvas[data-state="no-webgl"]').waitFor();
    await reviewView(page, 'graph');

    // The keyboard reaches a neighbouring rule in the table, and Enter opens its neighbourhood.
    const other = graph.nodes.find((n) => n.kind === 'rule' && n.id !== rule)!;
    const link = page.locator(`section[aria-labelledby="graph-nodes-heading"] a[title="${other.id}"]`);
    await link.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Neighbourhood of ${other.label}`, exact: true }).waitFor();
    const next = await get<Neighbourhood>(`/v1/rules/${encodeURIComponent(other.id)}/graph`);
    expect(await nodes.evaluateAll((cells) => cells.map((c) => c.getAttribute('title')))).toEqual(next.nodes.map((n) => n.id));

    // A term opens its place in the hierarchy: its broader and narrower terms and the provisions naming it.
    const bearer = next.edges.find((e) => e.relation === 'bearer')!.target;
    await page.locator(`section[aria-labelledby="graph-nodes-heading"] a[title="${bearer}"]`).click();
    await page.getByRole('heading', { name: /^Hierarchy of / }).waitFor();
    const hierarchy = await get<Neighbourhood>(`/v1/terms/${encodeURIComponent(bearer)}/graph`);
    expect(hierarchy.edges.map((e) => e.relation)).toContain('bearer');
    expect(await nodes.evaluateAll((cells) => cells.map((c) => c.getAttribute('title')))).toEqual(hierarchy.nodes.map((n) => n.id));
    expect(await page.locator('section[aria-labelledby="graph-edges-heading"] tbody tr').count()).toBe(hierarchy.edges.length);
    if (await webgl(page)) await page.locator('.graph-canvas[data-state="drawn"]').waitFor();
    await reviewView(page, 'graph-term');
    await page.close();
  }, 180_000);

  it('without WebGL, says that the drawing needs it and still lists every node and edge', async () => {
    const { rule, graph } = await busiestRule();
    const page = await signedInPage(browser, api.url, TOKENS.reader);
    // A browser without WebGL 2: the context is refused, as a GPU-less browser would.
    await page.addInitScript(() => {
      const original = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (this: any, kind: string, ...rest: unknown[]) {
        return kind === 'webgl2' || kind === 'webgl' ? null : original.call(this, kind, ...rest);
      };
    });
    await page.goto(`${api.url}/#/graph?rule=${encodeURIComponent(rule)}`);
    await page.reload();
    await page.getByRole('heading', { name: /^Neighbourhood of / }).waitFor();
    await page.getByText('The drawing needs WebGL 2, which this browser does not offer').waitFor();
    expect(await page.locator('section[aria-labelledby="graph-nodes-heading"] tbody tr').count()).toBe(graph.nodes.length);
    expect(await page.locator('section[aria-labelledby="graph-edges-heading"] tbody tr').count()).toBe(graph.edges.length);
    expect(await page.locator('.graph-canvas canvas').count()).toBe(0);
    await reviewView(page, 'graph-no-webgl');
    await page.close();
  }, 120_000);
});
