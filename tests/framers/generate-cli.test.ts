/** studio generate as a user runs it: load, generate with datasets, a JSON summary; bad options are clear errors. */

import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studio, studioKilledAfter } from '../helpers/cli.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { entryFiles, type GraphEntry } from '../../src/store/data-folder.js';
import { writeSyntheticPolicy } from '../../scripts/bench/synthetic-policy.js';

describe('studio generate', () => {
  it('generates into the store, writes the datasets and prints the summary and coverage', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-generate-'));
    const out = path.join(dataDir, 'datasets');
    expect(studio(['load', 'tests/fixtures/mini-policy.ttl', '--data-dir', dataDir]).code).toBe(0);
    const run = studio(['generate', '--data-dir', dataDir, '--seed', '5', '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const [summary] = JSON.parse(run.stdout);
    expect(summary.policy).toBe('https://example.org/mini#policy');
    expect(summary.items).toBeGreaterThan(40);
    expect(summary.coverage.rulesWithoutInstructions).toEqual([]);
    expect(summary.exports.chat).toBe(summary.items);
    expect((await readdir(summary.exports.folder)).sort()).toEqual(['.generation.json', 'chat.jsonl', 'eval.jsonl', 'instructlab', 'preference.jsonl', 'promptfooconfig.yaml']);
    const text = studio(['generate', '--data-dir', dataDir, '--seed', '5']);
    expect(text.stdout).toContain('rules without instruction data');
    expect(text.stdout).toContain(`${summary.items} items`);
  });

  it('--check passes on sound items and fails, listing item, template and finding, on a template that makes the user the assistant', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-generate-'));
    expect(studio(['load', 'tests/fixtures/conflict-scope-policy.ttl', '--data-dir', dataDir]).code).toBe(0);
    expect(studio(['conflicts', '--data-dir', dataDir]).code).toBe(0); // records the conflicts, so conflict items are checked too
    const sound = studio(['generate', '--data-dir', dataDir, '--check']);
    expect(sound.code, sound.stderr).toBe(0);
    expect(sound.stdout).toContain('check: every item keeps its invariants');
    // The old way of writing the bearer: "I'm an assistant ..." in the user's mouth.
    const templates = path.join(dataDir, 'templates');
    await cp('templates', templates, { recursive: true });
    const file = path.join(templates, 'scenario-noncompliant', 'would-break.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replaceAll('{{party.speaker}}', "I'm {{a bearer.label}}"));
    const broken = studio(['generate', '--data-dir', dataDir, '--check', '--templates', templates]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/check: \d+ findings?/);
    expect(broken.stdout).toMatch(/^https:\/\/w3id\.org\/alignment-studio\/id\/item\/\w+ \(scenario-noncompliant\/would-break\) perspective: a user turn claims to be the assistant: "I'm an assistant"$/m);
  });

  it.each([
    [['--seed', 'abc'], /--seed abc/],
    [['--policy', 'https://example.org/none'], /no such policy is loaded/],
    [['--families', 'poetry'], /unknown family 'poetry'/],
  ])('refuses %j with a clear message', async (args, message) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-generate-'));
    expect(studio(['load', 'tests/fixtures/mini-policy.ttl', '--data-dir', dataDir]).code).toBe(0);
    const run = studio(['generate', '--data-dir', dataDir, ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

});

/**
 * kill -9 in the middle of `generate --changed --out`, which patches the
 * generated graph (files beside it, then the manifest) and writes the datasets
 * (the folder's record dropped first, written last): whatever the moment, the
 * folder holds the previous generated graph or the patched one, with no file
 * the manifest does not list, and running the command again gives what an
 * uninterrupted run gives, graph and datasets byte for byte. Each moment starts
 * from a copy of one prepared folder: a 200-rule policy generated with its
 * datasets, then a version rewording one rule in fifty loaded (a change small
 * enough for the graph to be patched rather than written whole).
 */
describe('studio generate --changed killed with SIGKILL', () => {
  let root: string;
  let prepared: string;
  let first: Awaited<ReturnType<typeof generatedState>>;
  let complete: { state: Awaited<ReturnType<typeof generatedState>>; datasets: Map<string, string> };
  /** The prepared folder's graphs/ files and manifest, which the kills' moments compare against. */
  let preparedFiles: Set<string>;
  let preparedManifest: string;
  const landed: string[] = [];
  const graphFiles = (dataDir: string) => readdirSync(path.join(dataDir, 'graphs'));
  const manifest = (dataDir: string) => readFileSync(path.join(dataDir, 'manifest.json'), 'utf8');
  const changed = (dataDir: string) => ['generate', '--changed', '--seed', '1', '--data-dir', dataDir, '--out', path.join(dataDir, 'out'), '--json'];

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'studio-changed-kill-'));
    prepared = path.join(root, 'prepared');
    const policy = path.join(root, 'policy.ttl');
    await writeSyntheticPolicy(200, policy);
    expect(studio(['load', '--no-validate', policy, '--data-dir', prepared]).code).toBe(0);
    const seed1 = studio(['generate', '--seed', '1', '--data-dir', prepared, '--out', path.join(prepared, 'out')]);
    expect(seed1.code, seed1.stderr).toBe(0);
    first = await generatedState(prepared);
    const text = await readFile(policy, 'utf8');
    const reworded = text.replace(/(syn:rule-(\d+) a studio:\w+ ;[^]*?studio:text "[^"]*)\."/g, (whole, head: string, rule: string) => (Number(rule) % 50 === 25 ? `${head}, as amended."` : whole));
    expect(reworded).not.toBe(text);
    await writeFile(policy, reworded);
    expect(studio(['load', '--no-validate', policy, '--data-dir', prepared]).code).toBe(0);
    [preparedFiles, preparedManifest] = [new Set(graphFiles(prepared)), manifest(prepared)];
    const done = path.join(root, 'complete');
    await cp(prepared, done, { recursive: true });
    const run = studio(changed(done));
    expect(run.code, run.stderr).toBe(0);
    // The run patched the graph rather than writing it whole, and copied lines: the path the kills interrupt.
    expect(JSON.parse(run.stdout)[0].exports.copied).toBeGreaterThan(0);
    const entries = (JSON.parse(await readFile(path.join(done, 'manifest.json'), 'utf8')) as { graphs: GraphEntry[] }).graphs;
    expect(entries.some((g) => (g.patches?.length ?? 0) > 0)).toBe(true);
    complete = { state: await generatedState(done), datasets: await datasetDigests(path.join(done, 'out')) };
    expect(complete.state.triples[0]).not.toBe(first.triples[0]);
  }, 180_000);
  afterAll(async () => {
    // Not asserted: which states the kills landed in depends on the machine's speed.
    console.info(`kill -9 during generate --changed, states seen: ${landed.join(', ')}`);
    if (root) await rm(root, { recursive: true, force: true });
  });

  // While the datasets are written (the folder's record dropped), once the patch's first file is in graphs/, and once the manifest lists the patched graph (the datasets' record not yet written, or just).
  const moments: [string, (dataDir: string) => boolean][] = [
    ['writing the datasets', (dataDir) => !existsSync(path.join(dataDir, 'out', 'synthetic-policy', '.generation.json'))],
    ['patching the graph', (dataDir) => graphFiles(dataDir).some((f) => !preparedFiles.has(f))],
    ['switching the manifest', (dataDir) => manifest(dataDir) !== preparedManifest],
  ];

  it.each(moments)('while %s', async (moment, when) => {
    const dataDir = path.join(root, moment.replace(/ /g, '-'));
    await cp(prepared, dataDir, { recursive: true });
    await studioKilledAfter(changed(dataDir), 60_000, { when: () => when(dataDir) });
    const now = await generatedState(dataDir);
    expect(now.triples).toHaveLength(1);
    expect(now.counted).toEqual(now.triples);
    expect(now.pieces).toEqual([]);
    // Once opened, graphs/ holds the files the manifest lists and no other.
    expect(graphFiles(dataDir).sort()).toEqual(await listedFiles(dataDir));
    expect([first.triples[0], complete.state.triples[0]]).toContain(now.triples[0]);
    landed.push(`${moment}: ${now.triples[0] === first.triples[0] ? 'previous' : 'patched'}`);
    const again = studio(changed(dataDir));
    expect(again.code, again.stderr).toBe(0);
    const state = await generatedState(dataDir);
    expect(state.triples).toEqual(complete.state.triples);
    expect(state.counted).toEqual(complete.state.counted);
    expect(await datasetDigests(path.join(dataDir, 'out'))).toEqual(complete.datasets);
  });
});

/** The files of graphs/ a data folder's manifest lists (every graph's file, patches, index and facts). */
async function listedFiles(dataDir: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')) as { graphs: GraphEntry[] };
  return manifest.graphs.flatMap(entryFiles).sort();
}

/** The SHA-256 of every file of a datasets folder but the records (which say when they were written), by its path in the folder. */
async function datasetDigests(out: string): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const entry of await readdir(out, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === '.generation.json') continue;
    const file = path.join(entry.parentPath, entry.name);
    digests.set(path.relative(out, file), createHash('sha256').update(await readFile(file)).digest('hex'));
  }
  return new Map([...digests].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The state of a data folder's generated graphs once a process opens it: their manifest counts, their counted triples, and pieces left. */
async function generatedState(dataDir: string): Promise<{ triples: number[]; counted: number[]; pieces: string[] }> {
  const store = await EmbeddedStore.open({ dataDir });
  try {
    const graphs = await store.listDerivedGraphs();
    const counted = await Promise.all(
      graphs.map(async (g) => {
        const answer = await store.query(`SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${g.graph}> { ?s ?p ?o } }`);
        return answer.kind === 'rows' ? Number(answer.rows[0]!.n) : -1;
      }),
    );
    const pieces = (await readdir(path.join(dataDir, 'graphs'))).filter((f) => f.endsWith('.partial'));
    return { triples: graphs.map((g) => g.triples), counted, pieces };
  } finally {
    await store.close();
  }
}

/**
 * kill -9 in the middle of a run, at each moment that matters: the previous
 * generated graph or the new one, never a mix, no pieces left. Each moment
 * starts from a copy of one prepared folder (a 200-rule policy loaded and
 * generated with seed 1), instead of loading and generating again; the graph a
 * full seed-2 run writes is made once, in another copy.
 */
describe('studio generate killed with SIGKILL', () => {
  let root: string;
  let prepared: string;
  let first: Awaited<ReturnType<typeof generatedState>>;
  let full: Awaited<ReturnType<typeof generatedState>>;
  const landed: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'studio-generate-kill-'));
    prepared = path.join(root, 'prepared');
    const policy = path.join(root, 'policy.ttl');
    await writeSyntheticPolicy(200, policy);
    expect(studio(['load', '--no-validate', policy, '--data-dir', prepared]).code).toBe(0);
    const seed1 = studio(['generate', '--data-dir', prepared, '--seed', '1', '--json']);
    expect(seed1.code, seed1.stderr).toBe(0);
    first = await generatedState(prepared);
    // A graph a kill came too late to stop is the one a full run writes.
    const complete = path.join(root, 'complete');
    await cp(prepared, complete, { recursive: true });
    const seed2 = studio(['generate', '--data-dir', complete, '--seed', '2', '--json']);
    expect(seed2.code, seed2.stderr).toBe(0);
    full = await generatedState(complete);
    expect(full.counted).toEqual(full.triples);
  }, 120_000);
  afterAll(async () => {
    // Not asserted: which states the kills landed in depends on the machine's speed.
    console.info(`kill -9 during generate, states seen: ${landed.join(', ')}`);
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** The size of the run's piece file (graphs/<name>.<pid>.partial), or undefined before it exists and once it moved into place. */
  const partial = (graphs: string) => {
    const name = readdirSync(graphs).find((f) => f.endsWith('.partial'));
    try {
      return name === undefined ? undefined : statSync(path.join(graphs, name)).size;
    } catch {
      return undefined; // moved meanwhile
    }
  };
  // Kills at the moments that matter, whatever the machine's speed: while items are generated (the piece file
  // is open, empty), once pieces are being written, and as they move into place (the manifest switch).
  const moments: [string, (graphs: string, seen: { partial: boolean }) => boolean][] = [
    ['generating', (graphs) => partial(graphs) !== undefined],
    ['writing', (graphs) => (partial(graphs) ?? 0) > 0],
    ['moving into place', (graphs, seen) => ((seen.partial ||= partial(graphs) !== undefined) && partial(graphs) === undefined)],
  ];

  it.each(moments)('while %s', async (moment, when) => {
    const dataDir = path.join(root, moment.replace(/ /g, '-'));
    await cp(prepared, dataDir, { recursive: true });
    const graphs = path.join(dataDir, 'graphs');
    const seen = { partial: false };
    await studioKilledAfter(['generate', '--data-dir', dataDir, '--seed', '2'], 60_000, { when: () => when(graphs, seen) });
    const now = await generatedState(dataDir);
    // One generated graph, whose manifest entry and content agree, and no piece of the killed run left once the folder is opened.
    expect(now.triples).toHaveLength(1);
    expect(now.counted).toEqual(now.triples);
    expect(now.pieces).toEqual([]);
    expect([first.triples[0], full.triples[0]]).toContain(now.triples[0]);
    landed.push(`${moment}: ${now.triples[0] === first.triples[0] ? 'previous' : 'new'}`);
    // The killed run's folder takes a full run, which writes the graph a full run writes.
    const again = studio(['generate', '--data-dir', dataDir, '--seed', '2', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(await generatedState(dataDir)).toEqual(full);
  });
});
