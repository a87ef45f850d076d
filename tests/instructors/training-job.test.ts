/**
 * Fine-tuning jobs against the local OpenAI-compatible server: a job that
 * succeeds records its model, a failing one its error; the record goes into
 * a derived graph on both stores, and the training-jobs and policy-packs
 * named queries answer identically on both.
 */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore, Row } from '../../src/store/graph-store.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { compileDataset, type DatasetSummary } from '../../src/instructors/dataset.js';
import { runTrainingJob, jobIri } from '../../src/instructors/training-job.js';
import { openAiFile, openAiLineProblem, OPENAI_KEYS, sidecarFile } from '../../src/instructors/openai-files.js';
import { compilePolicyPack, policyPackText, writePolicyPack } from '../../src/instructors/policy-pack.js';
import { LlmClient } from '../../src/llm/client.js';
import { resolveLlmConfig, TRAIN_SETTING } from '../../src/llm/llm-config.js';
import { DatasetError, LlmModelError, TrainingJobError } from '../../src/errors.js';
import { OpenAiTestServer } from '../helpers/openai-server.js';
import { neo4jAvailable } from '../helpers/neo4j.js';
import { openBothStores } from '../helpers/both-stores.js';
import { studio, studioAsync } from '../helpers/cli.js';
import { SAMPLE_POLICIES } from '../store/store-spec.js';

const H = 'https://example.org/harbourline/assistant#';
const available = await neo4jAvailable();
const noSleep = async () => undefined;

let server: OpenAiTestServer;
let out: string;
let dataset: DatasetSummary;

function client(model = 'base-model'): LlmClient {
  return new LlmClient(resolveLlmConfig({ baseUrl: server.baseUrl, model, maxRetries: 0 }, 'studio.config.json', {}, TRAIN_SETTING));
}

function sorted(rows: readonly Row[]): string[] {
  return rows.map((row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => a.localeCompare(b)))).sort();
}

beforeAll(async () => {
  server = await OpenAiTestServer.start({ models: ['base-model'] });
  out = await mkdtemp(path.join(tmpdir(), 'studio-job-'));
  const store = await EmbeddedStore.open();
  await store.loadPolicy(await readTurtle(SAMPLE_POLICIES[1]!));
  await writeConflicts(store, await detectConflicts(store));
  dataset = await compileDataset(store, `${H}policy`, `${H}ctx-customer-assistant`, await TemplateLibrary.load(), out, { seed: 1 });
  await store.close();
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

describe('fine-tuning jobs (embedded store)', () => {
  let store: GraphStore;
  beforeAll(async () => {
    store = await EmbeddedStore.open();
    await store.loadPolicy(await readTurtle(SAMPLE_POLICIES[1]!));
  });
  afterAll(async () => store?.close());

  it('uploads the splits, follows queued -> running -> succeeded, and records the model with its dataset and policy version', async () => {
    server.jobSteps = ['queued', 'running', 'succeeded'];
    const seen: string[] = [];
    const record = await runTrainingJob(store, client(), dataset.folder, { sleep: noSleep, onStatus: (j) => seen.push(j.status) });
    expect(seen).toEqual(['validating_files', 'queued', 'running', 'succeeded']);
    expect(record.job.fineTunedModel).toBe(`ft:base-model:studio-test:${record.job.id}`);
    const uploaded = [...server.files.values()].slice(-2);
    expect(uploaded.map((f) => f.purpose)).toEqual(['fine-tune', 'fine-tune']);
    expect(uploaded[0]!.content.split('\n').filter(Boolean)).toHaveLength(dataset.records.sft.train);
    expect(JSON.parse(uploaded[0]!.content.split('\n')[0]!).messages[0].role).toBe('system');
    // Only the keys OpenAI documents go up; the metadata stays in the sidecar, line for line.
    for (const [i, split] of (['train', 'validation'] as const).entries()) {
      const sent = uploaded[i]!.content.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(new Set(sent.map((r) => Object.keys(r).join(',')))).toEqual(new Set(['messages']));
      const sidecar = (await readFile(sidecarFile(dataset.folder, 'sft', split), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const kept = (await readFile(path.join(dataset.folder, 'sft', `${split}.jsonl`), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(sidecar.map((s) => s.line)).toEqual(sent.map((_, n) => n + 1));
      expect(sidecar.map((s) => s.item)).toEqual(kept.map((r) => r.metadata.item));
      expect(sidecar.map((s) => s.metadata)).toEqual(kept.map((r) => r.metadata));
      expect(sent.map((r) => r.messages)).toEqual(kept.map((r) => r.messages));
    }
    expect(server.jobs.get(record.job.id)!.body).toMatchObject({ model: 'base-model', method: { type: 'supervised' }, validation_file: uploaded[1]!.id });
    const [row] = await store.namedQuery('training-jobs', { policy: `${H}policy` });
    expect(row).toMatchObject({
      job: jobIri(server.baseUrl, record.job.id),
      jobId: record.job.id,
      status: 'succeeded',
      method: 'supervised',
      baseModel: 'base-model',
      datasetSha256: dataset.sha256,
      context: `${H}ctx-customer-assistant`,
      policySha256: dataset.policySha256,
      modelId: record.job.fineTunedModel,
      error: null,
    });
  });

  it('a failed job is recorded with its error and raised as a TrainingJobError', async () => {
    server.jobSteps = ['queued', { status: 'failed', code: 'invalid_training_file', message: 'line 3: too many tokens' }];
    await expect(runTrainingJob(store, client(), dataset.folder, { sleep: noSleep })).rejects.toThrow(TrainingJobError);
    const rows = await store.namedQuery('training-jobs', { policy: `${H}policy` });
    const failed = rows.find((r) => r.status === 'failed')!;
    expect(failed).toMatchObject({ error: 'invalid_training_file: line 3: too many tokens', modelId: null });
  });

  it('a DPO job uploads input, preferred_output and non_preferred_output only', async () => {
    server.jobSteps = ['succeeded'];
    const record = await runTrainingJob(store, client(), dataset.folder, { method: 'dpo', sleep: noSleep });
    const sent = [...server.files.values()].slice(-2).map((f) => f.content.split('\n').filter(Boolean).map((l) => JSON.parse(l)));
    expect(sent[0]).toHaveLength(dataset.records.dpo.train);
    for (const r of sent.flat()) {
      expect(Object.keys(r).sort()).toEqual([...OPENAI_KEYS.dpo]);
      expect(Object.keys(r.input)).toEqual(['messages']);
      expect(openAiLineProblem(r, 'dpo')).toBeUndefined();
    }
    expect(server.jobs.get(record.job.id)!.body).toMatchObject({ method: { type: 'dpo' } });
  });

  it('`studio train job --method dpo` runs a preference job from the command line', async () => {
    server.jobSteps = ['succeeded'];
    const data = await mkdtemp(path.join(tmpdir(), 'studio-job-cli-'));
    try {
      const env = { STUDIO_DATA_DIR: data, STUDIO_TRAIN_BASE_URL: server.baseUrl, STUDIO_TRAIN_MODEL: 'base-model' };
      expect(studio(['load', SAMPLE_POLICIES[1]!], env).code).toBe(0);
      const before = server.jobs.size;
      const cli = await studioAsync(['train', 'job', '--dataset', dataset.folder, '--method', 'dpo', '--poll-ms', '0', '--json'], env);
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      expect(server.jobs.size).toBe(before + 1);
      expect(server.jobs.get(JSON.parse(cli.stdout).jobId)!.body).toMatchObject({ method: { type: 'dpo' } });
      const wrong = studio(['train', 'job', '--dataset', dataset.folder, '--method', 'rlhf'], env);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/--method.*rlhf|rlhf.*supervised, dpo/);
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });

  it('refuses to upload a file with a key OpenAI does not document, naming the file and line', async () => {
    const file = openAiFile(dataset.folder, 'sft', 'train');
    const original = await readFile(file, 'utf8');
    try {
      const [first, second, ...rest] = original.split('\n');
      await writeFile(file, [first, JSON.stringify({ ...JSON.parse(second!), metadata: {} }), ...rest].join('\n'));
      await expect(runTrainingJob(store, client(), dataset.folder, { sleep: noSleep })).rejects.toThrow(new DatasetError(`${file}:2: has the keys messages, metadata; OpenAI's supervised format takes messages`));
    } finally {
      await writeFile(file, original);
    }
  });

  it('an unknown base model is an LlmModelError', async () => {
    await expect(runTrainingJob(store, client('no-such-model'), dataset.folder, { sleep: noSleep })).rejects.toBeInstanceOf(LlmModelError);
  });
});

describe('policy packs (embedded store)', () => {
  let store: GraphStore;
  beforeAll(async () => {
    store = await EmbeddedStore.open();
    await store.loadPolicy(await readTurtle(SAMPLE_POLICIES[1]!));
  });
  afterAll(async () => store?.close());

  it("orders by the context's precedence and cites every section", async () => {
    const customer = await compilePolicyPack(store, `${H}policy`, `${H}ctx-customer-assistant`);
    const staffPack = await compilePolicyPack(store, `${H}policy`, `${H}ctx-staff-assistant`);
    expect(customer.rules.indexOf(`${H}dat-002`)).toBeLessThan(customer.rules.indexOf(`${H}dat-003`));
    expect(customer.rules.indexOf(`${H}vul-004`)).toBeLessThan(customer.rules.indexOf(`${H}adv-015`));
    expect(staffPack.rules).not.toContain(`${H}dat-002`);
    const instructions = customer.text.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(instructions).toHaveLength(customer.rules.length);
    for (const line of instructions) expect(line).toMatch(/^\d+\. \[§\d+(\.\d+)*\] /);
    expect(customer.text.startsWith("You are Harbourline Bank's customer assistant")).toBe(true);
    expect(await policyPackText(store, `${H}policy`, `${H}ctx-customer-assistant`)).toBe(customer.text);
  });
});

describe.runIf(available)('jobs and packs on both stores', () => {
  let embedded: GraphStore;
  let graph: GraphStore;
  beforeAll(async () => {
    [embedded, graph] = await openBothStores([SAMPLE_POLICIES[1]!]);
  }, 120_000);
  afterAll(async () => {
    await embedded?.close();
    await graph?.close();
  });

  it('the same job and pack recorded on each store give identical answers to the instructor queries', async () => {
    server.jobSteps = ['running', 'succeeded'];
    const record = await runTrainingJob(embedded, client(), dataset.folder, { sleep: noSleep });
    // The same job, as a second store records it: the job at the endpoint is retrieved, not run again.
    server.jobSteps = ['running', 'succeeded'];
    await runTrainingJob(graph, client(), dataset.folder, { sleep: noSleep });
    const file = path.join(out, 'pack.txt');
    const first = await writePolicyPack(embedded, `${H}policy`, `${H}ctx-customer-assistant`, file);
    const second = await writePolicyPack(graph, `${H}policy`, `${H}ctx-customer-assistant`, file);
    expect(second.pack.text).toBe(first.pack.text);
    await writePolicyPack(embedded, `${H}policy`, `${H}ctx-staff-assistant`);
    await writePolicyPack(graph, `${H}policy`, `${H}ctx-staff-assistant`);
    for (const [name, params] of [
      ['policy-packs', { policy: `${H}policy` }],
      ['deployment-contexts', { policy: `${H}policy` }],
      ['deployment-context-priorities', { policy: `${H}policy` }],
      ['context-resolutions', { context: `${H}ctx-customer-assistant` }],
      ['context-resolutions', { context: `${H}ctx-staff-assistant` }],
      ['rule-ranks', { policy: `${H}policy` }],
      ['policy-version', { policy: `${H}policy` }],
    ] as const) {
      const [a, b] = await Promise.all([embedded.namedQuery(name, params), graph.namedQuery(name, params)]);
      expect(sorted(b), name).toEqual(sorted(a));
      expect(a.length, name).toBeGreaterThan(0);
    }
    const jobs = await Promise.all([embedded.namedQuery('training-jobs', { policy: `${H}policy` }), graph.namedQuery('training-jobs', { policy: `${H}policy` })]);
    expect(jobs[0]).toHaveLength(1);
    expect(jobs[1]).toHaveLength(1);
    const strip = (r: Row) => ({ ...r, job: null, jobId: null, modelId: null, model: null });
    expect(strip(jobs[1][0]!)).toEqual(strip(jobs[0][0]!));
    expect(jobs[0][0]!.modelId).toBe(record.job.fineTunedModel);
  }, 120_000);
});
