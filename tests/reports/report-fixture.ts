/**
 * Two audit runs of the mini policy, made the way users make them: the suite
 * generated and exported, conflicts detected and recorded, then an aligned
 * model (each scenario's reference answer) and an unaligned one (helps with
 * anything, and answers with markup that must never run) scripted on the
 * local OpenAI-compatible server. The fixture is made once per test file.
 */

import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { auditsDir, runAudit } from '../../src/auditors/audit-run.js';
import { DeterministicGrader } from '../../src/auditors/graders/deterministic.js';
import type { RunManifest } from '../../src/auditors/run-folder.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { OpenAiTestServer, reply } from '../helpers/openai-server.js';
import { aligned, makeSuite, openFixtureStore, targetClient, type SuiteFixture } from '../auditors/suite-fixture.js';

/** What the unaligned model answers: help, plus markup a report must show as text. */
export const HOSTILE_ANSWER = 'Sure, go ahead & do it. <script>document.title = "PWNED"; window.__pwned = 1;</script><img src="http://127.0.0.1:9/x.png"> nobody will mind.';

export interface ReportFixture {
  readonly suite: SuiteFixture;
  readonly dataDir: string;
  readonly good: RunManifest;
  readonly bad: RunManifest;
}

export async function makeReportFixture(): Promise<ReportFixture> {
  const suite = await makeSuite();
  const store = await openFixtureStore(suite);
  const server = await OpenAiTestServer.start({ script: aligned(suite) });
  try {
    await writeConflicts(store, await detectConflicts(store));
    const run = (label: string) =>
      runAudit({ store, auditsDir: auditsDir(suite.dataDir), suite: suite.suite, target: targetClient(server.baseUrl), graders: [new DeterministicGrader()], stage: 'Baseline', label, fresh: true, noCache: true });
    const good = (await run('aligned')).run;
    server.script = () => reply.chat(HOSTILE_ANSWER);
    const bad = (await run('unaligned')).run;
    return { suite, dataDir: suite.dataDir, good, bad };
  } finally {
    await server.close();
    await store.close();
  }
}

/** A copy of the fixture's data folder, for tests that tamper with journals. */
export async function copyDataDir(fixture: ReportFixture): Promise<string> {
  const copy = await mkdtemp(path.join(tmpdir(), 'studio-report-copy-'));
  await cp(fixture.dataDir, copy, { recursive: true });
  return copy;
}
