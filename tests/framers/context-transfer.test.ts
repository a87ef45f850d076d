/**
 * A policy's context sent as its queries' answers (as generateInThread sends
 * it to its worker) and read where it arrives is the context readPolicyContext
 * reads: from SPARQL JSON handed on unread (the query threads' answers, cut in
 * pieces when large) as from rows (a store that reads in its own thread, or
 * Neo4j's), a part at a time.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { DeadlineStore } from '../../src/api/deadlines.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { loadedPolicy, readPolicyContext, type PolicyContext } from '../../src/framers/policy-context.js';
import { ContextAssembler, ROWS_PER_PART, askContext, sendContext, type ContextPart } from '../../src/framers/context-transfer.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { writeSyntheticPolicy } from '../../scripts/bench/synthetic-policy.js';

/** Asks the context's queries of `store`, sends the answers through structured clones, as postMessage does, and reads the context from them. */
async function roundTrip(store: GraphStore, policy: string): Promise<{ context: PolicyContext; parts: ContextPart[] }> {
  const parts: ContextPart[] = [];
  await sendContext(await askContext(store, await loadedPolicy(store, policy)), (part) => parts.push(structuredClone(part)));
  const assembler = new ContextAssembler();
  for (const part of parts) assembler.add(part);
  return { context: assembler.context(), parts };
}

function expectSameContext(arrived: PolicyContext, context: PolicyContext): void {
  expect(arrived).toEqual(context);
  expect([...arrived.provision.keys()]).toEqual([...context.provision.keys()]);
  expect([...arrived.terms.keys()]).toEqual([...context.terms.keys()]);
  expect([...arrived.conditions.keys()]).toEqual([...context.conditions.keys()]);
  for (const provision of arrived.provisions) expect(arrived.provision.get(provision.iri)).toBe(provision);
}

let store: EmbeddedStore;
/** The same store, its reads given a deadline: they run in its query thread, whose SPARQL JSON is handed on unread. */
let threaded: DeadlineStore;
let folder: string;
let sample: string;
let synthetic: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'context-transfer-'));
  store = await EmbeddedStore.open();
  threaded = new DeadlineStore(store);
  sample = (await store.loadPolicy(await readTurtle('policies/gifts-code.ttl'))).policy;
  // 1,500 rules: the relations' answer passes the size above which a query thread sends it in pieces.
  await writeSyntheticPolicy(1500, path.join(folder, 'synthetic.ttl'));
  synthetic = (await store.loadPolicy(await readTurtle(path.join(folder, 'synthetic.ttl')))).policy;
}, 120_000);
afterAll(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

describe('sending a policy context as its queries answers', () => {
  it('gives back the sample policy context whole, from rows and from SPARQL JSON', async () => {
    const context = await readPolicyContext(store, sample);
    const fromRows = await roundTrip(store, sample);
    expectSameContext(fromRows.context, context);
    expect(new Set(fromRows.parts.map((p) => p.kind))).toEqual(new Set(['policy', 'rows']));
    const fromJson = await roundTrip(threaded, sample);
    expectSameContext(fromJson.context, context);
    expect(new Set(fromJson.parts.map((p) => p.kind))).toEqual(new Set(['policy', 'sparql-json']));
  });

  it('sends a large answer in pieces or in parts of rows, in order', async () => {
    const context = await readPolicyContext(store, synthetic);
    expect(context.provisions.length).toBeGreaterThanOrEqual(1500);
    const fromJson = await roundTrip(threaded, synthetic);
    expectSameContext(fromJson.context, context);
    expect(fromJson.parts.filter((p) => p.kind === 'piece' && p.query === 'generation-relations').length).toBeGreaterThan(1);
    const fromRows = await roundTrip(store, synthetic);
    expectSameContext(fromRows.context, context);
    const relations = (await store.namedQuery('generation-relations', { policy: synthetic })).length;
    expect(fromRows.parts.filter((p) => p.kind === 'rows' && p.query === 'generation-relations').map((p) => (p.kind === 'rows' ? p.rows.length : 0))).toEqual([
      ...Array.from({ length: Math.floor(relations / ROWS_PER_PART) }, () => ROWS_PER_PART),
      ...(relations % ROWS_PER_PART ? [relations % ROWS_PER_PART] : []),
    ]);
  }, 60_000);

  it('refuses to build a context with a part missing', async () => {
    expect(() => new ContextAssembler().context()).toThrow(/without its first part/);
    const parts: ContextPart[] = [];
    await sendContext(await askContext(threaded, await loadedPolicy(store, sample)), (part) => parts.push(part));
    const assembler = new ContextAssembler();
    for (const part of parts) if (!(part.kind === 'sparql-json' && part.query === 'generation-terms')) assembler.add(part);
    expect(() => assembler.context()).toThrow(/without the answer of generation-terms/);
    expect(() => new ContextAssembler().add({ kind: 'piece', query: 'generation-terms', text: '[]' })).toThrow(/before its head/);
    // Read once: the parts are let go with it.
    const once = new ContextAssembler();
    for (const part of parts) once.add(part);
    expect(once.context().provisions.length).toBeGreaterThan(0);
    expect(() => once.context()).toThrow(/without its first part/);
  });

  it('refuses a policy that is not loaded before it asks anything', async () => {
    await expect(loadedPolicy(store, 'urn:no-such-policy')).rejects.toThrow(/urn:no-such-policy/);
  });
});
