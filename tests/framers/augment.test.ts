/**
 * LLM augmentation against the local OpenAI-compatible server, on the
 * embedded store: paraphrases kept with their provenance, the filters at
 * work in a run, faults ridden out (429 with Retry-After, 500, a body cut
 * off), and a failing endpoint leaving the store and the datasets untouched.
 */

import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { generateAll } from '../helpers/generation.js';
import { generateAugmented, loadAugmentPrompt, parseParaphrases, type AugmentedGenerationResult } from '../../src/framers/augment.js';
import { sha256 } from '../../src/framers/hierarchy.js';
import { LlmClient } from '../../src/llm/client.js';
import { LLM_DEFAULTS, type LlmConfig } from '../../src/llm/llm-config.js';
import type { PromptTemplate } from '../../src/llm/prompt-template.js';
import { LlmTimeoutError } from '../../src/errors.js';
import { studioAsync } from '../helpers/cli.js';
import { OpenAiTestServer, reply, sequence, type Script } from '../helpers/openai-server.js';
import { formal, paraphraser, polite } from '../helpers/paraphrases.js';

const MINI = 'tests/fixtures/mini-policy.ttl';
const POLICY = 'https://example.org/mini#policy';
const MODEL = 'studio-test-model';
const FAMILIES = ['scenario-noncompliant', 'exception-boundary'];
const STUDIO = 'https://w3id.org/alignment-studio/ns#';

let library: TemplateLibrary;
let prompt: PromptTemplate;
let server: OpenAiTestServer | undefined;

beforeAll(async () => {
  [library, prompt] = await Promise.all([TemplateLibrary.load(), loadAugmentPrompt()]);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const echo = (t: string) => `${t}!`;
const terse = (t: string) => t.split(' ').slice(0, 4).join(' ');
const rambling = (t: string) => `${t} ${t} ${t}`;

async function freshStore(): Promise<GraphStore> {
  const store = await EmbeddedStore.open();
  await store.loadPolicy(await readTurtle(MINI));
  return store;
}

async function serve(script: Script): Promise<OpenAiTestServer> {
  server = await OpenAiTestServer.start({ script });
  return server;
}

function client(s: OpenAiTestServer, config: Partial<LlmConfig> = {}): LlmClient {
  return new LlmClient({ ...LLM_DEFAULTS, baseUrl: s.baseUrl, model: MODEL, parameters: { max_tokens: 900 }, timeoutMs: 2000, maxRetries: 2, ...config });
}

function augment(store: GraphStore, c: LlmClient, paraphrases = 3): Promise<AugmentedGenerationResult> {
  return generateAugmented(store, POLICY, library, c, { seed: 1, augment: { paraphrases, prompt, families: FAMILIES } });
}

async function rows(store: GraphStore, sparql: string): Promise<Record<string, unknown>[]> {
  const answer = await store.query(`PREFIX studio: <${STUDIO}> PREFIX prov: <http://www.w3.org/ns/prov#> ${sparql}`);
  if (answer.kind !== 'rows') throw new Error('expected rows');
  return answer.rows as Record<string, unknown>[];
}

describe('augmentation', () => {
  it('keeps paraphrases that keep the facts, as new items with the label, expectations and answers of the original', async () => {
    const store = await freshStore();
    const s = await serve(paraphraser(polite, formal, echo));
    const result = await augment(store, client(s));
    const originals = result.items.filter((i) => !('augmentation' in i));
    const eligible = originals.filter((i) => FAMILIES.includes(i.family));
    expect(eligible.length).toBeGreaterThan(5);
    expect(s.chatRequests()).toHaveLength(eligible.length);
    expect(result.augmentation).toMatchObject({ items: eligible.length, requested: 3 * eligible.length, received: 3 * eligible.length, kept: 2 * eligible.length });
    expect(result.augmentation.filtered['near-duplicate']).toBe(eligible.length);
    for (const item of result.augmented) {
      const original = originals.find((o) => o.iri === item.augmentation.original)!;
      expect({ ...item, iri: '', activity: '', messages: [], augmentation: undefined }).toEqual({ ...original, iri: '', activity: '', messages: [], augmentation: undefined });
      expect(item.messages.at(-1)!.content).toMatch(/\b(zq|xv)aa\b/);
      expect(item.iri).not.toBe(original.iri);
    }
    expect(new Set(result.augmented.map((i) => i.iri)).size).toBe(result.augmented.length);
    await store.close();
  });

  it('records the model, the parameters and the hash of the prompt sent, derived from the original, in the generated graph', async () => {
    const store = await freshStore();
    const s = await serve(paraphraser(polite, formal));
    const result = await augment(store, client(s), 2);
    const found = await rows(
      store,
      `SELECT ?item ?original ?model ?parameters ?hash ?activity WHERE { GRAPH ?g {
         ?item a studio:AugmentedItem ; prov:wasDerivedFrom ?original ; studio:model ?model ; studio:modelParameters ?parameters ;
               studio:promptHash ?hash ; prov:wasGeneratedBy ?activity .
         ?original a studio:Scenario . FILTER NOT EXISTS { ?original a studio:AugmentedItem }
         ?activity a studio:AugmentationActivity ; studio:template ?prompt .
         ?prompt studio:contentHash "${prompt.contentHash}" } }`,
    );
    expect(found).toHaveLength(result.augmented.length);
    expect(new Set(found.map((r) => r.model))).toEqual(new Set([MODEL]));
    // The task's temperature, the configured max_tokens, the run's seed: sent, and recorded as sent.
    expect(JSON.parse(found[0]!.parameters as string)).toEqual({ max_tokens: 900, seed: 1, temperature: 0.9 });
    expect(s.chatRequests()[0]!.body).toMatchObject({ max_tokens: 900, seed: 1, temperature: 0.9 });
    const sent = new Set(s.chatRequests().map((r) => sha256(JSON.stringify(r.body.messages))));
    expect(new Set(found.map((r) => r.hash))).toEqual(sent);
    // Each augmented item is also derived from its rules, like the original.
    const ruleLinks = await rows(store, `SELECT ?item WHERE { GRAPH ?g { ?item a studio:AugmentedItem ; prov:wasDerivedFrom <https://example.org/mini#gifts-001> } }`);
    expect(ruleLinks.length).toBeGreaterThan(0);
    await store.close();
  });

  it('gives the same IRIs and graph for the same replies, and keeps the templated items a plain run makes', async () => {
    const [a, b] = [await freshStore(), await freshStore()];
    const s = await serve(paraphraser(polite, formal));
    const first = await augment(a, client(s), 2);
    const second = await augment(b, client(s), 2);
    expect(second.items.map((i) => i.iri)).toEqual(first.items.map((i) => i.iri));
    expect(second.graph.triples).toBe(first.graph.triples);
    const plain = await generateAll(b, POLICY, library, { seed: 1 });
    expect(first.items.filter((i) => !('augmentation' in i)).map((i) => i.iri)).toEqual(plain.items.map((i) => i.iri));
    await Promise.all([a.close(), b.close()]);
  });

  it('drops, and counts by reason, paraphrases too short, too long, too close, and replies that are not the JSON asked for', async () => {
    const store = await freshStore();
    const s = await serve(sequence(reply.chat('Sure! Here are some paraphrases: 1. ...'), paraphraser(polite, terse, rambling, echo)));
    const result = await augment(store, client(s), 4);
    const n = result.augmentation.items;
    expect(result.augmentation.filtered).toEqual({ malformed: 4, 'too-short': n - 1, 'too-long': n - 1, 'lost-fact': 0, 'added-fact': 0, flipped: 0, 'near-duplicate': n - 1 });
    expect(result.augmentation.kept).toBe(n - 1);
    expect(result.augmentation.examples.find((e) => e.reason === 'malformed')!.detail).toBe('the reply is not the JSON asked for');
    await store.close();
  });

  it('drops paraphrases that lose the amount at an exception\'s edge or flip a fact', async () => {
    const store = await freshStore();
    const s = await serve(
      paraphraser(
        polite,
        (t) => polite(t.replace(/\b(\d+)\b/g, (d) => String(Number(d) + 1))),
        (t) => formal(t.replace(/ with a vendor/, ' with no vendor')),
      ),
    );
    const result = await augment(store, client(s));
    const f = result.augmentation.filtered;
    expect(f['lost-fact']).toBeGreaterThan(0); // boundary items: 50 became 51, 51 became 52
    expect(f.flipped).toBeGreaterThan(0); // scenarios with a vendor: now negated
    for (const item of result.augmented) {
      const original = result.items.find((i) => i.iri === item.augmentation.original)!;
      expect(item.messages.at(-1)!.content).not.toMatch(/with no vendor/);
      expect(item.messages.at(-1)!.content.match(/\d+/g)).toEqual(original.messages.at(-1)!.content.match(/\d+/g));
    }
    await store.close();
  });

  it('counts a reply cut short by max_tokens as malformed, saying so', async () => {
    const store = await freshStore();
    const s = await serve(sequence(reply.chat('{"paraphrases": ["Hello, quick', { finishReason: 'length' }), paraphraser(polite)));
    const result = await augment(store, client(s), 1);
    expect(result.augmentation.filtered.malformed).toBe(1);
    expect(result.augmentation.examples[0]!.detail).toMatch(/cut short by max_tokens/);
    await store.close();
  });

  it.each([
    ['a 429 with Retry-After: 1', reply.rateLimited(1), 950],
    ['a 500', reply.serverError(), 300],
    ['a body cut off mid-JSON', reply.truncated(), 300],
  ])('rides out %s: the item is asked again, after the wait, and kept', async (_label, fault, wait) => {
    const store = await freshStore();
    const s = await serve(sequence(fault, paraphraser(polite)));
    const result = await augment(store, client(s, { timeoutMs: 5000 }), 1);
    expect(result.augmentation.kept).toBe(result.augmentation.items);
    const [first, ...rest] = s.chatRequests();
    const again = rest.find((r) => r.raw === first!.raw)!;
    expect(again.at - first!.at).toBeGreaterThanOrEqual(wait);
    await store.close();
  });

  it('fails with a timeout error when the endpoint stops answering, leaving the generated graph as it was', async () => {
    const store = await freshStore();
    const s = await serve(paraphraser(polite));
    const before = await augment(store, client(s), 1);
    const graphBefore = (await store.listDerivedGraphs(POLICY)).find((g) => g.kind === 'generated')!;
    s.script = sequence(paraphraser(formal), paraphraser(formal), reply.hang());
    const error = await augment(store, client(s, { timeoutMs: 300, maxRetries: 1 }), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmTimeoutError);
    expect((error as Error).message).toMatch(/no complete answer within 300 ms on 2 attempt\(s\)/);
    expect((await store.listDerivedGraphs(POLICY)).find((g) => g.kind === 'generated')).toEqual(graphBefore);
    const texts = await rows(store, `SELECT ?m WHERE { GRAPH ?g { ?i a studio:AugmentedItem ; studio:messages ?m } }`);
    expect(texts).toHaveLength(before.augmented.length);
    expect(texts.every((r) => / zqaa\b/.test(String(r.m)))).toBe(true);
    await store.close();
  });

  it('parses the paraphrases from a fenced reply, a bare list, or lists of turns', () => {
    expect(parseParaphrases('```json\n{"paraphrases": ["a b", "c"]}\n```', 1)).toEqual([['a b'], ['c']]);
    expect(parseParaphrases('["x"]', 1)).toEqual([['x']]);
    expect(parseParaphrases('{"paraphrases": [["one", "two"], "three"]}', 2)).toEqual([['one', 'two'], undefined]);
    expect(parseParaphrases('no JSON here', 1)).toBeUndefined();
  });
});

describe('studio generate --augment', () => {
  it('paraphrases, reports kept and dropped, and exports the paraphrases with the rest', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-augment-'));
    const out = path.join(dataDir, 'datasets');
    const s = await serve(paraphraser(polite, echo));
    const env = { STUDIO_LLM_BASE_URL: s.baseUrl, STUDIO_LLM_MODEL: MODEL };
    expect((await studioAsync(['load', MINI, '--data-dir', dataDir], env)).code).toBe(0);
    const run = await studioAsync(['generate', '--data-dir', dataDir, '--augment', '--paraphrases', '2', '--augment-families', 'scenario-noncompliant', '--out', out, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const [summary] = JSON.parse(run.stdout);
    expect(summary.augmentation).toMatchObject({ model: MODEL, prompt: `_augment/paraphrase v${prompt.version}`, requested: 2 * summary.augmentation.items });
    expect(summary.augmentation.kept).toBe(summary.augmentation.items);
    expect(summary.augmentation.filtered['near-duplicate']).toBe(summary.augmentation.items);
    const chat = (await readFile(path.join(summary.exports.folder, 'chat.jsonl'), 'utf8')).trim().split('\n');
    expect(chat).toHaveLength(summary.items);
    expect(chat.filter((line) => line.includes(' zqaa'))).toHaveLength(summary.augmentation.kept);
    // Each paraphrase's record says it is one, names the item it paraphrases and the model; a templated record's paraphrase is
    // every key, empty (a reader that types each key from the first records, all templated, then reads the paraphrases).
    const records = chat.map((line) => JSON.parse(line) as { messages: { content: string }[]; metadata: { item: string; paraphrase: { original: string } & Record<string, string> } });
    const paraphrases = records.filter((r) => r.metadata.paraphrase.original !== '');
    expect(paraphrases).toHaveLength(summary.augmentation.kept);
    const templated = new Set(records.filter((r) => r.metadata.paraphrase.original === '').map((r) => r.metadata.item));
    for (const record of records.filter((r) => templated.has(r.metadata.item))) expect(record.metadata.paraphrase).toEqual({ original: '', model: '', served_model: '', prompt: '', prompt_hash: '' });
    for (const record of paraphrases) {
      expect(record.metadata.paraphrase).toEqual({ original: expect.any(String), model: MODEL, prompt: `_augment/paraphrase v${prompt.version}`, prompt_hash: expect.stringMatching(/^[0-9a-f]{64}$/), served_model: '' });
      expect(templated.has(record.metadata.paraphrase.original)).toBe(true);
      expect(record.messages.at(-2)!.content).toContain(' zqaa');
    }
    for (const file of ['eval.jsonl', 'preference.jsonl']) {
      const lines = (await readFile(path.join(summary.exports.folder, file), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { metadata: { paraphrase: { original: string } } });
      const paraphrased = lines.filter((r) => r.metadata.paraphrase.original !== '');
      expect(paraphrased.length, file).toBeGreaterThan(0);
      expect(paraphrased.every((r) => templated.has(r.metadata.paraphrase.original)), file).toBe(true);
    }
    const text = await studioAsync(['generate', '--data-dir', dataDir, '--augment', '--paraphrases', '2', '--augment-families', 'scenario-noncompliant'], env);
    expect(text.stdout).toMatch(/augmented with studio-test-model \(_augment\/paraphrase v1\): \d+ items, \d+ paraphrases asked for/);
    expect(text.stdout).toMatch(/near-duplicate\s+\d+\s+\d+% of its words shared/);
  }, 120_000);

  it.each([
    ['no endpoint configured', {}, [] as string[], /no LLM endpoint is configured: set STUDIO_LLM_BASE_URL/],
    ['a key the endpoint refuses', { STUDIO_LLM_API_KEY: 'sk-wrong' }, [], /refused the API key.*STUDIO_LLM_API_KEY/],
    ['--paraphrases 0', {}, ['--paraphrases', '0'], /--paraphrases 0: give an integer from 1 to 10/],
    ['an unknown family to augment', {}, ['--augment-families', 'poetry'], /unknown family 'poetry' in --augment-families/],
  ])('refuses %s, writing nothing', async (label, extraEnv, args, message) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-augment-'));
    server = await OpenAiTestServer.start({ apiKey: 'sk-right' });
    const env: Record<string, string> = { STUDIO_LLM_BASE_URL: label === 'no endpoint configured' ? '' : server.baseUrl, STUDIO_LLM_MODEL: MODEL, STUDIO_LLM_API_KEY: 'sk-right', ...extraEnv };
    expect((await studioAsync(['load', MINI, '--data-dir', dataDir], env)).code).toBe(0);
    const out = path.join(dataDir, 'datasets');
    const run = await studioAsync(['generate', '--data-dir', dataDir, '--augment', '--out', out, ...args], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
