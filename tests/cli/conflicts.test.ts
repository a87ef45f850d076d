/** studio conflicts as a user runs it: the table, JSON, the exit codes a CI gate relies on, bad options. */

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { studio } from '../helpers/cli.js';
import { SAMPLE_POLICIES } from '../store/store-spec.js';

const tempDir = () => mkdtemp(path.join(tmpdir(), 'studio-conflicts-'));

describe('studio conflicts', () => {
  it('passes the sample policies: every conflict resolved, every documented one as intended, exit 0', async () => {
    const dataDir = await tempDir();
    expect(studio(['load', ...SAMPLE_POLICIES, '--data-dir', dataDir]).code).toBe(0);
    const result = studio(['conflicts', '--data-dir', dataDir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^conf-001 +rep-018 +definite +explicitOverride +rep-018 +agrees$/m);
    expect(result.stdout).toContain('unresolved 0');
    expect(result.stdout).toContain('documented: 13, of which 13 found and resolved as documented');

    const json = JSON.parse(studio(['conflicts', '--data-dir', dataDir, '--json', '--no-write']).stdout);
    expect(json.conflicts.length).toBeGreaterThan(10);
    expect(json.documented.every((d: { status: string }) => d.status === 'agrees')).toBe(true);
    expect(json.precedence).toEqual(['explicitOverride', 'lexSuperior', 'lexSpecialis', 'lexPosterior']);
  }, 60_000);

  it('exits 1 when an order of principles leaves conflicts unresolved or resolved against the documentation', async () => {
    const dataDir = await tempDir();
    studio(['load', ...SAMPLE_POLICIES, '--data-dir', dataDir]);
    const result = studio(['conflicts', '--data-dir', dataDir, '--precedence', 'lexPosterior']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('UNRESOLVED');
    expect(result.stdout).toContain('Documented conflicts not found or not resolved as documented:');
    // The same order from the environment, as a CI job would set it.
    expect(studio(['conflicts', '--data-dir', dataDir, '--no-write'], { STUDIO_PRECEDENCE: 'lexPosterior' }).code).toBe(1);
  }, 60_000);

  it('exits 1 on exception defects, naming each', async () => {
    const dataDir = await tempDir();
    // The fixture breaks the shapes on purpose (an exception to nothing), so it is loaded unvalidated.
    expect(studio(['load', 'tests/fixtures/defects-policy.ttl', '--no-validate', '--data-dir', dataDir]).code).toBe(0);
    const result = studio(['conflicts', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('error: x6 is an exception to r99, which is no rule or exception');
    expect(result.stdout).toContain('error: r4 reaches itself through studio:overrides');
    expect(result.stdout).toContain('notice: x2 is an exception to x1: when both apply, r1 applies again');
  }, 60_000);

  it.each([
    [['--precedence', 'lexSuperior,lexFavourite'], "'lexFavourite' is not a precedence principle"],
    [['--precedence', 'lexSuperior,lexSuperior'], 'names a principle twice'],
    [['--policy', 'https://example.org/none#policy'], 'No policy <https://example.org/none#policy> is loaded'],
  ])('refuses %j with exit 2 and says why', async (args, message) => {
    const dataDir = await tempDir();
    const result = studio(['conflicts', '--data-dir', dataDir, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
