/** generateInThread: the context read and the templates filled in a worker thread (kept for the next run) write the same graph as generateForPolicy, from a store's rows or a query thread's SPARQL JSON; it reports progress, and stops when aborted. */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { generateForPolicy } from '../../src/framers/generation-run.js';
import { generateInThread } from '../../src/framers/generation-thread.js';
import { generatedGraphIri } from '../../src/framers/item.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { DeadlineStore } from '../../src/api/deadlines.js';

const FILE = 'policies/gifts-code.ttl';
let direct: GraphStore;
let threaded: GraphStore;
let policy: string;

/** The generated graph's triples, sorted. */
async function generatedTriples(store: GraphStore): Promise<string[]> {
  const answer = await store.query(`SELECT ?s ?p ?o WHERE { GRAPH <${generatedGraphIri(policy)}> { ?s ?p ?o } }`);
  if (answer.kind !== 'rows') throw new Error('expected rows');
  return answer.rows.map((r) => `${r.s} ${r.p} ${JSON.stringify(r.o)}`).sort();
}

beforeAll(async () => {
  [direct, threaded] = [await EmbeddedStore.open(), await EmbeddedStore.open()];
  const source = await readTurtle(FILE);
  policy = (await direct.loadPolicy(source)).policy;
  await threaded.loadPolicy(source);
});
afterAll(async () => {
  await direct.close();
  await threaded.close();
});

describe('generation in a worker thread', () => {
  it('writes the same graph as generation in process, in several batches, reporting progress', async () => {
    const expected = await generateForPolicy(direct, policy, await TemplateLibrary.load(), { seed: 4 });
    const progress: number[] = [];
    const result = await generateInThread(threaded, policy, { seed: 4, batchSize: 100, progress: (done) => progress.push(done) });
    expect(result.summary).toEqual(expected.summary);
    expect(result.graph.triples).toBe(expected.graph.triples);
    expect(result.summary.items).toBeGreaterThan(100);
    expect(progress[0]).toBe(0);
    expect(await generatedTriples(threaded)).toEqual(await generatedTriples(direct));
    // A worker is kept for the next run: nothing of the last one carries over. Its reads given a deadline, the store
    // answers from its query thread, as a server's does: the worker reads the context from that SPARQL JSON.
    const again = await generateInThread(new DeadlineStore(threaded), policy, { seed: 4, batchSize: 7 });
    expect(again.summary).toEqual(expected.summary);
    expect(await generatedTriples(threaded)).toEqual(await generatedTriples(direct));
  });

  it('aborted while the worker fills templates, rejects with the reason and keeps the previous graph', async () => {
    const before = await threaded.listDerivedGraphs(policy);
    expect(before).toHaveLength(1);
    const controller = new AbortController();
    const reason = new Error('stop');
    const run = generateInThread(threaded, policy, {
      seed: 5,
      batchSize: 50,
      signal: controller.signal,
      progress: () => {
        controller.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(await threaded.listDerivedGraphs(policy)).toEqual(before);
    expect(await generatedTriples(threaded)).toEqual(await generatedTriples(direct));
  });

  it('refuses a family it does not know before it reads anything', async () => {
    await expect(generateInThread(threaded, policy, { seed: 1, families: ['no-such-family'] })).rejects.toThrow(/unknown family/);
  });
});
