/** /v1/ingest and /v1/ingest/review: `studio ingest` and `studio ingest review` over HTTP, in a worker thread, storing nothing. */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../helpers/pdf.js';
import { PolicyValidator } from '../../src/validation/validator.js';
import { startMiniApi, stopApi, TOKENS, type Api } from './harness.js';
import { IngestThread } from '../../src/ingest/ingest-thread.js';
import { IngestTimeoutError } from '../../src/errors.js';
import { LLM_DEFAULTS } from '../../src/llm/llm-config.js';
import { OpenAiTestServer } from '../helpers/openai-server.js';
import { reader } from '../ingest/drafter-model.js';

const FIXTURE = readFileSync('tests/ingest/fixtures/gifts-rule.md');
const POLICY = 'https://example.org/gifts#policy';
let api: Api;

beforeAll(async () => {
  api = await startMiniApi();
});
afterAll(() => stopApi(api));

/** POSTs a document's bytes as `type`. */
async function send(bytes: Uint8Array, type: string, query = '', role: keyof typeof TOKENS = 'engineer') {
  const response = await fetch(`${api.url}/v1/ingest${query}`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS[role]}`, 'content-type': type }, body: bytes });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

describe('POST /v1/ingest', () => {
  let draft: string;

  it('answers the draft of a Markdown regulation, which passes the shapes, with its review table, and stores nothing', async () => {
    const before = await api.snapshot();
    const reply = await send(FIXTURE, 'text/markdown', `?filename=gifts-rule.md&policy=${encodeURIComponent(POLICY)}`);
    expect(reply.status).toBe(200);
    expect(reply.body.document).toMatchObject({ file: 'gifts-rule.md', format: 'markdown', characters: FIXTURE.toString('utf8').length, warnings: [] });
    expect(reply.body.policy).toBe(POLICY);
    expect(reply.body.provisions).toEqual({ Definition: 2, Prohibition: 3, Exception: 3, Obligation: 1, Permission: 1, Recommendation: 1 });
    expect(reply.body.review.map((r: { provision: string }) => r.provision)).toContain('sec-12-2-a-p1');
    expect(reply.body.unresolved).toBe(14);
    draft = reply.body.turtle;
    const report = await (await PolicyValidator.create()).validateSources([{ file: 'draft.ttl', text: draft, baseIri: 'file:///draft.ttl' }]);
    expect(report.conforms).toBe(true);
    expect(await api.snapshot()).toBe(before);
  });

  it('reads a PDF page by page, and refuses a scanned one saying to run OCR', async () => {
    const pdf = await send(makePdf({ pages: [['§ 9.1 Gifts.', '(a) An employee may not accept a gift from a prohibited source.']] }), 'application/pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.body.document).toMatchObject({ file: 'document.pdf', format: 'pdf', pages: 1 });
    expect(pdf.body.provisions).toEqual({ Prohibition: 1 });
    const scanned = await send(makePdf({ imagePages: 2 }), 'application/pdf', '?filename=scan.pdf');
    expect(scanned.status).toBe(422);
    expect(scanned.contentType).toMatch(/^application\/problem\+json/);
    expect(scanned.body).toMatchObject({ type: expect.stringMatching(/document-refused$/), detail: expect.stringMatching(/^scan\.pdf: .*looks scanned\. Run OCR/) });
  });

  it('refuses a text that is not English with the query parameter to use, and takes it with anyLanguage=true', async () => {
    const german = Buffer.from('Ein Beschäftigter darf keine Geschenke von Lieferanten annehmen, es sei denn, die Ethikstelle stimmt schriftlich zu. Jeder Mitarbeiter muss jedes Geschenk melden, das mehr als hundert Euro wert ist.');
    const refused = await send(german, 'text/plain');
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(/reads as German .* send anyLanguage=true/);
    expect((await send(german, 'text/plain', '?anyLanguage=true')).status).toBe(200);
  });

  it('answers 415 for another content type, 400 without a body, 413 past the size limit, and 403 to a reader', async () => {
    expect((await send(FIXTURE, 'application/octet-stream')).status).toBe(415);
    const empty = await fetch(`${api.url}/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.engineer}` } });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { detail: string }).detail).toMatch(/^Send the document's bytes as the body, with its type as Content-Type/);
    expect((await send(Buffer.alloc(5 * 1024 * 1024 + 1, 'a'), 'text/plain')).status).toBe(413);
    expect((await send(FIXTURE, 'text/markdown', '', 'reader')).status).toBe(403);
  });

  describe('POST /v1/ingest/review', () => {
    it('accepts, edits and rejects provisions and answers the reviewed draft', async () => {
      const reply = await api.call('POST', '/v1/ingest/review', {
        as: 'engineer',
        json: { draft, accept: ['sec-12-2-b-p1'], reject: ['sec-12-2-d-p1'], edit: [{ iri: 'sec-12-2-b-p1', field: 'label', value: 'Report gifts over 100 USD' }] },
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ accepted: ['https://example.org/gifts#sec-12-2-b-p1'], rejected: ['https://example.org/gifts#sec-12-2-d-p1'], cascaded: [] });
      expect(reply.body.turtle).toContain('"Report gifts over 100 USD"');
      expect(reply.body.turtle).not.toContain('draft:sec-12-2-d-p1 ');
    });

    it('refuses a decision naming no provision of the draft, and a draft that does not parse, with 422', async () => {
      const unknown = await api.call('POST', '/v1/ingest/review', { as: 'engineer', json: { draft, accept: ['sec-99-p1'] } });
      expect(unknown.status).toBe(422);
      expect(unknown.body.detail).toMatch(/sec-99-p1/);
      const broken = await api.call('POST', '/v1/ingest/review', { as: 'engineer', json: { draft: '@prefix x: <' } });
      expect(broken.status).toBe(422);
      expect((await api.call('POST', '/v1/ingest/review', { as: 'reader', json: { draft } })).status).toBe(403);
    });
  });
});

describe('POST /v1/ingest with llm=true', () => {
  const GIFTS_CODE = 'https://example.org/eastmarch/gifts#policy';
  let model: OpenAiTestServer;
  let withModel: Api;
  beforeAll(async () => {
    model = await OpenAiTestServer.start({ script: reader, models: ['drafter-1'] });
    withModel = await startMiniApi({ llm: { ...LLM_DEFAULTS, baseUrl: model.baseUrl, model: 'drafter-1', parameters: {}, timeoutMs: 2000, maxRetries: 1 } });
    const loaded = await withModel.call('POST', '/v1/policies?filename=gifts-code.ttl', { as: 'engineer', body: readFileSync('policies/gifts-code.ttl', 'utf8'), headers: { 'content-type': 'text/turtle' } });
    expect(loaded.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await stopApi(withModel);
    await model?.close();
  });

  async function sendTo(target: Api, query: string) {
    const response = await fetch(`${target.url}/v1/ingest${query}`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.engineer}`, 'content-type': 'text/markdown' }, body: FIXTURE });
    return { status: response.status, body: (await response.json()) as any };
  }

  it("asks the configured model once per provision but definitions, maps its answers onto a loaded policy's terms, and says so in the summary and the table", async () => {
    const before = model.requests.length;
    const reply = await sendTo(withModel, `?filename=gifts-rule.md&policy=${encodeURIComponent(POLICY)}&llm=true&terms=${encodeURIComponent(GIFTS_CODE)}`);
    expect(reply.status).toBe(200);
    expect(model.requests.length - before).toBe(9);
    expect(reply.body.llm).toMatchObject({ model: 'drafter-1', asked: 9, used: 9, refused: 0, prompt: { id: '_ingest/fields' } });
    // 12.2(a): the gifts code's own action, by its label; the studio's shared role for "employee".
    const general = reply.body.review.find((r: { provision: string }) => r.provision === 'sec-12-2-a-p1');
    expect(general.model).toMatchObject({ action: 'accept a gift', bearer: 'employee', behaviours: ['Refuse', 'CiteSection'] });
    expect(reply.body.turtle).toContain('https://example.org/eastmarch/gifts#acceptGift');
    expect(reply.body.turtle).toContain('prov:wasAssociatedWith');
    // Checked with the loaded policy, as the CLI checks a draft with its --terms files.
    const report = await (await PolicyValidator.create()).validateSources([
      { file: 'draft.ttl', text: reply.body.turtle, baseIri: 'file:///draft.ttl' },
      { file: 'gifts-code.ttl', text: readFileSync('policies/gifts-code.ttl', 'utf8'), baseIri: 'file:///gifts-code.ttl' },
    ]);
    expect(report.conforms).toBe(true);
    // Reviewed alone it fails the shapes (the action is declared in the gifts code); with the gifts code it passes.
    const alone = await withModel.call('POST', '/v1/ingest/review', { as: 'engineer', json: { draft: reply.body.turtle, accept: ['sec-12-2-a-p1'] } });
    expect(alone.status).toBe(422);
    const together = await withModel.call('POST', '/v1/ingest/review', { as: 'engineer', json: { draft: reply.body.turtle, with: GIFTS_CODE, accept: ['sec-12-2-a-p1'] } });
    expect(together.status).toBe(200);
    expect(together.body.accepted).toEqual([`https://example.org/gifts#sec-12-2-a-p1`]);
    expect((await withModel.call('POST', '/v1/ingest/review', { as: 'engineer', json: { draft: reply.body.turtle, with: 'https://example.org/nowhere#policy', accept: ['sec-12-2-a-p1'] } })).status).toBe(404);
  });

  it('says what is wrong: no model configured (422), terms without llm (400), terms not loaded (404), a model that does not answer (502)', async () => {
    const unconfigured = await send(FIXTURE, 'text/markdown', '?llm=true');
    expect(unconfigured.status).toBe(422);
    expect(unconfigured.body).toMatchObject({ type: expect.stringMatching(/llm-not-configured$/), detail: expect.stringContaining('STUDIO_LLM_BASE_URL') });
    expect((await sendTo(withModel, `?terms=${encodeURIComponent(GIFTS_CODE)}`)).status).toBe(400);
    expect((await sendTo(withModel, `?llm=true&terms=${encodeURIComponent('https://example.org/nowhere#policy')}`)).status).toBe(404);
    const dead = await OpenAiTestServer.start({ script: reader, models: ['drafter-1'] });
    const deadUrl = dead.baseUrl;
    await dead.close();
    const orphan = await startMiniApi({ llm: { ...LLM_DEFAULTS, baseUrl: deadUrl, model: 'drafter-1', parameters: {}, timeoutMs: 1000, maxRetries: 0 } });
    try {
      const failed = await sendTo(orphan, '?llm=true');
      expect(failed.status).toBe(502);
      expect(failed.body).toMatchObject({ type: expect.stringMatching(/llm-unavailable$/), detail: expect.stringContaining('Nothing was drafted') });
    } finally {
      await stopApi(orphan);
    }
  });
});

describe('the ingestion thread', () => {
  it('stops a task past its deadline, and the next task gets a new worker', async () => {
    const task = { kind: 'draft', filename: 'gifts-rule.md', format: 'markdown', bytes: FIXTURE, anyLanguage: false } as const;
    const hasty = new IngestThread(1);
    await expect(hasty.run(task)).rejects.toBeInstanceOf(IngestTimeoutError);
    await hasty.close();
    const patient = new IngestThread(120_000);
    await expect(patient.run(task)).resolves.toMatchObject({ kind: 'done', result: { sections: 11 } });
    await expect(patient.run({ kind: 'review', filename: 'x.ttl', draft: '@prefix x: <', decisions: {} })).resolves.toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^x\.ttl:1:/) });
    await patient.close();
    await expect(patient.run(task)).rejects.toThrow(/shutting down/);
  });
});
