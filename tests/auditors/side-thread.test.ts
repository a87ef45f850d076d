/**
 * An audit run's side work in its worker thread (src/auditors/side-thread.ts) gives
 * what the command's own thread would: the rules' digests made there from a
 * policy's kept Turtle are those made from the store's export of the loaded
 * policy (a later --since run compares the two kinds). The guess of the
 * policy from the suite's first line is only a guess: anything it cannot
 * read gives none.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { readSnapshot } from '../../src/evolution/snapshot.js';
import { ruleDigests } from '../../src/evolution/rule-digests.js';
import { ruleDigestsBeside } from '../../src/auditors/side-thread.js';
import { firstPolicy } from '../../src/auditors/suite.js';
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
