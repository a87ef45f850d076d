/**
 * A studio as a user serves it, for driving its page in a browser: the sample
 * policies through `studio run` (loaded, conflicts recorded, data generated)
 * in a scratch data folder, `studio serve` in its own process on 127.0.0.1
 * with one token per role, and one audit run of the business conduct policy
 * made through the API against the local OpenAI-compatible server (a model
 * that refuses every other request, so that some scenarios pass and some fail).
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveStudio, studioAsync } from '../helpers/cli.js';
import { OpenAiTestServer, reply } from '../helpers/openai-server.js';
import { TOKENS, TOKENS_JSON } from '../api/harness.js';

export const BCG = 'https://example.org/kestrel/bcg#policy';
export { TOKENS };

export interface ServedStudio {
  readonly url: string;
  /** The audit run made through the API. */
  readonly run: string;
  close(): Promise<void>;
}

const REFUSAL = "I can't help with that: the Guidelines do not allow it. Please ask Compliance or the Ethics Hotline.";
const HELP = 'Sure, here is how to do that. First, go ahead and do it; nobody will mind.';

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
  let asked = 0;
  const model = await OpenAiTestServer.start({ script: () => reply.chat(asked++ % 2 === 0 ? REFUSAL : HELP), models: ['studio-test-model'] });
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
  try {
    const job = await api(url, 'POST', '/v1/jobs', TOKENS.auditor, { kind: 'audit', policy: BCG, families: ['scenario-compliant', 'scenario-noncompliant'], limit: 120 });
    for (;;) {
      const now = await api(url, 'GET', `/v1/jobs/${job.id}`, TOKENS.auditor);
      if (now.state === 'succeeded') return { url, run: now.result.run, close };
      if (now.state === 'failed' || now.state === 'cancelled') throw new Error(`audit job ${now.state}: ${JSON.stringify(now.problem)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    await close();
    throw error;
  }
}
