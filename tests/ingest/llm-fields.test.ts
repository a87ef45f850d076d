import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import N3 from 'n3';
import { ingest } from '../../src/ingest/ingest.js';
import { loadFieldsPrompt, readFieldsAnswer, slotsOf } from '../../src/ingest/llm-fields.js';
import { readTermCatalogue, type TermCatalogue } from '../../src/ingest/term-catalogue.js';
import { LlmClient } from '../../src/llm/client.js';
import { LLM_DEFAULTS } from '../../src/llm/llm-config.js';
import { PolicyValidator } from '../../src/validation/validator.js';
import { PROV, RDF, SKOS, STUDIO } from '../../src/vocabulary.js';
import { OpenAiTestServer, reply, type Script } from '../helpers/openai-server.js';
import { asked, reader } from './drafter-model.js';
import { studioAsync } from '../helpers/cli.js';

const FIXTURE = 'tests/ingest/fixtures/gifts-rule.md';
const TERMS = 'policies/gifts-code.ttl';
const D = 'https://example.org/gifts#';
const GOV = 'https://example.org/eastmarch/gifts#';

let server: OpenAiTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(s: OpenAiTestServer): LlmClient {
  return new LlmClient({ ...LLM_DEFAULTS, baseUrl: s.baseUrl, model: 'drafter-1', parameters: {}, timeoutMs: 2000, maxRetries: 1 });
}

async function draftWith(script: Script, catalogue?: TermCatalogue) {
  server = await OpenAiTestServer.start({ script, models: ['drafter-1'] });
  return ingest(FIXTURE, { policyIri: `${D}policy`, llm: { client: client(server), prompt: await loadFieldsPrompt(), ...(catalogue ? { catalogue } : {}) } });
}

const subjects = (store: N3.Store, p: string, o: string) => store.getSubjects(N3.DataFactory.namedNode(p), N3.DataFactory.namedNode(o.includes(':') ? o : D + o), null).map((t) => t.value);
const objects = (store: N3.Store, s: string, p: string) => store.getObjects(N3.DataFactory.namedNode(s.includes(':') ? s : D + s), N3.DataFactory.namedNode(p), null).map((o) => o.value);

describe('ingest --llm: the fields of each provision from a model', () => {
  it('asks once per provision but definitions, maps labels and IRIs onto the policy\'s terms, proposes the rest, and passes the shapes', async () => {
    const catalogue = await readTermCatalogue([TERMS]);
    const result = await draftWith(reader, catalogue);
    const store = new N3.Store([...result.quads] as N3.Quad[]);
    // 11 provisions, 2 of them definitions.
    expect(server!.requests.filter((r) => r.chatIndex >= 0)).toHaveLength(9);
    // 12.2(a): "accept a gift" is the gifts code's own action, named by IRI; "employee" and "supplier" the studio's shared roles.
    expect(objects(store, 'sec-12-2-a-p1', `${STUDIO}action`)).toEqual([`${GOV}acceptGift`]);
    expect(objects(store, 'sec-12-2-a-p1', `${STUDIO}bearer`)).toEqual([`${STUDIO}Employee`]);
    expect(objects(store, 'sec-12-2-a-p1', `${STUDIO}counterparty`)).toEqual([`${STUDIO}Supplier`]);
    expect(objects(store, 'sec-12-2-a-p1', `${STUDIO}expectedBehaviour`).sort()).toEqual([`${STUDIO}CiteSection`, `${STUDIO}Refuse`]);
    // "gift" is the label of the gifts code's asset: mapped onto it, not proposed.
    expect(objects(store, 'sec-12-2-a-p1', `${STUDIO}target`)).toEqual([`${GOV}Gift`]);
    // The threshold of 12.2(b) says what it measures; the exception of 12.2(a) its circumstance.
    const [threshold] = objects(store, 'sec-12-2-b-p1', `${STUDIO}condition`);
    expect(objects(store, threshold!, `${STUDIO}quantity`)).toEqual([`${D}quantity-value-of-a-gift`]);
    expect(objects(store, 'quantity-value-of-a-gift', `${RDF}type`).sort()).toEqual([`${STUDIO}ProposedTerm`, `${STUDIO}Quantity`]);
    expect(subjects(store, `${PROV}generated`, 'quantity-value-of-a-gift')).toEqual([`${D}ingestion-llm`]);
    const [condition] = objects(store, 'sec-12-2-a-p2', `${STUDIO}condition`);
    expect(objects(store, condition!, `${STUDIO}circumstance`)).toEqual([`${D}circumstance-a-gift-of-nominal-value`]);
    // Only the definitions keep placeholders.
    const unresolved = store.getSubjects(N3.DataFactory.namedNode(`${RDF}type`), N3.DataFactory.namedNode(`${STUDIO}Unresolved`), null).map((t) => t.value.slice(D.length));
    expect(unresolved.sort()).toEqual(['sec-12-1-a-p1-term', 'sec-12-1-b-p1-term']);
    const validator = await PolicyValidator.create();
    const report = await validator.validateSources([{ file: 'draft.ttl', text: result.turtle, baseIri: 'file:///draft.ttl' }, ...catalogue.sources]);
    expect(report.violations).toEqual([]);
    expect(report.conforms).toBe(true);
  });

  it('records the model, its parameters and the prompt version and hash as the provenance of what it named', async () => {
    const result = await draftWith(reader);
    const store = new N3.Store([...result.quads] as N3.Quad[]);
    const prompt = await loadFieldsPrompt();
    expect(subjects(store, `${PROV}influenced`, 'sec-12-2-b-p1')).toEqual([`${D}ingestion-llm`]);
    expect(subjects(store, `${PROV}influenced`, 'sec-12-1-a-p1')).toEqual([]);
    expect(objects(store, 'ingestion-llm', `${STUDIO}model`)).toEqual(['drafter-1']);
    expect(objects(store, 'ingestion-llm', `${PROV}wasInformedBy`)).toEqual([`${D}ingestion`]);
    const [plan] = objects(store, 'ingestion-llm', `${PROV}used`);
    expect(objects(store, plan!, `${STUDIO}contentHash`)).toEqual([prompt.contentHash]);
    expect(objects(store, plan!, `${STUDIO}templateVersion`)).toEqual([String(prompt.version)]);
    expect(objects(store, 'model', `${RDF}type`)).toEqual([`${PROV}SoftwareAgent`]);
    expect(result.turtle).toMatch(/the fields of 9 of 9 provisions named by drafter-1 \(prompt _ingest\/fields v1\)/);
  });

  it('asks again with the problem when an answer is unusable, and keeps the placeholders with a note after a second', async () => {
    const bad = new Set(['not json at all', JSON.stringify({ bearer: { term: 'https://nowhere.example/x', label: 'x' }, action: { term: null, label: 'act' }, behaviours: ['Refuse'] })]);
    let turn = 0;
    const script: Script = (request) => {
      const { text } = asked(request);
      if (!text.startsWith('An employee shall not accept')) return reader(request);
      return reply.chat([...bad][turn++ % 2]!);
    };
    const result = await draftWith(script);
    const store = new N3.Store([...result.quads] as N3.Quad[]);
    const second = server!.requests.filter((r) => r.chatIndex >= 0 && asked(r).text.startsWith('An employee shall not accept'));
    expect(second).toHaveLength(2);
    expect(String(second[1]!.body.messages.at(-1).content)).toMatch(/cannot be used: no JSON object found/);
    expect(result.llm!.outcomes.get('sec-12-2-a-p1')).toMatchObject({ ok: false, attempts: 2, problem: expect.stringMatching(/https:\/\/nowhere\.example\/x is not one of the policy's terms/) });
    expect(objects(store, 'sec-12-2-a-p1', `${STUDIO}bearer`)).toEqual([`${D}unresolved-bearer`]);
    expect(objects(store, 'sec-12-2-a-p1', `${SKOS}note`).join('\n')).toMatch(/answers were not used \(asked 2 times\)/);
    expect(subjects(store, `${PROV}influenced`, 'sec-12-2-a-p1')).toEqual([]);
  });

  it('reads answers against the schema and the terms, and says what is wrong', async () => {
    const catalogue = await readTermCatalogue([TERMS]);
    const [rule] = (await ingest(FIXTURE)).provisions.filter((p) => p.kind === 'Prohibition');
    const slots = slotsOf(rule!);
    expect(readFieldsAnswer('{"behaviours": ["Obey"]}', slots, 0, catalogue)).toMatchObject({ ok: false, problem: expect.stringMatching(/behaviours\/0 must be equal to one of the allowed values \(Refuse, Warn/) });
    expect(readFieldsAnswer('{"action": {"term": null, "label": "act"}, "behaviours": ["Refuse"]}', slots, 0, catalogue)).toMatchObject({ ok: false, problem: '"bearer" is missing; it is required for this provision' });
    expect(readFieldsAnswer(JSON.stringify({ bearer: { term: `${GOV}acceptGift`, label: 'x' }, action: { term: null, label: 'a' }, behaviours: ['Refuse'] }), slots, 0, catalogue))
      .toMatchObject({ ok: false, problem: `"bearer": ${GOV}acceptGift is a Action, not a Role or Organization` });
    expect(readFieldsAnswer(JSON.stringify({ bearer: { term: null, label: 'The Public Official' }, action: { term: null, label: 'Accept a gift.' }, behaviours: ['Refuse'] }), slots, 1, catalogue))
      .toMatchObject({ ok: false, problem: '"quantities" has 0 entries; the provision states 1 amount(s), one entry each' });
    expect(readFieldsAnswer(JSON.stringify({ bearer: { term: null, label: 'The Public Official' }, action: { term: null, label: 'Accept a gift.' }, behaviours: ['Refuse'] }), slots, 0, catalogue))
      .toEqual({ ok: true, fields: { bearer: { iri: `${GOV}Official` }, action: { iri: `${GOV}acceptGift` }, quantities: [], behaviours: ['Refuse'] } });
  });
});

describe('studio ingest --llm', () => {
  it('writes a draft naming the terms of --terms, with the model\'s fields in the review table', async () => {
    server = await OpenAiTestServer.start({ script: reader, models: ['drafter-1'] });
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'studio-ingest-llm-')), 'draft.ttl');
    const env = { STUDIO_LLM_BASE_URL: server.baseUrl, STUDIO_LLM_MODEL: 'drafter-1' };
    const run = await studioAsync(['ingest', FIXTURE, '--llm', '--terms', TERMS, '--out', out], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/drafter-1, prompt _ingest\/fields v1: fields named for 9 of 9 provisions \(0 asked twice, 0 answer\(s\) refused: their placeholders stay\), \d+ new term\(s\) proposed/);
    expect(run.stdout).toMatch(/sec-12-2-a-p1 +12\.2\(a\) +Prohibition +shall not +\d+-\d+ +employee +accept a gift +An employee/);
    expect(readFileSync(out, 'utf8')).toContain(`studio:action <${GOV}acceptGift>`);
  });

  it('fails with the endpoint named and writes nothing when the model cannot be reached', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'studio-ingest-llm-')), 'draft.ttl');
    const run = await studioAsync(['ingest', FIXTURE, '--llm', '--out', out], { STUDIO_LLM_BASE_URL: 'http://127.0.0.1:1/v1', STUDIO_LLM_MODEL: 'drafter-1' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/127\.0\.0\.1:1/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --terms without --llm', async () => {
    const run = await studioAsync(['ingest', FIXTURE, '--terms', TERMS]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--terms and --templates need --llm/);
  });
});

