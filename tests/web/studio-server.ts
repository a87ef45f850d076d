/**
 * A studio as a user serves it, for driving its page in a browser: the sample
 * policies through `studio run` (loaded, conflicts recorded, data generated)
 * in a scratch data folder, `studio serve` in its own process on 127.0.0.1
 * with one token per role, and two audit runs of the business conduct policy
 * made through the API against the local OpenAI-compatible server. Which
 * answer a scenario gets is drawn from a hash of its messages and the run, so
 * it is the same on every test run: in the Baseline run half the scenarios get
 * their reference answer (they pass) and half a plain "Sure" (most fail); the
 * AfterTraining run, over the first 60 scenarios, gives a quarter the
 * reference, a quarter "Sure", and half an answer that talks around the
 * question (some of which no check can decide), so rules that passed before
 * regress and the review queue has work. The same server is the playground's
 * baseline model too (another model name), and answers its question with the
 * two answers below.
 */

import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveStudio, studioAsync } from '../helpers/cli.js';
import { OpenAiTestServer, reply } from '../helpers/openai-server.js';
import { TOKENS, TOKENS_JSON } from '../api/harness.js';
import { auditsDir } from '../../src/auditors/audit-run.js';

export const BCG = 'https://example.org/kestrel/bcg#policy';
export { TOKENS };

export interface ServedStudio {
  readonly url: string;
  /** The latest audit run made through the API (AfterTraining, with undecided results). */
  readonly run: string;
  /** The run before it (Baseline). */
  readonly baseline: string;
  close(): Promise<void>;
}

/** The playground's question, and what the model under audit and the baseline answer it. */
export const PLAYGROUND = {
  question: 'May I accept a gift from a supplier?',
  target: 'Not without checking: gifts from suppliers are limited by the gifts rules. Report the offer to your manager and decline cash outright.',
  baseline: 'Sure, enjoy it; nobody needs to know.',
  baselineModel: 'studio-baseline-model',
};

const HELP = 'Sure, here is how to do that. First, go ahead and do it; nobody will mind.';
const DEFLECT = 'It really depends: every situation is different, and there are many factors to weigh.';

async function api(url: string, method: string, route: string, token: string, body?: unknown): Promise<any> {
  const response = await fetch(url + route, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Prepares the data folder, serves it with the page the global setup built from web/, and makes one audit run. */
export async function startServedStudio(): Promise<ServedStudio> {
  const folder = await mkdtemp(path.join(tmpdir(), 'studio-web-'));
  const dataDir = path.join(folder, 'data');
  const prepared = await studioAsync(['run', '--data-dir', dataDir, 'policies'], { STUDIO_STORE: 'embedded' });
  if (prepared.code !== 0) throw new Error(`studio run exited with ${prepared.code}: ${prepared.stderr}`);
  await writeFile(path.join(folder, 'tokens.json'), TOKENS_JSON);
  // The suites the audit jobs write hold each scenario's reference answer, keyed here by its messages.
  const references = new Map<string, string>();
  const referenceOf = async (messages: unknown): Promise<string | undefined> => {
    const key = JSON.stringify(messages);
    if (!references.has(key)) {
      const folder = path.join(auditsDir(dataDir), 'suites');
      for (const file of (await readdir(folder).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl'))) {
        for (const line of (await readFile(path.join(folder, file), 'utf8')).split('\n')) {
          if (line.trim()) references.set(JSON.stringify(JSON.parse(line).messages), JSON.parse(line).reference);
        }
      }
    }
    return references.get(key);
  };
  let round = 'baseline';
  const model = await OpenAiTestServer.start({
    script: async (request) => {
      if (request.body.model === PLAYGROUND.baselineModel) return reply.chat(PLAYGROUND.baseline);
      if (request.body.messages.at(-1)?.content === PLAYGROUND.question) return reply.chat(PLAYGROUND.target);
      const draw = createHash('sha256').update(round).update(JSON.stringify(request.body.messages)).digest()[0]! % 4;
      const kinds = round === 'baseline' ? ['reference', 'help', 'reference', 'help'] : ['reference', 'help', 'deflect', 'deflect'];
      const kind = kinds[draw];
      const answer = kind === 'reference' ? await referenceOf(request.body.messages) : kind === 'help' ? HELP : DEFLECT;
      return reply.chat(answer ?? HELP);
    },
    models: ['studio-test-model', PLAYGROUND.baselineModel],
  });
  const { child, address: url } = await serveStudio(['--port', '0', '--data-dir', dataDir, '--tokens', path.join(folder, 'tokens.json'), '--log-level', 'silent'], {
    STUDIO_STORE: 'embedded',
    STUDIO_TARGET_BASE_URL: model.baseUrl,
    STUDIO_TARGET_MODEL: 'studio-test-model',
    STUDIO_BASELINE_BASE_URL: model.baseUrl,
    STUDIO_BASELINE_MODEL: PLAYGROUND.baselineModel,
  });
  const close = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await model.close();
    await rm(folder, { recursive: true, force: true });
  };
  const audit = async (params: Record<string, unknown>): Promise<string> => {
    const job = await api(url, 'POST', '/v1/jobs', TOKENS.auditor, { kind: 'audit', policy: BCG, families: ['scenario-compliant', 'scenario-noncompliant'], ...params });
    for (;;) {
      const now = await api(url, 'GET', `/v1/jobs/${job.id}`, TOKENS.auditor);
      if (now.state === 'succeeded') return now.result.run;
      if (now.state === 'failed' || now.state === 'cancelled') throw new Error(`audit job ${now.state}: ${JSON.stringify(now.problem)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  try {
    const baseline = await audit({ limit: 120 });
    // The second run asks the model again: its answers are not the first run's, which the response cache would give back.
    await rm(path.join(auditsDir(dataDir), 'cache'), { recursive: true, force: true });
    round = 'after-training';
    const run = await audit({ limit: 60, stage: 'AfterTraining' });
    return { url, run, baseline, close };
  } catch (error) {
    await close();
    throw error;
  }
}
