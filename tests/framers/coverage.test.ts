/**
 * The coverage a generation run prints, counted from its context and its own
 * items (CoveredByItems), against the coverage queries over the whole graph
 * afterwards: the same rules, labels, sides and terms, in the same order,
 * whatever the families left open.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { runGeneration } from '../../src/cli/commands/generate.js';
import { readCoverage, type Coverage } from '../../src/framers/coverage.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-coverage-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** How much a coverage leaves open, by part. */
const open = (c: Coverage) => ({
  instructions: c.rulesWithoutInstructions.length,
  scenarios: Object.values(c.rulesWithoutScenarios).reduce((n, rules) => n + rules.length, 0),
  boundaries: c.exceptionsWithoutBoundaryPairs.length,
  terms: c.unusedTerms.length,
});

// Each case: a policy, the families generated (all when absent), and which parts must be left open, so that a count
// that leaves nothing open cannot pass for one that does.
const cases: { policy: string; families?: string[]; leaves: (keyof ReturnType<typeof open>)[] }[] = [
  { policy: 'tests/fixtures/mini-policy.ttl', leaves: [] },
  { policy: 'tests/fixtures/mini-policy.ttl', families: ['instruction-qa'], leaves: ['scenarios', 'boundaries', 'terms'] },
  { policy: 'tests/fixtures/mini-policy.ttl', families: ['scenario-compliant', 'redteam'], leaves: ['instructions', 'scenarios', 'boundaries'] },
  { policy: 'tests/fixtures/wide-exceptions-policy.ttl', families: ['scenario-ambiguous', 'definition'], leaves: ['instructions', 'scenarios', 'boundaries'] },
  { policy: 'tests/fixtures/exception-edges-policy.ttl', leaves: [] },
  { policy: 'tests/fixtures/exception-edges-policy.ttl', families: ['exception-boundary'], leaves: ['instructions', 'scenarios'] },
  { policy: 'policies/gifts-code.ttl', families: ['is-it-allowed', 'scenario-noncompliant', 'combined'], leaves: ['scenarios', 'boundaries'] },
  { policy: 'tests/fixtures/conflict-scope-policy.ttl', families: ['conflict', 'scenario-compliant'], leaves: ['instructions', 'scenarios'] },
];

describe('the coverage a generation run counts', () => {
  it.each(cases)('$policy, families $families: the queries\' over the whole graph', async ({ policy: file, families, leaves }) => {
    const store = await EmbeddedStore.open({ dataDir: await mkdtemp(path.join(dir, 'store-')) });
    try {
      const loaded = await store.loadPolicy(await readTurtle(file));
      await writeConflicts(store, await detectConflicts(store, { policy: loaded.policy }));
      const [run] = await runGeneration(store, { seed: 1, ...(families ? { families } : {}) });
      expect(run!.coverage).toEqual(await readCoverage(store, loaded.policy));
      const counted = open(run!.coverage);
      for (const part of leaves) expect(counted[part], part).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
