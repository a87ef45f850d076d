/**
 * An audit run's side work in its worker thread (src/auditors/side-thread.ts) gives
 * what the command's own thread would: the rules' digests made there from a
 * policy's kept Turtle are those made from the store's export of the loaded
 * policy (a later --since run compares the two kinds), and the suite reads
 * the same. The guess of the policy from the suite's first line is only a
 * guess: anything it cannot read gives none.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { readSnapshot } from '../../src/evolution/snapshot.js';
import { ruleDigests } from '../../src/evolution/rule-digests.js';
import { describeSuiteBeside, ruleDigestsBeside } from '../../src/auditors/side-thread.js';
import { describeSuite, firstPolicy } from '../../src/auditors/suite.js';
import { SuiteError } from '../../src/errors.js';
import { makeSuite, MINI_POLICY, type SuiteFixture } from './suite-fixture.js';

const POLICIES = ['policies/assistant-spec.ttl', 'policies/business-conduct.ttl', 'policies/gifts-code.ttl', 'policies/retail-bank-assistant.ttl', 'tests/fixtures/mini-policy.ttl'];

let dir: string;
let fixture: SuiteFixture;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-side-thread-'));
  fixture = await makeSuite();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(fixture.dataDir, { recursive: true, force: true });
});

describe('the audit side thread', () => {
  it.each(POLICIES)('digests the rules of %s from its kept Turtle as from the store', async (file) => {
    const store = await EmbeddedStore.open({ dataDir: path.join(dir, path.basename(file)) });
    try {
      const loaded = await store.loadPolicy(await readTurtle(file));
      const fromStore = ruleDigests(readSnapshot(await store.exportQuads(loaded.policy)));
      const source = await store.readVersion(loaded.policy, loaded.sha256);
      expect(source).toBeDefined();
      const beside = await ruleDigestsBeside(source!);
      expect(beside.size).toBeGreaterThan(0);
      expect(new Map([...beside].sort())).toEqual(new Map([...fromStore].sort()));
    } finally {
      await store.close();
    }
  }, 60_000);

  it('describes a suite as describeSuite does, and a wrong line as the same SuiteError', async () => {
    expect(await describeSuiteBeside(fixture.suite, { limit: 5 })).toEqual(await describeSuite(fixture.suite, { limit: 5 }));
    const bad = path.join(dir, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify(fixture.records[0])}\n{"id": "https://example.org/x"}\n`);
    const error = await describeSuiteBeside(bad, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SuiteError);
    expect(error).toMatchObject({ file: bad, line: 2, message: `${bad}:2: "messages" must be a non-empty list of chat turns` });
  }, 60_000);

  it('guesses the policy from the first scenario line, and gives none where that line cannot say', async () => {
    expect(await firstPolicy(fixture.suite)).toBe(MINI_POLICY);
    const cases: Record<string, string> = { blankFirst: `\n\n${JSON.stringify(fixture.records[0])}\n`, notJson: 'not json\n', noPolicy: '{"id": "x"}\n', noNewline: JSON.stringify(fixture.records[0]), empty: '' };
    const guesses: Record<string, string | undefined> = {};
    for (const [name, text] of Object.entries(cases)) {
      await writeFile(path.join(dir, `${name}.jsonl`), text);
      guesses[name] = await firstPolicy(path.join(dir, `${name}.jsonl`));
    }
    expect(guesses).toEqual({ blankFirst: MINI_POLICY, notJson: undefined, noPolicy: undefined, noNewline: undefined, empty: undefined });
    expect(await firstPolicy(path.join(dir, 'missing.jsonl'))).toBeUndefined();
  });
});
