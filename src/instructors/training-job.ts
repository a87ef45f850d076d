/**
 * Fine-tuning jobs at an OpenAI-compatible endpoint: upload a compiled set's
 * split files, create the job, follow its status to the end, and record it.
 * The record is a studio:TrainingJob (a prov:Activity) that prov:used the
 * dataset (by the SHA-256 of its manifest) and the policy (with its version
 * and SHA-256), and prov:generated the trained model with the id the
 * endpoint gave it, so that an audit of that model traces back to the data
 * that trained it. Each job has a derived graph of its own, rewritten as its
 * status changes, on either store.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import type { DerivedGraph, GraphStore } from '../store/graph-store.js';
import type { FineTuningJob, LlmClient } from '../llm/client.js';
import { DatasetError, TrainingJobError } from '../errors.js';
import { PROV, RDF, STUDIO } from '../vocabulary.js';
import { assertNoLeaks } from './leak-check.js';
import { policyVersion } from './dataset.js';
import { assertOpenAiFile, openAiFile } from './openai-files.js';
import { dateTimeLiteral } from '../rdf/date-time.js';

const { namedNode, literal, quad } = N3.DataFactory;

export const TRAINING_JOB_KIND = 'training-job';
export const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
export type TrainingMethod = 'supervised' | 'dpo';

/** What the manifest of a compiled set says about where it came from. */
export interface DatasetManifest {
  readonly folder: string;
  readonly policy: string;
  readonly policySha256: string;
  readonly context: string;
  /** SHA-256 of manifest.json, which lists every file's SHA-256: the dataset's identity. */
  readonly sha256: string;
  readonly records: { readonly sft: Record<string, number>; readonly dpo: Record<string, number> };
}

export interface JobOptions {
  readonly method?: TrainingMethod;
  readonly suffix?: string;
  readonly seed?: number;
  /** Milliseconds between status checks (default 10 s). */
  readonly pollMs?: number;
  /** Called on every status seen. */
  readonly onStatus?: (job: FineTuningJob) => void;
  /** How to wait between checks (tests pass one that does not sleep). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface JobRecord {
  readonly iri: string;
  readonly job: FineTuningJob;
  readonly dataset: DatasetManifest;
  readonly method: TrainingMethod;
  readonly endpoint: string;
  readonly graph: DerivedGraph;
}

/** Reads a compiled set's manifest; a folder without one is a DatasetError. */
export async function readManifest(folder: string): Promise<DatasetManifest> {
  const file = path.join(folder, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DatasetError(`${file}: not found; give a folder 'studio train dataset' wrote (it holds manifest.json, sft/ and dpo/)`);
  }
  let m: { policy?: unknown; policy_sha256?: unknown; context?: unknown; records?: DatasetManifest['records'] };
  try {
    m = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(`${file}: not JSON (${(error as Error).message})`);
  }
  if (typeof m.policy !== 'string' || typeof m.policy_sha256 !== 'string' || typeof m.context !== 'string' || !m.records) {
    throw new DatasetError(`${file}: lacks policy, policy_sha256, context or records`);
  }
  return { folder, policy: m.policy, policySha256: m.policy_sha256, context: m.context, sha256: createHash('sha256').update(text).digest('hex'), records: m.records };
}

/** The IRIs a job is recorded under. */
export function jobIri(endpoint: string, jobId: string): string {
  return `urn:studio:training-job:${createHash('sha256').update(`${endpoint}\n${jobId}`).digest('hex').slice(0, 32)}`;
}
export function datasetIri(sha256: string): string {
  return `urn:studio:dataset:${sha256.slice(0, 32)}`;
}
export function trainedModelIri(endpoint: string, modelId: string): string {
  return `urn:studio:model:${createHash('sha256').update(`${endpoint}\n${modelId}`).digest('hex').slice(0, 32)}`;
}

/**
 * Runs a job end to end: checks the set for leaks, uploads its train (and
 * validation) split as openai/<format>/ holds it (OpenAI's keys only; the
 * metadata stays in the sidecar beside it), creates the job, records it, follows its status and
 * records each change. A job that fails or is cancelled is recorded, then
 * raised as a TrainingJobError with the endpoint's reason.
 */
export async function runTrainingJob(store: GraphStore, client: LlmClient, folder: string, options: JobOptions = {}): Promise<JobRecord> {
  const method = options.method ?? 'supervised';
  const dataset = await readManifest(folder);
  await assertNoLeaks(folder);
  const loaded = (await store.listPolicies()).find((p) => p.policy === dataset.policy);
  if (!loaded) throw new DatasetError(`${folder}: its policy <${dataset.policy}> is not loaded; load it before recording a job trained on it`);
  const format = method === 'supervised' ? 'sft' : 'dpo';
  if (!dataset.records[format]?.train) throw new DatasetError(`${path.join(folder, format, 'train.jsonl')}: no training records`);
  const version = await policyVersion(store, dataset.policy);
  // The files with OpenAI's keys only; the metadata stays in the sidecar beside each.
  await assertOpenAiFile(openAiFile(folder, format, 'train'), format);
  const training = await client.uploadFile(openAiFile(folder, format, 'train'));
  let validation: Awaited<ReturnType<LlmClient['uploadFile']>> | undefined;
  if (dataset.records[format].validation) {
    await assertOpenAiFile(openAiFile(folder, format, 'validation'), format);
    validation = await client.uploadFile(openAiFile(folder, format, 'validation'));
  }
  let job = await client.createFineTuningJob({
    trainingFile: training.id,
    ...(validation ? { validationFile: validation.id } : {}),
    method,
    ...(options.suffix ? { suffix: options.suffix } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    metadata: { studio_dataset: dataset.sha256.slice(0, 32), studio_context: dataset.context.slice(0, 500) },
  });
  const startedAt = new Date().toISOString();
  const record = (current: FineTuningJob) =>
    store.putDerivedGraph(
      { graph: `urn:studio:derived:${TRAINING_JOB_KIND}:${jobIri(client.endpoint, current.id).slice('urn:studio:training-job:'.length)}`, kind: TRAINING_JOB_KIND, policy: dataset.policy, policySha256: dataset.policySha256 },
      jobQuads({ job: current, dataset, method, endpoint: client.endpoint, policyVersion: version, startedAt, endedAt: TERMINAL.has(current.status) ? new Date().toISOString() : undefined }),
    );
  let graph = await record(job);
  options.onStatus?.(job);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  while (!TERMINAL.has(job.status)) {
    await sleep(options.pollMs ?? 10_000);
    const next = await client.retrieveFineTuningJob(job.id);
    const changed = next.status !== job.status;
    job = next;
    if (changed) {
      graph = await record(job);
      options.onStatus?.(job);
    }
  }
  const result = { iri: jobIri(client.endpoint, job.id), job, dataset, method, endpoint: client.endpoint, graph };
  if (job.status !== 'succeeded' || !job.fineTunedModel) {
    throw new TrainingJobError(`fine-tuning job ${job.id} at ${client.endpoint} ended ${job.status}${job.error ? `: ${job.error}` : ''}; the job is recorded in the graph`);
  }
  return result;
}

interface JobFacts {
  readonly job: FineTuningJob;
  readonly dataset: DatasetManifest;
  readonly method: TrainingMethod;
  readonly endpoint: string;
  readonly policyVersion: string | null;
  readonly startedAt: string;
  readonly endedAt: string | undefined;
}

/** The triples of a job: the activity, the dataset it used, the policy, and the model it generated. */
export function jobQuads(facts: JobFacts): Quad[] {
  const { job, dataset } = facts;
  const node = namedNode(jobIri(facts.endpoint, job.id));
  const data = namedNode(datasetIri(dataset.sha256));
  const quads: Quad[] = [
    quad(node, namedNode(`${RDF}type`), namedNode(`${STUDIO}TrainingJob`)),
    quad(node, namedNode(`${PROV}used`), data),
    quad(node, namedNode(`${PROV}used`), namedNode(dataset.policy)),
    quad(node, namedNode(`${STUDIO}jobId`), literal(job.id)),
    quad(node, namedNode(`${STUDIO}jobStatus`), literal(job.status)),
    quad(node, namedNode(`${STUDIO}trainingMethod`), literal(facts.method)),
    quad(node, namedNode(`${STUDIO}baseModel`), literal(job.model)),
    quad(node, namedNode(`${STUDIO}endpoint`), literal(facts.endpoint)),
    quad(node, namedNode(`${STUDIO}fileId`), literal(job.trainingFile)),
    quad(node, namedNode(`${STUDIO}policySha256`), literal(dataset.policySha256)),
    quad(node, namedNode(`${PROV}startedAtTime`), dateTimeLiteral(facts.startedAt)),
    quad(data, namedNode(`${RDF}type`), namedNode(`${STUDIO}TrainingDataset`)),
    quad(data, namedNode(`${STUDIO}sha256`), literal(dataset.sha256)),
    quad(data, namedNode(`${STUDIO}inContext`), namedNode(dataset.context)),
    quad(data, namedNode(`${PROV}wasDerivedFrom`), namedNode(dataset.policy)),
    quad(data, namedNode(`${STUDIO}file`), literal(path.relative(process.cwd(), path.resolve(dataset.folder)) || '.')),
  ];
  if (facts.policyVersion !== null) quads.push(quad(node, namedNode(`${STUDIO}policyVersion`), literal(facts.policyVersion)));
  if (facts.endedAt) quads.push(quad(node, namedNode(`${PROV}endedAtTime`), dateTimeLiteral(facts.endedAt)));
  if (job.error) quads.push(quad(node, namedNode(`${STUDIO}jobError`), literal(job.error)));
  if (job.fineTunedModel) {
    const model = namedNode(trainedModelIri(facts.endpoint, job.fineTunedModel));
    quads.push(
      quad(node, namedNode(`${PROV}generated`), model),
      quad(model, namedNode(`${RDF}type`), namedNode(`${STUDIO}TrainedModel`)),
      quad(model, namedNode(`${STUDIO}modelId`), literal(job.fineTunedModel)),
      quad(model, namedNode(`${STUDIO}endpoint`), literal(facts.endpoint)),
      quad(model, namedNode(`${PROV}wasGeneratedBy`), node),
    );
  }
  return quads;
}
