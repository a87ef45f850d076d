/**
 * `studio audit` as a user runs it, in a child process against the local
 * OpenAI-compatible server: a run with its summary, a run killed with
 * SIGKILL and resumed by the same command, a judge beside the checks with
 * their agreement, reviewers' verdicts imported, two runs compared.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/auditors/journal.js';
import type { ResultRecord } from '../../src/auditors/result-record.js';
import { RunFolder } from '../../src/auditors/run-folder.js';
import { auditsDir } from '../../src/auditors/audit-run.js';
import { OpenAiTestServer, reply, type Script } from '../helpers/openai-server.js';
import { studioAsync, studioKilledAfter } from '../helpers/cli.js';
import { aligned, compliant, makeSuite, MINI_POLICY, TARGET_MODEL, type SuiteFixture } from './suite-fixture.js';

let fixture: SuiteFixture;
const servers: OpenAiTestServer[] = [];

beforeAll(async () => {
  fixture = await makeSuite();
}, 60_000);
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(script: Script, models = [TARGET_MODEL]): Promise<OpenAiTestServer> {
  const server = await OpenAiTestServer.start({ script, models });
  servers.push(server);
  return server;
}

function env(target: OpenAiTestServer, judge?: OpenAiTestServer): Record<string, string> {
  return {
    STUDIO_TARGET_BASE_URL: target.baseUrl,
    STUDIO_TARGET_MODEL: TARGET_MODEL,
    STUDIO_STORE: 'embedded',
    ...(judge ? { STUDIO_LLM_BASE_URL: judge.baseUrl, STUDIO_LLM_MODEL: 'judge-model' } : {}),
  };
}

const audit = (args: string[], e: Record<string, string>) => studioAsync(['audit', ...args, '--data-dir', fixture.dataDir], e);

async function runsNow(): Promise<RunFolder[]> {
  return RunFolder.list(auditsDir(fixture.dataDir));
}

async function resultsOf(run: RunFolder): Promise<ResultRecord[]> {
  return (await readJournal<ResultRecord>(run.results)).records;
}

/** A judge that passes every expectation the rubric lists. */
const approvingJudge: Script = (request) => {
  const prompt: string = request.body.messages.at(-1).content;
  const kinds = [...new Set([...prompt.matchAll(/^- (Must\w+):/gm)].map((m) => m[1]!))];
  return reply.chat(JSON.stringify({ outcome: 'passed', score: 1, reason: 'Does what the rule asks.', checks: kinds.map((k) => ({ expectation: k, outcome: 'passed', detail: 'seen' })) }));
};

describe('studio audit', () => {
  it('runs a suite, prints the outcomes per family and attack, and lists the run', async () => {
    const target = await start(compliant);
    const result = await audit(['run', '--suite', fixture.suite, '--stage', 'baseline', '--label', 'unaligned'], env(target));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`\\(baseline\\): ${TARGET_MODEL} at ${target.baseUrl.replace(/[.]/g, '\\.')}`));
    expect(result.stdout).toMatch(/all scenarios\s+\d+\s+[1-9]\d*\s+\d+\s+[\d.]+%/);
    expect(result.stdout).toMatch(/red-team attack/);
    expect(result.stdout).toMatch(/failing rule/);
    const listed = await audit(['list'], env(target));
    expect(listed.stdout).toMatch(new RegExp(`baseline\\s+${TARGET_MODEL}\\s+${fixture.records.length}/${fixture.records.length}\\s+finished`));
    const status = await audit(['status', '--policy', MINI_POLICY], env(target));
    expect(status.stdout).toMatch(/: 1 audit run\(s\); latest \S+ \(Baseline, studio-test-model\): \d+ passed, [1-9]\d* failed, \d+ can't tell; [1-9]\d* rule\(s\) failing/);
    expect(status.stdout).toMatch(/rules never audited\s+\d+/);
  });

  it('resumes a run killed with SIGKILL mid-way: every scenario ends with exactly one result', async () => {
    const target = await start(aligned(fixture, { delayMs: 40 }));
    const before = new Set((await runsNow()).map((r) => r.manifest.id));
    const args = ['audit', 'run', '--suite', fixture.suite, '--stage', 'before-release', '--concurrency', '2', '--data-dir', fixture.dataDir];
    const journalLines = () => {
      const dir = auditsDir(fixture.dataDir);
      const fresh = existsSync(dir) ? readdirSync(dir).filter((n: string) => /^\d/.test(n) && !before.has(n)) : [];
      if (fresh.length === 0) return 0;
      const file = path.join(dir, fresh[0]!, 'results.jsonl');
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
    };
    await studioKilledAfter(args, 60_000, { env: env(target), when: () => journalLines() >= 12 });
    const [killed] = (await runsNow()).filter((r) => !before.has(r.manifest.id));
    expect(killed!.finished).toBe(false);
    const kept = await resultsOf(killed!);
    expect(kept.length).toBeGreaterThanOrEqual(12);
    expect(kept.length).toBeLessThan(fixture.records.length);
    const askedBefore = target.chatRequests().length;

    const resumed = await audit(['run', '--suite', fixture.suite, '--stage', 'before-release', '--concurrency', '2'], env(target));
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`${killed!.manifest.id} \\(before-release\\).*resumed with ${kept.length} results already written`));
    const all = await resultsOf(await RunFolder.open(auditsDir(fixture.dataDir), killed!.manifest.id));
    expect(all).toHaveLength(fixture.records.length);
    expect(new Set(all.map((r) => r.case)).size).toBe(fixture.records.length);
    // Answers the killed process had received but not yet written come from the cache, not the endpoint.
    expect(target.chatRequests().length - askedBefore).toBeLessThanOrEqual(fixture.records.length - kept.length);
    expect(all.slice(0, kept.length)).toEqual(kept);
  }, 120_000);

  it('grades with a judge beside the checks and reports how far they agree', async () => {
    const target = await start(aligned(fixture));
    const judge = await start(approvingJudge, ['judge-model']);
    const result = await audit(['run', '--suite', fixture.suite, '--stage', 'after-training', '--judge', '--families', 'redteam,scenario-noncompliant'], env(target, judge));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(judge.chatRequests().length).toBeGreaterThan(20);
    expect(judge.chatRequests()[0]!.body.temperature).toBe(0);
    expect(result.stdout).toMatch(/deterministic checks vs judge: \d+ scenarios, agreement [\d.]+%, Cohen's kappa/);
    const run = (await runsNow()).filter((r) => r.manifest.stage === 'AfterTraining').at(-1)!;
    expect(run.manifest.judge).toEqual({ endpoint: judge.baseUrl, model: 'judge-model' });
    const records = await resultsOf(run);
    expect(records.length).toBe(judge.chatRequests().length);
    for (const r of records) {
      expect(r.verdicts.map((v) => v.grader.id)).toEqual(['deterministic/v3', 'llm-judge:judge-model']);
      expect(r.judgements).toEqual([{ grader: 'llm-judge:judge-model', promptHash: expect.stringMatching(/^[0-9a-f]{64}$/), servedModel: 'judge-model', requests: 1 }]);
    }
  });

  it("imports reviewers' verdicts into a run, where they decide, and refuses a file that does not fit it", async () => {
    const target = await start(aligned(fixture));
    await audit(['run', '--suite', fixture.suite, '--stage', 'production-monitoring', '--families', 'scenario-noncompliant'], env(target));
    const run = (await runsNow()).filter((r) => r.manifest.stage === 'ProductionMonitoring').at(-1)!;
    // Results are journaled as they finish, so pick by outcome, not by place: two the checks could not tell.
    const records = await resultsOf(run);
    expect(records.map((r) => r.verdicts[0]!.outcome).sort()).toEqual(['cantTell', 'cantTell', 'cantTell', 'passed', 'passed']);
    const [first, second] = records.filter((r) => r.verdicts[0]!.outcome === 'cantTell');
    const file = path.join(fixture.dataDir, 'reviews.jsonl');
    await writeFile(
      file,
      [
        { scenario: first!.case, outcome: 'fail', reason: 'Refuses but lectures the user.', reviewer: 'ana@example.org', reviewedAt: '2026-11-20' },
        { scenario: second!.case, outcome: 'passed', reviewer: 'ana@example.org' },
      ].map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
    const imported = await audit(['import', file, '--run', run.manifest.id], env(target));
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/2 verdict\(s\) imported .*reviewers: ana@example.org/);
    expect(imported.stdout).toMatch(/all scenarios\s+3\s+1\s+1\s+60%/);
    // Importing again changes nothing.
    expect((await audit(['import', file, '--run', run.manifest.id], env(target))).stdout).toMatch(/0 verdict\(s\) imported .* 2 already there/);

    const bad = path.join(fixture.dataDir, 'bad-reviews.jsonl');
    await writeFile(bad, `${JSON.stringify({ scenario: 'https://example.org/not-in-run', outcome: 'passed', reviewer: 'bo' })}\n${JSON.stringify({ scenario: first!.case, outcome: 'maybe', reviewer: 'bo' })}\n`);
    const refused = await audit(['import', bad, '--run', run.manifest.id], env(target));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(new RegExp(`${bad.replace(/[.]/g, '\\.')}:2: .*maybe`));
    expect((await readJournal(run.human)).records).toHaveLength(2);
  });

  it('compares two runs side by side and fails on regressions', async () => {
    const target = await start(aligned(fixture));
    const families = ['--families', 'redteam,scenario-noncompliant'];
    await audit(['run', '--suite', fixture.suite, '--label', 'aligned', '--fresh', ...families], env(target));
    target.script = compliant;
    await audit(['run', '--suite', fixture.suite, '--label', 'unaligned', '--fresh', '--no-cache', ...families], env(target));
    const runs = (await runsNow()).filter((r) => r.manifest.label === 'aligned' || r.manifest.label === 'unaligned');
    const good = runs.findLast((r) => r.manifest.label === 'aligned')!;
    const bad = runs.findLast((r) => r.manifest.label === 'unaligned')!;
    const compared = await audit(['compare', good.manifest.id, bad.manifest.id], env(target));
    expect(compared.code).toBe(1);
    expect(compared.stdout).toMatch(/only the first complies \(studio-test-model\)\s+[1-9]/);
    expect(compared.stdout).toMatch(/RolePlay/);
    expect(compared.stdout).toMatch(/regression/);
    const json = JSON.parse((await audit(['compare', bad.manifest.id, good.manifest.id, '--json'], env(target))).stdout);
    expect(json.regressions).toEqual([]);
    expect(json.improvements.length).toBeGreaterThan(0);
  }, 120_000);

  it('re-audits only what changed since a run with --only-affected --since, and says why an option is refused', async () => {
    const target = await start(aligned(fixture));
    await audit(['run', '--suite', fixture.suite, '--label', 'before', '--fresh'], env(target));
    const before = (await runsNow()).findLast((r) => r.manifest.label === 'before')!;
    // Nothing changed since: every result is carried over and nothing is asked.
    const again = await audit(['run', '--suite', fixture.suite, '--only-affected', '--since', before.manifest.id, '--label', 'after'], env(target));
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`carried over from ${before.manifest.id}: ${fixture.records.length} result\\(s\\); graded anew: 0 scenario\\(s\\) of the 0 rule\\(s\\) changed`));
    const after = (await runsNow()).findLast((r) => r.manifest.label === 'after')!;
    expect(after.manifest.since).toBe(before.manifest.id);
    expect((await resultsOf(after)).every((r) => r.carriedOverFrom === before.manifest.iri)).toBe(true);

    const lone = await audit(['run', '--suite', fixture.suite, '--only-affected'], env(target));
    expect(lone.code).toBe(2);
    expect(lone.stderr).toMatch(/--only-affected needs --since <run>/);
    const other = await audit(['run', '--suite', fixture.suite, '--only-affected', '--since', 'no-such-run'], env(target));
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/no-such-run/);
  }, 120_000);
});
