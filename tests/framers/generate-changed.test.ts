/**
 * `studio generate --changed`: generate on one version, load the next, regenerate only what changed, and
 * compare with a full generation of the next version in a data folder of its own: the same generated graph,
 * triple for triple, and the same datasets, byte for byte; and the count rendered again follows the change.
 * On the gifts code edited three ways (a rule reworded, a narrower term added, an action relabelled) and on
 * the two editions of the Telemarketing Sales Rule. Conflicts are detected on each version, as a user would.
 */

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import N3 from 'n3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { runGeneration, formatGeneration, type GenerateSummary } from '../../src/cli/commands/generate.js';
import { generatedGraphIri } from '../../src/framers/item.js';
import { InvalidOptionError } from '../../src/errors.js';
import { Neo4jStore } from '../../src/store/neo4j-store.js';
import { NEO4J, neo4jAvailable, wipeNeo4j } from '../helpers/neo4j.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-generate-changed-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadAndDetect(store: EmbeddedStore | Neo4jStore, file: string): Promise<string> {
  const loaded = await store.loadPolicy(await readTurtle(file));
  await writeConflicts(store, await detectConflicts(store, { policy: loaded.policy }));
  return loaded.policy;
}

/** The generated graph as sorted N-Triples lines. */
async function generatedGraph(store: EmbeddedStore, policy: string): Promise<string[]> {
  const answer = await store.query(`CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <${generatedGraphIri(policy)}> { ?s ?p ?o } }`);
  if (answer.kind !== 'quads') throw new Error('expected quads');
  const writer = new N3.Writer({ format: 'N-Triples' });
  return answer.quads.map((q) => writer.quadToString(q.subject, q.predicate, q.object)).sort();
}

/** Every file under a folder, by relative path, with its bytes as text. */
async function files(folder: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(folder, full), await readFile(full, 'utf8'));
  }
  return out;
}

interface Outcome {
  readonly changed: GenerateSummary;
  readonly full: GenerateSummary;
}

/** Generates on v1, loads v2 and regenerates with --changed (data folder a), against a full run on v2 (data folder b). */
async function compare(name: string, v1: string, v2: string): Promise<Outcome> {
  const [a, b] = [path.join(dir, `${name}-a`), path.join(dir, `${name}-b`)];
  const storeA = await EmbeddedStore.open({ dataDir: a });
  const storeB = await EmbeddedStore.open({ dataDir: b });
  try {
    const policy = await loadAndDetect(storeA, v1);
    await runGeneration(storeA, { seed: 1, out: `${a}-out` });
    await loadAndDetect(storeA, v2);
    const [changed] = await runGeneration(storeA, { seed: 1, out: `${a}-out`, changed: true });
    await loadAndDetect(storeB, v2);
    const [full] = await runGeneration(storeB, { seed: 1, out: `${b}-out` });
    const [graphA, graphB] = [await generatedGraph(storeA, policy), await generatedGraph(storeB, policy)];
    expect(graphA.length).toBe(full!.triples);
    expect(graphA).toEqual(graphB);
    const [outA, outB] = [await files(`${a}-out`), await files(`${b}-out`)];
    expect([...outA.keys()].sort()).toEqual([...outB.keys()].sort());
    for (const [file, text] of outB) expect(outA.get(file), file).toBe(text);
    return { changed: changed!, full: full! };
  } finally {
    await storeA.close();
    await storeB.close();
  }
}

function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`edit: ${from} not found`);
  return text.replace(from, to);
}

describe('studio generate --changed', () => {
  it('on the gifts code, a reworded rule, a narrower term and a relabelled action: the same graph and datasets as a full run, a few items rendered again', async () => {
    let text = await readFile('policies/gifts-code.ttl', 'utf8');
    text = edit(text, 'must not let a prohibited source give a gift', 'must not allow a prohibited source to give a gift');
    text = edit(text, 'gov:Ministry a studio:Agency ; rdfs:label "ministry" ; studio:broader gov:Agency .', 'gov:Ministry a studio:Agency ; rdfs:label "ministry" ; studio:broader gov:Agency .\ngov:Bureau a studio:Agency ; rdfs:label "bureau" ; studio:broader gov:Agency .');
    text = edit(text, 'gov:solicitGift a studio:Action ; rdfs:label "solicit a gift" .', 'gov:solicitGift a studio:Action ; rdfs:label "ask for a gift" .');
    const v2 = path.join(dir, 'gifts-code-v2.ttl');
    await writeFile(v2, text);
    const { changed, full } = await compare('gifts', 'policies/gifts-code.ttl', v2);
    const c = changed.changed!;
    expect(changed.items).toBe(full.items);
    expect(c.everything).toBeUndefined();
    expect(c.from).not.toBe(c.to);
    expect(c.regenerated).toBeGreaterThan(0);
    expect(c.kept).toBeGreaterThan(0);
    expect(c.regenerated + c.kept).toBe(full.items);
    // Three edits of a 40-rule policy whose rules refer to each other closely: still, many items keep their texts.
    expect(c.kept).toBeGreaterThan(full.items / 3);
    expect(formatGeneration([changed])).toContain(`regenerated ${c.regenerated} items of ${c.rules} rules; kept ${c.kept} items`);
  }, 120_000);

  it('on the 2023 and 2024 editions of the Telemarketing Sales Rule: the same graph and datasets as a full run of 2024', async () => {
    const { changed, full } = await compare('tsr', 'examples/evolution/telemarketing-sales-rule-2023.ttl', 'examples/evolution/telemarketing-sales-rule-2024.ttl');
    expect(changed.items).toBe(full.items);
    expect(changed.changed!.regenerated + changed.changed!.kept).toBe(full.items);
    expect(changed.changed!.kept).toBeGreaterThan(0);
  }, 120_000);

  it('refuses a policy never generated, naming the command to run first, and changes nothing', async () => {
    const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'never') });
    try {
      const policy = await loadAndDetect(store, 'policies/gifts-code.ttl');
      await expect(runGeneration(store, { seed: 1, changed: true })).rejects.toThrow(InvalidOptionError);
      await expect(runGeneration(store, { seed: 1, changed: true })).rejects.toThrow(/has no generated data to update; run `studio generate` first/);
      expect((await store.listDerivedGraphs(policy)).filter((g) => g.kind === 'generated')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('with the version unchanged, renders nothing again but conflict items', async () => {
    const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'same') });
    try {
      const policy = await loadAndDetect(store, 'policies/gifts-code.ttl');
      const [first] = await runGeneration(store, { seed: 1 });
      const before = await generatedGraph(store, policy);
      const [again] = await runGeneration(store, { seed: 1, changed: true });
      expect(again!.changed!.from).toBe(again!.changed!.to);
      expect(again!.changed!.rules).toBe(0);
      const conflictItems = (first!.byFamily.conflict ?? 0) + (first!.byFamily['chain-of-command'] ?? 0);
      expect(again!.changed!.regenerated).toBe(conflictItems);
      expect(again!.changed!.kept).toBe(first!.items - conflictItems);
      expect(await generatedGraph(store, policy)).toEqual(before);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('on Neo4j: the same datasets and the same number of triples as a full run in the embedded store', async (ctx) => {
    if (!(await neo4jAvailable())) return ctx.skip();
    await wipeNeo4j();
    const [v1, v2] = ['examples/evolution/telemarketing-sales-rule-2023.ttl', 'examples/evolution/telemarketing-sales-rule-2024.ttl'];
    const graph = await Neo4jStore.open(NEO4J);
    const embedded = await EmbeddedStore.open({ dataDir: path.join(dir, 'neo4j-b') });
    try {
      const policy = (await graph.loadPolicy(await readTurtle(v1))).policy;
      await runGeneration(graph, { seed: 1 });
      await graph.loadPolicy(await readTurtle(v2));
      const [changed] = await runGeneration(graph, { seed: 1, out: path.join(dir, 'neo4j-a-out'), changed: true });
      await embedded.loadPolicy(await readTurtle(v2));
      const [full] = await runGeneration(embedded, { seed: 1, out: path.join(dir, 'neo4j-b-out') });
      expect(changed!.changed!.kept).toBeGreaterThan(0);
      expect(changed!.triples).toBe(full!.triples);
      const [outA, outB] = [await files(path.join(dir, 'neo4j-a-out')), await files(path.join(dir, 'neo4j-b-out'))];
      expect([...outA.keys()].sort()).toEqual([...outB.keys()].sort());
      for (const [file, text] of outB) expect(outA.get(file), file).toBe(text);
      // The query twins selective regeneration reads answer alike.
      const rows = async (store: EmbeddedStore | Neo4jStore, name: string) => (await store.namedQuery(name, { policy })).map((r) => JSON.stringify(r)).sort();
      for (const name of ['generation-kept-texts', 'generation-kept-templates']) expect(await rows(graph, name), name).toEqual(await rows(embedded, name));
    } finally {
      await graph.close();
      await embedded.close();
    }
  }, 300_000);
});
