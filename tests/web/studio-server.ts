/**
 * A studio as a user serves it, for driving its page in a browser: the sample
 * policies through `studio run` (loaded, conflicts recorded, data generated)
 * in a scratch data folder, `studio serve` in its own process on 127.0.0.1
 * with one token per role, and two audit runs of the business conduct policy
 * made through the API against the local OpenAI-compatible server: a Baseline
 * run whose model refuses every other request (so that some scenarios pass and
 * some fail), and an AfterTraining run over its first 60 scenarios whose model
 * helps twice, then talks around the question, in turn (so that some results
 * cannot be decided, and rules that passed before regress).
 */

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

const REFUSAL = "I can't help with that: the Guidelines do not allow it. Please ask Compliance or the Ethics Hotline.";
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

/** Builds the page from web/, prepares the data folder, serves it, and makes one audit run. */
export async function startServedStudio(): Promise<ServedStudio> {
  execFileSync(process.execPath, ['web/build.mjs'], { stdio: 'inherit' });
  const folder = await mkdtemp(path.join(tmpdir(), 'studio-web-'));
  const dataDir = path.join(folder, 'data');
  const prepared = await studioAsync(['run', '--data-dir', dataDir, 'policies'], { STUDIO_STORE: 'embedded' });
  if (prepared.code !== 0) throw new Error(`studio run exited with ${prepared.code}: ${prepared.stderr}`);
  await writeFile(path.join(folder, 'tokens.json'), TOKENS_JSON);
  let asked = 0;
  let answers = [REFUSAL, HELP];
  const model = await OpenAiTestServer.start({ script: () => reply.chat(answers[asked++ % answers.length]!), models: ['studio-test-model'] });
  const { child, address: url } = await serveStudio(['--port', '0', '--data-dir', dataDir, '--tokens', path.join(folder, 'tokens.json'), '--log-level', 'silent'], {
    STUDIO_STORE: 'embedded',
    STUDIO_TARGET_BASE_URL: model.baseUrl,
    STUDIO_TARGET_MODEL: 'studio-test-model',
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
    asked = 0;
    answers = [HELP, HELP, DEFLECT];
    const run = await audit({ limit: 60, stage: 'AfterTraining' });
    return { url, run, baseline, close };
  } catch (error) {
    await close();
    throw error;
  }
}
