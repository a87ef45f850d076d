import { mkdtemp, readdir, writeFile, readFile, utimes } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import N3 from 'n3';
import { EmbeddedStore, summariseNTriples } from '../../src/store/oxigraph-store.js';
import { linePieces, textPieces, type GraphEntry } from '../../src/store/data-folder.js';
import { parseTurtle, readTurtle } from '../../src/rdf/turtle.js';
import { preparePolicy } from '../../src/validation/upload-check.js';
import { DataFolderError, PolicyNotLoadedError, QueryTimeoutError } from '../../src/errors.js';
import { describeGraphStore, MINI, SAMPLE_POLICIES } from './store-spec.js';
import { describeFramers } from './framers-spec.js';
import { canonical, triplesOf } from '../helpers/rdf.js';
import { loadNamedQuery } from '../../src/store/named-queries.js';

const tempDir = () => mkdtemp(path.join(tmpdir(), 'studio-store-'));
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
/** The data folder's manifest, as far as these tests read it. */
interface Manifest {
  readonly version: number;
  readonly graphs: readonly GraphEntry[];
}

describeGraphStore('embedded (oxigraph)', {
  open: async () => EmbeddedStore.open({ dataDir: await tempDir() }),
  writeQuery: 'DELETE WHERE { ?s ?p ?o }',
  prohibitionsQuery: 'SELECT ?rule WHERE { ?rule a <https://w3id.org/alignment-studio/ns#Prohibition> }',
  derivedQuery: 'SELECT ?says WHERE { ?note <https://w3id.org/alignment-studio/ns#says> ?says }',
  derivedTypedQuery: 'SELECT ?says WHERE { ?note a <https://w3id.org/alignment-studio/ns#Note> ; <https://w3id.org/alignment-studio/ns#says> ?says }',
});

// A server's store: nothing read into oxigraph in the process's own thread; every read in the query threads.
describeGraphStore('embedded (oxigraph), serving', {
  open: async () => EmbeddedStore.open({ dataDir: await tempDir(), serving: true }),
  writeQuery: 'DELETE WHERE { ?s ?p ?o }',
  prohibitionsQuery: 'SELECT ?rule WHERE { ?rule a <https://w3id.org/alignment-studio/ns#Prohibition> }',
  derivedQuery: 'SELECT ?says WHERE { ?note <https://w3id.org/alignment-studio/ns#says> ?says }',
  derivedTypedQuery: 'SELECT ?says WHERE { ?note a <https://w3id.org/alignment-studio/ns#Note> ; <https://w3id.org/alignment-studio/ns#says> ?says }',
});

describeFramers('embedded (oxigraph)', async () => EmbeddedStore.open({ dataDir: await tempDir() }));

describe('embedded store data folder', () => {
  it('keeps loaded policies across a close and reopen', async () => {
    const dataDir = await tempDir();
    const first = await EmbeddedStore.open({ dataDir });
    await first.loadPolicy(await readTurtle(MINI));
    const before = await first.namedQuery('rule-summary');
    await first.close();
    const second = await EmbeddedStore.open({ dataDir });
    expect(await second.namedQuery('rule-summary')).toEqual(before);
    expect(await canonical(await second.exportQuads())).toBe(await canonical(await triplesOf(MINI)));
    await second.close();
  });

  it('keeps a replaced version as a manifest entry of kind version naming its Turtle file, never read back into the store', async () => {
    const dataDir = await tempDir();
    const first = await EmbeddedStore.open({ dataDir });
    const original = await readTurtle(MINI);
    const v1 = await first.loadPolicy(original, undefined, undefined, { loadedBy: 'alice' });
    const changed = { ...original, text: original.text.replace('Employees must not accept gifts from suppliers."', 'Staff must not accept gifts from suppliers."') };
    const v2 = await first.loadPolicy(changed);
    await first.close();
    const manifest = JSON.parse(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')) as { graphs: { kind: string; sha256: string; file: string; loadedBy?: string }[] };
    const version = manifest.graphs.find((g) => g.kind === 'version')!;
    expect(version).toMatchObject({ sha256: v1.sha256, loadedBy: 'alice' });
    expect(await readFile(path.join(dataDir, 'graphs', version.file), 'utf8')).toBe(original.text);
    expect(manifest.graphs.find((g) => g.kind === 'policy')).toMatchObject({ sha256: v2.sha256, revisionOf: v1.sha256 });
    // Another process opening the folder reads the current version only.
    const second = await EmbeddedStore.open({ dataDir, eager: true });
    const answer = await second.query('SELECT (COUNT(*) AS ?n) WHERE { ?rule <https://w3id.org/alignment-studio/ns#text> "Employees must not accept gifts from suppliers." }');
    expect(answer).toMatchObject({ kind: 'rows', rows: [{ n: 0 }] });
    expect((await second.listVersions()).map((v) => v.sha256)).toEqual([v1.sha256]);
    await second.close();
  });

  it('keeps derived graphs across a close and reopen', async () => {
    const dataDir = await tempDir();
    const first = await EmbeddedStore.open({ dataDir });
    const loaded = await first.loadPolicy(await readTurtle(MINI));
    const quad = N3.DataFactory.quad(N3.DataFactory.namedNode('urn:x:a'), N3.DataFactory.namedNode('urn:x:b'), N3.DataFactory.literal('c'));
    await first.putDerivedGraph({ graph: 'urn:studio:test:derived', kind: 'conflicts', policy: loaded.policy, policySha256: loaded.sha256 }, [quad]);
    await first.close();
    const second = await EmbeddedStore.open({ dataDir });
    expect((await second.listDerivedGraphs()).map((g) => g.triples)).toEqual([1]);
    const answer = await second.query('ASK { GRAPH <urn:studio:test:derived> { <urn:x:a> <urn:x:b> "c" } }');
    expect(answer).toEqual({ kind: 'boolean', value: true });
    await second.close();
  });

  it('writes and reads back a derived graph larger than one piece of N-Triples', async () => {
    const dataDir = await tempDir();
    const first = await EmbeddedStore.open({ dataDir });
    const loaded = await first.loadPolicy(await readTurtle(MINI));
    const { namedNode, literal, quad } = N3.DataFactory;
    const quads = Array.from({ length: 250_000 }, (_, i) => quad(namedNode(`urn:x:item-${i}`), namedNode('urn:x:says'), literal(`item ${i}`)));
    await first.putDerivedGraph({ graph: 'urn:studio:test:big', kind: 'generated', policy: loaded.policy, policySha256: loaded.sha256 }, quads);
    await first.close();
    const second = await EmbeddedStore.open({ dataDir });
    const answer = await second.query('SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:studio:test:big> { ?s ?p ?o } }');
    expect(answer.kind === 'rows' && answer.rows[0]!.n).toBe(250_000);
    await second.close();
  }, 60_000);

  it('keeps a patched derived graph across a close and reopen, patched in memory or only on disk, its file left as it was and the patches beside it', async () => {
    const dataDir = await tempDir();
    const { namedNode, literal, quad } = N3.DataFactory;
    const says = (i: number, text: string) => quad(namedNode(`urn:x:item-${i}`), namedNode('urn:x:says'), literal(text));
    const first = await EmbeddedStore.open({ dataDir });
    const loaded = await first.loadPolicy(await readTurtle(MINI));
    const graph = { graph: 'urn:studio:test:patched', kind: 'generated', policy: loaded.policy, policySha256: loaded.sha256 };
    await first.putDerivedGraph(graph, Array.from({ length: 1000 }, (_, i) => says(i, `item ${i}`)));
    const written = JSON.parse(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')) as Manifest;
    const base = written.graphs.find((g) => g.graph === graph.graph)!;
    const count = async (store: EmbeddedStore) => {
      const answer = await store.query('SELECT (COUNT(*) AS ?n) (SAMPLE(?changed) AS ?c) WHERE { GRAPH <urn:studio:test:patched> { ?s ?p ?o OPTIONAL { <urn:x:item-7> ?p ?changed } } }');
      return answer.kind === 'rows' ? [answer.rows[0]!.n, answer.rows[0]!.c] : [];
    };
    // Read into memory first: the patch changes oxigraph and the folder.
    expect(await count(first)).toEqual([1000, 'item 7']);
    await first.patchDerivedGraph(graph, { remove: ['urn:x:item-7', 'urn:x:item-8'], add: [says(7, 'item 7, again')] });
    expect(await count(first)).toEqual([999, 'item 7, again']);
    await first.close();
    // Never read: the patch is written beside the file, and the first query reads both.
    const second = await EmbeddedStore.open({ dataDir });
    await second.patchDerivedGraph(graph, { remove: ['urn:x:item-9', 'urn:x:absent'], add: [says(1000, 'item 1000')] });
    expect((await second.listDerivedGraphs()).map((g) => g.triples)).toEqual([999]);
    expect(await count(second)).toEqual([999, 'item 7, again']);
    await second.close();
    const third = await EmbeddedStore.open({ dataDir });
    // The index knows item 1000 now, without the graph read: adding to it is refused, and changes nothing.
    await expect(third.patchDerivedGraph(graph, { remove: [], add: [says(1000, 'more')] })).rejects.toThrow(/urn:x:item-1000, which the graph describes and the patch does not remove/);
    expect(await count(third)).toEqual([999, 'item 7, again']);
    await third.close();
    const manifest = JSON.parse(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')) as Manifest;
    const entry = manifest.graphs.find((g) => g.graph === graph.graph)!;
    // The graph's file is the one written whole, its bytes untouched; each patch is its removed subjects and its added triples.
    expect([entry.file, entry.sha256, entry.triples]).toEqual([base.file, base.sha256, 999]);
    // A studio that does not know patches refuses the folder rather than read the graph's file alone.
    expect([written.version, manifest.version]).toEqual([1, 2]);
    expect(entry.patches!.map((p) => [p.triples, p.removedTriples])).toEqual([[1, 2], [1, 1]]);
    expect((await readFile(path.join(dataDir, 'graphs', entry.patches![1]!.removed), 'utf8')).split('\n')).toEqual(['urn:x:item-9', '']);
    expect((await readFile(path.join(dataDir, 'graphs', entry.file), 'utf8')).split('\n').filter(Boolean)).toHaveLength(1000);
    const files = (await readdir(path.join(dataDir, 'graphs'))).filter((f) => !f.endsWith('.ttl') && !f.startsWith('facts-'));
    expect(files.sort()).toEqual([entry.file, entry.subjects!, ...entry.patches!.flatMap((p) => [p.file, p.removed])].sort());
  });

  it('writes a patched graph whole again once its patches add up to a quarter of it, or its index is gone, with what reading the patches gives', async () => {
    const dataDir = await tempDir();
    const { namedNode, literal, quad } = N3.DataFactory;
    const says = (i: number, text: string) => quad(namedNode(`urn:x:item-${i}`), namedNode('urn:x:says'), literal(text));
    const typed = (i: number) => quad(namedNode(`urn:x:item-${i}`), namedNode(RDF_TYPE), namedNode('urn:x:Item'));
    const store = await EmbeddedStore.open({ dataDir });
    const loaded = await store.loadPolicy(await readTurtle(MINI));
    const graph = { graph: 'urn:studio:test:chain', kind: 'generated', policy: loaded.policy, policySha256: loaded.sha256 };
    // What the graph holds, by item: its text.
    const expected = new Map(Array.from({ length: 400 }, (_, i) => [i, `item ${i}`]));
    await store.putDerivedGraph(graph, [...expected].flatMap(([i, text]) => [typed(i), says(i, text)]));
    const entryNow = async () => (JSON.parse(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')) as Manifest).graphs.find((g) => g.graph === graph.graph)!;
    const check = async () => {
      const reader = await EmbeddedStore.open({ dataDir });
      const answer = await reader.query('SELECT ?s ?says WHERE { GRAPH <urn:studio:test:chain> { ?s a <urn:x:Item> ; <urn:x:says> ?says } }');
      const got = answer.kind === 'rows' ? new Map(answer.rows.map((r) => [Number(String(r.s).slice('urn:x:item-'.length)), r.says])) : new Map();
      expect(got).toEqual(expected);
      expect((await reader.listDerivedGraphs()).map((g) => g.triples)).toEqual([2 * expected.size]);
      await reader.close();
    };
    // Patches that replace items of the file and of patches before them, remove some and add new ones.
    const patch = async (replace: number[], drop: number[], add: number[], round: number) => {
      for (const i of [...replace, ...add]) expected.set(i, `item ${i}, round ${round}`);
      for (const i of drop) expected.delete(i);
      await store.patchDerivedGraph(graph, { remove: [...replace, ...drop].map((i) => `urn:x:item-${i}`), add: [...replace, ...add].flatMap((i) => [typed(i), says(i, expected.get(i)!)]) });
    };
    await patch([1, 2, 3], [4], [400], 1);
    await patch([2, 400, 5], [3], [401, 402], 2);
    await patch([401], [1, 400], [], 3);
    expect((await entryNow()).patches).toHaveLength(3);
    await check();
    // Short of a quarter (42 triples added or removed by the three patches, 100 by this one, of the 800 the file holds): a patch.
    await patch(Array.from({ length: 25 }, (_, i) => 100 + i), [], [], 4);
    expect((await entryNow()).patches).toHaveLength(4);
    // Past it (another 120): the graph is written whole, with no patch, and holds what the patches gave.
    await patch(Array.from({ length: 30 }, (_, i) => 200 + i), [], [], 5);
    const whole = await entryNow();
    expect(whole.patches).toBeUndefined();
    expect((JSON.parse(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')) as Manifest).version).toBe(1);
    expect((await readFile(path.join(dataDir, 'graphs', whole.file), 'utf8')).split('\n').filter(Boolean)).toHaveLength(2 * expected.size);
    await check();
    // Without its index, the next patch writes the graph whole too, and counts a new one.
    await writeFile(path.join(dataDir, 'graphs', whole.subjects!), 'not an index');
    await patch([6], [], [], 6);
    const again = await entryNow();
    expect([again.patches, again.file === whole.file, again.subjects === whole.subjects]).toEqual([undefined, false, false]);
    await patch([7], [], [], 7);
    expect((await entryNow()).patches).toHaveLength(1);
    await check();
    await store.close();
  });

  it('ignores and removes files a crash left half-written', async () => {
    const dataDir = await tempDir();
    const store = await EmbeddedStore.open({ dataDir });
    await store.loadPolicy(await readTurtle(MINI));
    await store.close();
    const manifest = await readFile(path.join(dataDir, 'manifest.json'), 'utf8');
    await writeFile(path.join(dataDir, 'graphs', 'half-written.ttl'), '@prefix x: <http://x/> . x:a x:b "cut');
    await writeFile(path.join(dataDir, 'manifest.json.123.tmp'), '{"version": 1, "gra');
    const reopened = await EmbeddedStore.open({ dataDir });
    expect(await canonical(await reopened.exportQuads())).toBe(await canonical(await triplesOf(MINI)));
    await reopened.close();
    expect(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')).toBe(manifest);
    expect((await readdir(path.join(dataDir, 'graphs'))).length).toBe(1);
    expect(await readdir(dataDir)).toEqual(['graphs', 'manifest.json']);
  });

  it('writes a graph in pieces beside the folder until commit: another writer keeps it, a dead writer\'s pieces go', async () => {
    const dataDir = await tempDir();
    const store = await EmbeddedStore.open({ dataDir });
    const loaded = await store.loadPolicy(await readTurtle(MINI));
    const graph = { graph: 'urn:studio:test:pieces', kind: 'generated', policy: loaded.policy, policySha256: loaded.sha256 };
    const { namedNode, literal, quad } = N3.DataFactory;
    await store.putDerivedGraph(graph, [quad(namedNode('urn:x:a'), namedNode('urn:x:says'), literal('old'))]);
    const files = async () => (await readdir(path.join(dataDir, 'graphs'))).sort();
    const before = await files();
    const writer = await store.beginDerivedGraph(graph);
    await writer.append([quad(namedNode('urn:x:a'), namedNode('urn:x:says'), literal('new'))]);
    const partial = (await files()).filter((f) => !before.includes(f));
    expect(partial).toEqual([expect.stringMatching(new RegExp(`\\.${process.pid}\\.partial$`))]);
    // Another process writing to the folder meanwhile leaves the live writer's file alone.
    const other = await EmbeddedStore.open({ dataDir });
    await other.loadPolicy(await readTurtle(SAMPLE_POLICIES[1]!));
    await other.close();
    expect(await files()).toEqual(expect.arrayContaining(partial));
    await writer.commit();
    expect((await files()).some((f) => f.endsWith('.partial'))).toBe(false);
    // Pieces a killed writer left (its pid is dead) are removed when the folder opens; the graph stays as committed.
    await writeFile(path.join(dataDir, 'graphs', 'cut.nt.2147483646.partial'), '<urn:x:a> <urn:x:says> "cut');
    const reopened = await EmbeddedStore.open({ dataDir });
    expect((await files()).some((f) => f.endsWith('.partial'))).toBe(false);
    expect(await reopened.query('SELECT ?o WHERE { GRAPH <urn:studio:test:pieces> { ?s ?p ?o } }')).toMatchObject({ rows: [{ o: 'new' }] });
    // A policy removed while its graph is being written: the commit refuses, and nothing of it is kept.
    const orphan = await reopened.beginDerivedGraph(graph);
    await orphan.append([quad(namedNode('urn:x:a'), namedNode('urn:x:says'), literal('orphan'))]);
    await reopened.removePolicy(loaded.policy);
    await expect(orphan.commit()).rejects.toBeInstanceOf(PolicyNotLoadedError);
    expect(await reopened.listDerivedGraphs()).toEqual([]);
    expect((await files()).some((f) => f.endsWith('.partial'))).toBe(false);
    await reopened.close();
  });

  it('keeps the changes of two processes that share a data folder', async () => {
    const dataDir = await tempDir();
    const [first, second] = [await EmbeddedStore.open({ dataDir }), await EmbeddedStore.open({ dataDir })];
    await Promise.all([first.loadPolicy(await readTurtle(MINI)), second.loadPolicy(await readTurtle(SAMPLE_POLICIES[1]!))]);
    await Promise.all([first.close(), second.close()]);
    const reopened = await EmbeddedStore.open({ dataDir });
    expect((await reopened.listPolicies()).map((p) => p.source).sort()).toEqual([MINI, SAMPLE_POLICIES[1]].sort());
    await reopened.close();
  });

  it('takes over a lock left by a process that died', async () => {
    const dataDir = await tempDir();
    (await EmbeddedStore.open({ dataDir })).close();
    await writeFile(path.join(dataDir, 'write.lock'), '2147483646');
    const store = await EmbeddedStore.open({ dataDir });
    await store.loadPolicy(await readTurtle(MINI));
    expect(await readdir(dataDir)).toEqual(['graphs', 'manifest.json']);
    await store.close();
  });

  it('takes over an empty lock left by an older studio killed while taking it, and removes a dead taker\'s file', async () => {
    const dataDir = await tempDir();
    (await EmbeddedStore.open({ dataDir })).close();
    const lock = path.join(dataDir, 'write.lock');
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await writeFile(path.join(dataDir, 'write.lock.2147483646.00ff00ff'), '2147483646');
    const store = await EmbeddedStore.open({ dataDir });
    await store.loadPolicy(await readTurtle(MINI));
    expect(await readdir(dataDir)).toEqual(['graphs', 'manifest.json']);
    await store.close();
  });

  it('names the file when a kept graph no longer parses', async () => {
    const dataDir = await tempDir();
    const store = await EmbeddedStore.open({ dataDir });
    await store.loadPolicy(await readTurtle(MINI));
    await store.close();
    const [file] = await readdir(path.join(dataDir, 'graphs'));
    await writeFile(path.join(dataDir, 'graphs', file!), '@prefix x: <http://x/> . x:a x:b "cut');
    const error = await EmbeddedStore.open({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFolderError);
    expect((error as Error).message).toContain(file!);
    expect((error as Error).message).toContain(MINI);
  });

  it('checks a derived graph file edited since it was written: a term the studio never writes is refused, naming the file', async () => {
    const dataDir = await tempDir();
    const store = await EmbeddedStore.open({ dataDir });
    const { policy } = await store.loadPolicy(await readTurtle(MINI));
    await store.putDerivedGraph({ graph: 'urn:test:derived', kind: 'conflicts', policy, policySha256: 'a'.repeat(64) }, [N3.DataFactory.quad(N3.DataFactory.namedNode('urn:a'), N3.DataFactory.namedNode('urn:p'), N3.DataFactory.namedNode('urn:o'))]);
    await store.close();
    // Read back as written, it loads (its bytes are those the manifest names).
    const intact = await EmbeddedStore.open({ dataDir });
    expect((await intact.query('SELECT ?s WHERE { GRAPH <urn:test:derived> { ?s ?p ?o } }')).kind).toBe('rows');
    await intact.close();
    const manifest = JSON.parse(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')) as { graphs: { graph: string; file: string }[] };
    const file = manifest.graphs.find((g) => g.graph === 'urn:test:derived')!.file;
    // An IRI with a space, as many bytes as before (a file whose size changed is refused on opening): a lenient parse would take it.
    await writeFile(path.join(dataDir, 'graphs', file), '<urn a> <urn:p> <urn:o> .\n');
    const error = await EmbeddedStore.open({ dataDir, eager: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFolderError);
    expect((error as Error).message).toContain(file);
  });

  it('reports a manifest it cannot read instead of starting empty', async () => {
    const dataDir = await tempDir();
    (await EmbeddedStore.open({ dataDir })).close();
    await writeFile(path.join(dataDir, 'manifest.json'), 'not json');
    await expect(EmbeddedStore.open({ dataDir })).rejects.toBeInstanceOf(DataFolderError);
    expect(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')).toBe('not json');
  });

  // Every sample policy and every fixture policy: sections, kinds and titles of all sorts.
  const ALL_POLICIES = [
    ...readdirSync('policies').filter((f) => f.endsWith('.ttl')).map((f) => `policies/${f}`),
    ...readdirSync('tests/fixtures').filter((f) => f.endsWith('-policy.ttl')).map((f) => `tests/fixtures/${f}`),
  ];

  it('answers the rule summary from the manifest exactly as the query does on the graphs, without reading them', async () => {
    const dataDir = await tempDir();
    const first = await EmbeddedStore.open({ dataDir });
    for (const file of ALL_POLICIES) await first.loadPolicy(await readTurtle(file));
    await first.close();
    const reopened = await EmbeddedStore.open({ dataDir });
    const kept = await reopened.namedQuery('rule-summary');
    expect(kept.length).toBeGreaterThan(10);
    const query = await loadNamedQuery('rule-summary', 'sparql');
    const live = await reopened.query(query.text);
    expect(live.kind === 'rows' && live.rows).toEqual(kept);
    await reopened.close();
  });

  it.each(ALL_POLICIES)('summarises the N-Triples an upload worker hands over (%s) as it summarises the loaded graph', async (file) => {
    const source = await readTurtle(file);
    const prepared = preparePolicy(source, parseTurtle(source));
    if (prepared.kind !== 'valid') throw new Error(`${file}: ${prepared.kind}`);
    const summary = await summariseNTriples(prepared.ntriples);
    const store = await EmbeddedStore.open();
    await store.loadPolicy(source);
    expect(summary?.rows.length).toBeGreaterThan(0);
    expect(summary?.rows).toEqual(await store.namedQuery('rule-summary'));
    // Handed over with the triples, it is what the store keeps.
    const other = await EmbeddedStore.open();
    await other.loadPolicy(source, undefined, { ...prepared, summary: { ...summary!, rows: [summary!.rows[0]!] } });
    expect(await other.namedQuery('rule-summary')).toEqual([summary!.rows[0]]);
    await store.close();
    await other.close();
  });

  it('opens a folder without reading its graphs, and reads them at the first query', async () => {
    const dataDir = await tempDir();
    const store = await EmbeddedStore.open({ dataDir });
    const loaded = await store.loadPolicy(await readTurtle(MINI));
    const summary = await store.namedQuery('rule-summary');
    await store.close();
    // Spoil the graph's text without changing its size: only reading it can tell.
    const [file] = await readdir(path.join(dataDir, 'graphs'));
    const text = await readFile(path.join(dataDir, 'graphs', file!), 'utf8');
    await writeFile(path.join(dataDir, 'graphs', file!), '"'.repeat(Buffer.byteLength(text)));
    const reopened = await EmbeddedStore.open({ dataDir });
    expect((await reopened.listPolicies()).map((p) => p.policy)).toEqual([loaded.policy]);
    expect(await reopened.namedQuery('rule-summary')).toEqual(summary);
    const error = await reopened.query('ASK { ?s ?p ?o }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFolderError);
    expect((error as Error).message).toContain(file!);
    await reopened.close();
  });

  it('answers the rule summary by the query for a folder written before the manifest kept it', async () => {
    const dataDir = await tempDir();
    const store = await EmbeddedStore.open({ dataDir });
    for (const file of SAMPLE_POLICIES) await store.loadPolicy(await readTurtle(file));
    const summary = await store.namedQuery('rule-summary');
    await store.close();
    const manifestFile = path.join(dataDir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { graphs: Record<string, unknown>[] };
    for (const entry of manifest.graphs) {
      delete entry.summary;
      delete entry.bytes;
    }
    await writeFile(manifestFile, JSON.stringify(manifest));
    const old = await EmbeddedStore.open({ dataDir });
    expect(await old.namedQuery('rule-summary')).toEqual(summary);
    // A policy loaded now keeps its summary, but the older one still has none: the query answers.
    await old.loadPolicy(await readTurtle(MINI));
    const query = await loadNamedQuery('rule-summary', 'sparql');
    const live = await old.query(query.text);
    expect(await old.namedQuery('rule-summary')).toEqual(live.kind === 'rows' && live.rows);
    expect((await old.namedQuery('rule-summary')).length).toBeGreaterThan(summary.length);
    await old.close();
  });

  it('reads at the first query the graphs this store wrote and another process replaced since it opened', async () => {
    const dataDir = await tempDir();
    const store = await EmbeddedStore.open({ dataDir });
    const loaded = await store.loadPolicy(await readTurtle(MINI));
    const { namedNode, literal, quad } = N3.DataFactory;
    const graph = { graph: 'urn:studio:test:lazy', kind: 'generated', policy: loaded.policy, policySha256: loaded.sha256 };
    await store.putDerivedGraph(graph, [quad(namedNode('urn:x:a'), namedNode('urn:x:says'), literal('mine'))]);
    const other = await EmbeddedStore.open({ dataDir });
    await other.loadPolicy(await readTurtle(MINI));
    await other.putDerivedGraph(graph, [quad(namedNode('urn:x:a'), namedNode('urn:x:says'), literal('theirs'))]);
    await other.close();
    expect(await store.query('SELECT ?o WHERE { GRAPH <urn:studio:test:lazy> { ?s ?p ?o } }')).toMatchObject({ rows: [{ o: 'theirs' }] });
    const policies = await store.query('SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/alignment-studio/ns#Policy> }');
    expect(policies).toMatchObject({ rows: [{ n: 1 }] });
    expect(await canonical(await store.exportQuads())).toBe(await canonical(await triplesOf(MINI)));
    // From now on the store's own writes reach its graphs at once.
    await store.putDerivedGraph(graph, [quad(namedNode('urn:x:a'), namedNode('urn:x:says'), literal('mine again'))]);
    expect(await store.query('SELECT ?o WHERE { GRAPH <urn:studio:test:lazy> { ?s ?p ?o } }')).toMatchObject({ rows: [{ o: 'mine again' }] });
    await store.close();
  });

  it('reads every graph when it opens, if eager', async () => {
    const dataDir = await tempDir();
    const store = await EmbeddedStore.open({ dataDir });
    await store.loadPolicy(await readTurtle(MINI));
    await store.close();
    const [file] = await readdir(path.join(dataDir, 'graphs'));
    const text = await readFile(path.join(dataDir, 'graphs', file!), 'utf8');
    await writeFile(path.join(dataDir, 'graphs', file!), '"'.repeat(Buffer.byteLength(text)));
    await expect(EmbeddedStore.open({ dataDir, eager: true })).rejects.toBeInstanceOf(DataFolderError);
  });
});

describe('textPieces (how an upload is written to the data folder)', () => {
  it('cuts a text into pieces of about the size asked that join back to it, never between the halves of a surrogate pair', () => {
    const text = 'a\u{1F600}'.repeat(100) + 'é';
    for (const size of [1, 2, 3, 7, 100, 10_000]) {
      const pieces = [...textPieces(text, size)];
      expect(pieces.join('')).toBe(text);
      expect(pieces.filter((piece) => /[\uD800-\uDBFF]$/.test(piece))).toEqual([]);
      expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThanOrEqual(Math.max(size, 2));
    }
    expect([...textPieces('')]).toEqual([]);
  });
});

describe('linePieces (how a graph file is read back from the data folder)', () => {
  it('cuts a file into pieces of whole lines, of about the size asked, that join back to it; a last line without its end gets one', async () => {
    const dir = await tempDir();
    const lines = Array.from({ length: 200 }, (_, i) => `<urn:s${i}> <urn:p> "${'é\u{1F600}'.repeat(i % 7)}x" .`);
    const longest = Math.max(...lines.map((line) => Buffer.byteLength(line)));
    const file = path.join(dir, 'lines.nt');
    await writeFile(file, lines.join('\n'));
    for (const size of [1, 10, 64, 1000, 1 << 20]) {
      const pieces: string[] = [];
      for await (const piece of linePieces(file, size)) pieces.push(piece);
      expect(pieces.join(''), `size ${size}`).toBe(lines.join('\n') + '\n');
      for (const piece of pieces) {
        expect(piece.endsWith('\n')).toBe(true);
        expect(piece.split('\n').slice(0, -1).every((line) => lines.includes(line))).toBe(true);
        expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(2 * size + longest + 1);
      }
      if (size === 1000) expect(pieces.length).toBeGreaterThan(5);
    }
    await writeFile(file, '');
    const none: string[] = [];
    for await (const piece of linePieces(file)) none.push(piece);
    expect(none).toEqual([]);
  });
});

describe('embedded store query threads', () => {
  /** Triples per graph, as one query answers them, in process and in a query thread. */
  const PER_GRAPH = 'SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g';
  const answers = async (store: EmbeddedStore) => [await store.query(PER_GRAPH), await store.query(PER_GRAPH, { deadlineMs: 60_000 })];
  /** A data folder holding the mini policy, the bank's and a derived graph of the mini policy, with the store still open. */
  const twoPoliciesAndADerivedGraph = async () => {
    const dataDir = await tempDir();
    const first = await EmbeddedStore.open({ dataDir });
    const [mini, bank] = [await readTurtle(MINI), await readTurtle(SAMPLE_POLICIES[1]!)];
    const { policy } = await first.loadPolicy(mini);
    await first.loadPolicy(bank);
    const quads = parseTurtle(mini).slice(0, 50);
    await first.putDerivedGraph({ graph: 'https://example.org/derived#g', kind: 'test', policy, policySha256: 'x' }, quads);
    return { dataDir, first, mini, policy, quads };
  };

  it('read the graphs from the data folder, derived graphs, Turtle with blank nodes and the vocabulary included, and follow later writes', async () => {
    const { dataDir, first, mini, policy, quads } = await twoPoliciesAndADerivedGraph();
    await first.close();

    const store = await EmbeddedStore.open({ dataDir, eager: true });
    const [inProcess, inThread] = await answers(store);
    expect(inThread).toEqual(inProcess);
    expect(inProcess?.kind === 'rows' && inProcess.rows.length).toBe(4); // vocabulary, two policies, the derived graph
    // A later write reaches the running thread; a policy replaced removes the file the thread was started from.
    await store.putDerivedGraph({ graph: 'https://example.org/derived#g', kind: 'test', policy, policySha256: 'x' }, quads.slice(0, 10));
    await store.loadPolicy({ ...mini, text: `${mini.text}\n<urn:x> <urn:y> "z" .\n` });
    const [after, afterInThread] = await answers(store);
    expect(afterInThread).toEqual(after);
    expect(after).not.toEqual(inProcess);
    await store.close();
  });
  it('serving: answer every read from the data folder as an ordinary store does, follow writes, and read the store again after a deadline stops one', async () => {
    const { dataDir, first, mini, policy, quads } = await twoPoliciesAndADerivedGraph();
    const [expected] = await answers(first);
    await first.close();

    const serving = await EmbeddedStore.open({ dataDir, serving: true });
    const [withoutDeadline, withDeadline] = await answers(serving);
    expect(withoutDeadline).toEqual(expected);
    expect(withDeadline).toEqual(expected);
    // Writes: a generated graph replaced, a policy replaced (from Turtle, checked in a scratch store) and one removed.
    await serving.putDerivedGraph({ graph: 'https://example.org/derived#g', kind: 'test', policy, policySha256: 'x' }, quads.slice(0, 10));
    await serving.loadPolicy({ ...mini, text: `${mini.text}\n<urn:x> <urn:y> "z" .\n` });
    await serving.removePolicy((await serving.listPolicies()).find((p) => p.policy !== policy)!.policy);
    const [after] = await answers(serving);
    expect(after).not.toEqual(expected);
    await serving.close();
    const ordinary = await EmbeddedStore.open({ dataDir });
    expect(after).toEqual((await answers(ordinary))[0]);
    await ordinary.close();

    // A query stopped at its deadline takes its thread with it; the next one is answered by a thread that read the store again.
    const again = await EmbeddedStore.open({ dataDir, serving: true });
    await expect(again.query('SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }', { deadlineMs: 300 })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(await again.query(PER_GRAPH)).toEqual(after);
    await again.close();
  });
});
