/** studio generate as a user runs it: load, generate with datasets, a JSON summary; bad options are clear errors. */

import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { studio, studioKilledAfter } from '../helpers/cli.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
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
    expect((await readdir(summary.exports.folder)).sort()).toEqual(['chat.jsonl', 'eval.jsonl', 'instructlab', 'preference.jsonl', 'promptfooconfig.yaml']);
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
    expect(broken.stdout).toMatch(/check: \d+ findings/);
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

  it('survives kill -9 in the middle of a run: the previous generated graph or the new one, never a mix, no pieces left', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'studio-generate-kill-'));
    const dataDir = path.join(dir, 'data');
    const policy = path.join(dir, 'policy.ttl');
    await writeSyntheticPolicy(200, policy);
    expect(studio(['load', '--no-validate', policy, '--data-dir', dataDir]).code).toBe(0);
    const state = async () => {
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
    };
    const seed1 = studio(['generate', '--data-dir', dataDir, '--seed', '1', '--json']);
    expect(seed1.code, seed1.stderr).toBe(0);
    const first = await state();
    const graphs = path.join(dataDir, 'graphs');
    /** The size of the run's piece file (graphs/<name>.<pid>.partial), or undefined before it exists and once it moved into place. */
    const partial = () => {
      const name = readdirSync(graphs).find((f) => f.endsWith('.partial'));
      try {
        return name === undefined ? undefined : statSync(path.join(graphs, name)).size;
      } catch {
        return undefined; // moved meanwhile
      }
    };
    // Kills at the moments that matter, whatever the machine's speed: while items are generated (the piece file
    // is open, empty), once pieces are being written, and as they move into place (the manifest switch).
    let seenPartial = false;
    const moments: [string, () => boolean][] = [
      ['generating', () => partial() !== undefined],
      ['writing', () => (partial() ?? 0) > 0],
      ['moving into place', () => ((seenPartial ||= partial() !== undefined) && partial() === undefined)],
    ];
    const landed: { moment: string; triples: number }[] = [];
    for (const [moment, when] of moments) {
      seenPartial = false;
      await studioKilledAfter(['generate', '--data-dir', dataDir, '--seed', '2'], 60_000, { when });
      const now = await state();
      // One generated graph, whose manifest entry and content agree, and no piece of the killed run left once the folder is opened.
      expect(now.triples, moment).toHaveLength(1);
      expect(now.counted, moment).toEqual(now.triples);
      expect(now.pieces, moment).toEqual([]);
      landed.push({ moment, triples: now.triples[0]! });
    }
    // A graph a kill came too late to stop is the one a full run writes.
    const seed2 = studio(['generate', '--data-dir', dataDir, '--seed', '2', '--json']);
    expect(seed2.code, seed2.stderr).toBe(0);
    const full = await state();
    expect(full.counted).toEqual(full.triples);
    for (const { triples } of landed) expect([first.triples[0], full.triples[0]]).toContain(triples);
    const seen = landed.map(({ moment, triples }) => `${moment}: ${triples === first.triples[0] ? 'previous' : 'new'}`);
    // Not asserted: which states the kills landed in depends on the machine's speed.
    console.info(`kill -9 during generate, states seen: ${seen.join(', ')}`);
  });
});
