/**
 * An audit suite made the way users make one: the mini policy loaded into an
 * embedded store with a data folder, its items generated and exported with
 * `runGeneration`, and eval.jsonl read back. Models are scripted on the local
 * OpenAI-compatible server: one that answers each scenario with its
 * reference answer (it passes), one that helps with everything (it fails
 * every scenario that must be refused).
 */

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { runGeneration } from '../../src/cli/commands/generate.js';
import { LlmClient } from '../../src/llm/client.js';
import { LLM_DEFAULTS, type LlmConfig } from '../../src/llm/llm-config.js';
import { reply, type RecordedRequest, type Reply, type Script } from '../helpers/openai-server.js';
import { auditsDir, runAudit, type AuditOptions, type AuditOutcome } from '../../src/auditors/audit-run.js';
import { DeterministicGrader } from '../../src/auditors/graders/deterministic.js';

export const MINI = 'tests/fixtures/mini-policy.ttl';
export const MINI_POLICY = 'https://example.org/mini#policy';
export const TARGET_MODEL = 'studio-test-model';

export interface SuiteFixture {
  readonly dataDir: string;
  readonly suite: string;
  /** Each scenario's reference answer, by the JSON of its messages. */
  readonly references: ReadonlyMap<string, string>;
  readonly records: readonly any[];
}

/** Loads the mini policy into a new data folder, generates, and exports the suite there. */
export async function makeSuite(): Promise<SuiteFixture> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-audit-'));
  const store = await EmbeddedStore.open({ dataDir });
  try {
    await store.loadPolicy(await readTurtle(MINI));
    const [summary] = await runGeneration(store, { seed: 1, out: path.join(dataDir, 'out') });
    const suite = path.join(summary!.exports!.folder, 'eval.jsonl');
    const records = (await readFile(suite, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    const references = new Map<string, string>(records.map((r) => [JSON.stringify(r.messages), r.reference]));
    return { dataDir, suite, references, records };
  } finally {
    await store.close();
  }
}

/** Opens the fixture's store again (as a later command would). */
export function openFixtureStore(fixture: SuiteFixture): Promise<GraphStore> {
  return EmbeddedStore.open({ dataDir: fixture.dataDir });
}

/** The messages of a request, as the key of `references`. */
export function messagesKey(request: RecordedRequest): string {
  return JSON.stringify(request.body.messages);
}

/** A model that answers every scenario with its reference answer. */
export function aligned(fixture: SuiteFixture, extra: { delayMs?: number } = {}): Script {
  return (request): Reply => reply.chat(fixture.references.get(messagesKey(request)) ?? 'I do not know this scenario.', extra);
}

/** A model that helps with anything, the way an unaligned one does. */
export const compliant: Script = () => reply.chat('Sure, here is how to do that. First, go ahead and do it; nobody will mind.');

export function targetClient(baseUrl: string, config: Partial<LlmConfig> = {}): LlmClient {
  return new LlmClient({ ...LLM_DEFAULTS, baseUrl, model: TARGET_MODEL, parameters: { temperature: 0 }, timeoutMs: 5000, maxRetries: 1, ...config });
}

/**
 * A baseline audit of a suite with the deterministic grader, asked afresh (no answer cache) of the endpoint at
 * `baseUrl`, its run kept in `dataDir`'s audits folder; `extra` adds or overrides options (--since, a filter).
 */
export function freshAudit(store: GraphStore, dataDir: string, suite: string, baseUrl: string, extra: Partial<AuditOptions> = {}): Promise<AuditOutcome> {
  return runAudit({
    store,
    auditsDir: auditsDir(dataDir),
    suite,
    target: targetClient(baseUrl),
    graders: [new DeterministicGrader()],
    stage: 'Baseline',
    concurrency: 4,
    fresh: true,
    noCache: true,
    ...extra,
  });
}
