/** studio generate as a user runs it: load, generate with datasets, a JSON summary; bad options are clear errors. */

import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { studio } from '../helpers/cli.js';

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
