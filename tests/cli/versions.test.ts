/**
 * studio versions, versions restore, export --version and diff/impact of
 * IRI@sha: a changed `studio load` keeps the version it replaces, on the
 * embedded store and on Neo4j.
 */

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { studio } from '../helpers/cli.js';
import { MINI } from '../store/store-spec.js';
import { neo4jAvailable, wipeNeo4j } from '../helpers/neo4j.js';

const neo4jUp = await neo4jAvailable();
const M = 'https://example.org/mini#';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Two editions of the mini policy in a folder: the second renames rule gifts-001's label. */
async function editions(): Promise<{ dir: string; v1: string; v2: string; text1: string; text2: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'studio-versions-'));
  const text1 = await readFile(MINI, 'utf8');
  const text2 = text1.replace('"No gifts from suppliers"', '"No gifts from vendors"');
  const [v1, v2] = [path.join(dir, 'mini-v1.ttl'), path.join(dir, 'mini-v2.ttl')];
  await writeFile(v1, text1);
  await writeFile(v2, text2);
  return { dir, v1, v2, text1, text2 };
}

const engines = [
  { name: 'embedded', args: (dir: string) => ['--data-dir', path.join(dir, 'data')], runIf: true },
  { name: 'neo4j', args: () => ['--store', 'neo4j'], runIf: neo4jUp },
];

describe.each(engines)('studio versions on the $name store', ({ name, args, runIf }) => {
  it.runIf(runIf)('lists the current and the replaced version, exports, diffs and restores a kept one', async () => {
    if (name === 'neo4j') await wipeNeo4j();
    const { dir, v1, v2, text1, text2 } = await editions();
    const store = args(dir);
    expect(studio(['load', ...store, v1]).code).toBe(0);
    expect(studio(['load', ...store, v1]).code).toBe(0);
    expect(studio(['load', ...store, v2]).code).toBe(0);
    const [s1, s2] = [sha(text1), sha(text2)];

    const listed = studio(['versions', ...store, '--policy', `${M}policy`, '--format', 'json']);
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as { sha256: string; current: boolean; loadedBy?: string; revisionOf?: string }[];
    expect(rows.map((r) => [r.sha256, r.current, r.revisionOf ?? null])).toEqual([
      [s2, true, s1],
      [s1, false, null],
    ]);
    expect(rows.every((r) => r.loadedBy === userInfo().username)).toBe(true);
    const table = studio(['versions', ...store]);
    expect(table.stdout).toMatch(new RegExp(`${s2.slice(0, 12)}\\s+current`));
    const ttl = studio(['versions', ...store, '--format', 'ttl']);
    expect(ttl.stdout).toContain(`prov:wasRevisionOf <urn:studio:policy-version:${s1}>`);

    // The kept version, byte for byte, by its first digits.
    const exported = studio(['export', ...store, '--version', s1.slice(0, 10)]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe(text1);
    expect(studio(['export', ...store, '--version', 'abcd']).code).toBe(2);

    const diff = studio(['diff', ...store, `${M}policy@${s1.slice(0, 8)}`, `${M}policy@current`, '--format', 'json']);
    expect(diff.code, diff.stderr).toBe(1);
    expect(JSON.parse(diff.stdout).rules.changed.map((c: { iri: string }) => c.iri)).toEqual([`${M}gifts-001`]);
    // A stored version against a file: the same content, no change.
    expect(studio(['diff', ...store, `${M}policy@${s1}`, v1]).code).toBe(0);
    const impact = studio(['impact', ...store, `${M}policy@${s1}`, `${M}policy@current`, '--format', 'json']);
    expect(impact.code, impact.stderr).toBe(1);
    expect(JSON.parse(impact.stdout).changedRules).toEqual([`${M}gifts-001`]);
    const missing = studio(['diff', ...store, `${M}policy@${'0'.repeat(12)}`, v1]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no kept version');

    const restored = studio(['versions', 'restore', ...store, `${M}policy@${s1.slice(0, 12)}`]);
    expect(restored.code, restored.stderr).toBe(0);
    const after = JSON.parse(studio(['versions', ...store, '--format', 'json']).stdout) as { sha256: string; current: boolean; revisionOf?: string }[];
    expect(after.map((r) => [r.sha256, r.current, r.revisionOf ?? null])).toEqual([
      [s1, true, s2],
      [s2, false, s1],
    ]);
    const rule = studio(['query', ...store, '--named', 'rule', '--param', `rule=${M}gifts-001`, '--json']);
    expect(rule.stdout).toContain('No gifts from suppliers');
    expect(rule.stdout).not.toContain('No gifts from vendors');
  }, 120_000);
});

describe('studio versions: keep and --version', () => {
  it('keeps STUDIO_KEEP_VERSIONS replaced versions', async () => {
    const { dir, text1 } = await editions();
    const store = ['--data-dir', path.join(dir, 'data')];
    for (const n of [1, 2, 3]) {
      const file = path.join(dir, `e${n}.ttl`);
      await writeFile(file, text1.replace('"Mini Code policy"', `"Mini Code policy, edition ${n}"`));
      expect(studio(['load', ...store, file], { STUDIO_KEEP_VERSIONS: '1' }).code).toBe(0);
    }
    const rows = JSON.parse(studio(['versions', ...store, '--format', 'json']).stdout) as { title: string }[];
    expect(rows.map((r) => r.title)).toEqual(['Mini Code policy, edition 3', 'Mini Code policy, edition 2']);
    const bad = studio(['versions', ...store], { STUDIO_KEEP_VERSIONS: '-1' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('STUDIO_KEEP_VERSIONS=-1');
  }, 60_000);

  it('prints the program version for --version without a command only', () => {
    expect(studio(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
