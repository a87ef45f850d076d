/**
 * Both stores give the framers the same context, so the same seed gives the
 * same items, triples and coverage on the sample policies, whichever engine
 * holds them: the generation-* and coverage-* twins answer alike.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/store/graph-store.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { generationQuads } from '../../src/framers/generation-run.js';
import { generateAll } from '../helpers/generation.js';
import { readCoverage } from '../../src/framers/coverage.js';
import { readPolicyContext } from '../../src/framers/policy-context.js';
import { neo4jAvailable } from '../helpers/neo4j.js';
import { openBothStores } from '../helpers/both-stores.js';
import { canonical } from '../helpers/rdf.js';
import { MINI, SAMPLE_POLICIES } from '../store/store-spec.js';

const available = await neo4jAvailable();

describe.runIf(available)('framers: same data from both stores', () => {
  let embedded: GraphStore;
  let graph: GraphStore;
  let library: TemplateLibrary;
  beforeAll(async () => {
    [[embedded, graph], library] = await Promise.all([openBothStores([MINI, ...SAMPLE_POLICIES]), TemplateLibrary.load()]);
  }, 120_000);
  afterAll(async () => {
    await embedded?.close();
    await graph?.close();
  });

  it('reads the same context, generates the same items and reports the same coverage for every sample policy', async () => {
    for (const { policy } of await embedded.listPolicies()) {
      const [a, b] = [await readPolicyContext(embedded, policy), await readPolicyContext(graph, policy)];
      expect({ ...b, policy: undefined }, policy).toEqual({ ...a, policy: undefined });
      const [x, y] = [await generateAll(embedded, policy, library, { seed: 11 }), await generateAll(graph, policy, library, { seed: 11 })];
      expect(y.items.map((i) => i.iri), policy).toEqual(x.items.map((i) => i.iri));
      expect(await canonical(generationQuads(y.items, 11, y.context))).toBe(await canonical(generationQuads(x.items, 11, x.context)));
      expect(y.graph.triples).toBe(x.graph.triples);
      expect(await readCoverage(graph, policy), policy).toEqual(await readCoverage(embedded, policy));
    }
  }, 300_000);
});
