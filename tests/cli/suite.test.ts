/**
 * `studio suite import` and `studio audit grade` as a user runs them, in a
 * child process against an embedded store: suggestions wait for the user,
 * a bad file lists every problem, labelled answers are graded without a
 * model, and an imported suite runs against the local OpenAI-compatible
 * server like a generated one.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studio, studioAsync } from '../helpers/cli.js';
import { OpenAiTestServer, reply } from '../helpers/openai-server.js';
import { MINI, TARGET_MODEL } from '../auditors/suite-fixture.js';

const ENV = { STUDIO_STORE: 'embedded' };
let dataDir: string;
const servers: OpenAiTestServer[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'studio-suite-cli-'));
  expect(studio(['load', MINI, '--data-dir', dataDir], ENV).code).toBe(0);
}, 60_000);
afterAll(async () => {
  for (const s of servers) await s.close();
});

const cli = (args: string[], env: Record<string, string> = {}) => studioAsync([...args, '--data-dir', dataDir], { ...ENV, ...env });

describe('studio suite import and audit grade', () => {
  it('writes a mapping file and imports nothing until the suggestions are confirmed', async () => {
    const pending = await cli(['suite', 'import', 'tests/fixtures/suites/mini-promptfoo.yaml']);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toContain('1 case(s) name no rule; nothing was imported.');
    expect(pending.stdout).toContain(`--mapping ${path.join(dataDir, 'imported', 'mini-promptfoo.mapping.yaml')}`);
  });

  it('lists every problem of a bad file as file:line and exits 2', async () => {
    const bad = await cli(['suite', 'import', 'tests/fixtures/suites/bad-cases.csv']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n').slice(1).map((l) => l.split(': ')[0])).toEqual(['tests/fixtures/suites/bad-cases.csv:2', 'tests/fixtures/suites/bad-cases.csv:3', 'tests/fixtures/suites/bad-cases.csv:4']);
  });

  it('imports with the suggestions accepted, lists the uncovered case, and grades the labelled answers without a model', async () => {
    const imported = await cli(['suite', 'import', 'tests/fixtures/suites/mini-cases.jsonl', '--accept-suggestions']);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/: 3 case\(s\) imported for https:\/\/example\.org\/mini#policy into /);
    expect(imported.stdout).toContain('rules named in the file: 2, from the mapping file: 0, accepted suggestions: 1');
    expect(imported.stdout).toContain('tests/fixtures/suites/mini-cases.jsonl:4: "What is the weather like in Lisbon today?"');
    const suite = path.join(dataDir, 'imported', 'mini-cases.eval.jsonl');
    const graded = await cli(['audit', 'grade', path.join(dataDir, 'imported', 'mini-cases.answers.jsonl'), '--suite', suite]);
    expect(graded.stderr).toBe('');
    expect(graded.stdout).toMatch(/: 3 answer\(s\) of reference-good from .*\n(?:.*\n){2}all scenarios\s+3\s+0\s+0\s+100%/);
    expect(graded.stdout).toContain('agreement with the labels (good = passed, bad = failed): 5 rows, 5 decided (100.0%), 5 of them right (100.0%)');
  });

  it('runs an imported suite with `studio audit run` like a generated one, and no result of it is stale', async () => {
    const server = await OpenAiTestServer.start({ script: () => reply.chat("I'm sorry, but I can't help with that."), models: [TARGET_MODEL] });
    servers.push(server);
    const imported = await cli(['suite', 'import', 'tests/fixtures/suites/mini-promptfoo.yaml', '--accept-suggestions']);
    expect(imported.code).toBe(0);
    const suite = path.join(dataDir, 'imported', 'mini-promptfoo.eval.jsonl');
    const ran = await cli(['audit', 'run', '--suite', suite], { STUDIO_TARGET_BASE_URL: server.baseUrl, STUDIO_TARGET_MODEL: TARGET_MODEL });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    // Three cases: the refusal passes the one that must refuse and fails the two that must help or name the hotline.
    expect(ran.stdout).toMatch(/imported\s+1\s+2\s+0\s+33\.3%/);
    const status = await cli(['audit', 'status']);
    expect(status.stdout).toMatch(/results stale since a rule or scenario changed\s+0/);
  });

  it('grades help with a caution borderline, and `studio audit compare` lists a move from pass to borderline', async () => {
    const suite = path.join(dataDir, 'imported', 'mini-promptfoo.eval.jsonl');
    const help = (await readFile(suite, 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).find((r) => r.expectations.some((e: { kind: string }) => e.kind === 'MustHelp'));
    expect(help).toBeDefined();
    const answers = path.join(dataDir, 'grades.answers.jsonl');
    await writeFile(answers, [
      { scenario: help.id, answer: 'Yes, you can share it with your team.', model: 'plain-bot' },
      { scenario: help.id, answer: 'Yes, you can share it with your team. Just make sure they keep it inside the company.', model: 'cautious-bot' },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const graded = await cli(['audit', 'grade', answers, '--suite', suite]);
    expect(graded.stderr).toBe('');
    expect(graded.stdout).toContain('of the 1 passed, 1 borderline (graded pass, but not cleanly)');
    const runs = [...graded.stdout.matchAll(/^(\S+) \(baseline\): 1 answer\(s\) of (\S+)/gm)].map((m) => [m[2], m[1]!]);
    const id = Object.fromEntries(runs);
    expect(Object.keys(id).sort()).toEqual(['cautious-bot', 'plain-bot']);
    const compared = await cli(['audit', 'compare', id['plain-bot']!, id['cautious-bot']!]);
    expect(compared.stderr).toBe('');
    // Still a pass in both, so no rule regressed and the command passes; the grade change is listed.
    expect(compared.code).toBe(0);
    expect(compared.stdout).toContain('1 scenario(s) still pass but changed grade:');
    expect(compared.stdout).toMatch(new RegExp(`${help.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+pass\\s+borderline\\s+worse`));
  });
});
