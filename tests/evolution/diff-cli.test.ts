/** studio diff as CI runs it: exit 1 on a change, 0 on none, 2 on bad input; files or file@git-rev; three formats. */

import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { studio } from '../helpers/cli.js';

const OLD = 'examples/evolution/telemarketing-sales-rule-2023.ttl';
const NEW = 'examples/evolution/telemarketing-sales-rule-2024.ttl';

describe('studio diff', () => {
  let repo: string;
  beforeAll(async () => {
    // A repository with the policy at two revisions: the 2023 edition, then the 2024 one.
    repo = await mkdtemp(path.join(tmpdir(), 'studio-diff-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: repo });
    git('init', '-q');
    await copyFile(OLD, path.join(repo, 'tsr.ttl'));
    git('add', 'tsr.ttl');
    git('commit', '-qm', '2023');
    await copyFile(NEW, path.join(repo, 'tsr.ttl'));
    git('commit', '-qam', '2024');
  });

  it('exits 1 and lists the changes between two files', () => {
    const result = studio(['diff', OLD, NEW]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/rules\s+added\s+keep-call-records/);
    expect(result.stdout).toMatch(/keep-records\s+condition\s+recordAge <= 24 months\s+recordAge <= 5 years/);
    expect(result.stdout).toContain('rules: 1 added, 0 removed, 0 renamed, 3 changed');
  });

  it('exits 0 when nothing changed, comparing a file with itself at HEAD', () => {
    const result = studio(['diff', `${repo}/tsr.ttl@HEAD`, `${repo}/tsr.ttl`, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).rules).toEqual({ added: [], removed: [], renamed: [], changed: [] });
  });

  it('reads a file at a git revision, and writes Markdown', () => {
    const result = studio(['diff', `${repo}/tsr.ttl@HEAD~1`, `${repo}/tsr.ttl@HEAD`, '--format', 'markdown', '--no-validate']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('| rules | added | keep-call-records |');
    expect(result.stdout).toContain('| rules | changed | business-exemption | exceptionTo | - no-false-statement, no-misrepresentation |  |');
  });

  it('follows a renamed term: one change, no rule changed', async () => {
    const renamed = path.join(repo, 'renamed.ttl');
    await writeFile(renamed, (await readFile(NEW, 'utf8')).replaceAll('tsr:techSupport', 'tsr:technicalSupport'));
    const result = studio(['diff', NEW, renamed, '--format', 'json', '--no-validate']);
    expect(result.code, result.stderr).toBe(1);
    const diff = JSON.parse(result.stdout);
    expect(diff.terms.renamed).toEqual([{ from: 'https://example.org/16cfr310#techSupport', to: 'https://example.org/16cfr310#technicalSupport', changes: [] }]);
    expect(diff.rules).toEqual({ added: [], removed: [], renamed: [], changed: [] });
  });

  it('exits 2 on bad input: an unknown revision, a syntax error (file:line), a shape violation, a bad format', async () => {
    const revision = studio(['diff', `${repo}/tsr.ttl@no-such-rev`, NEW]);
    expect(revision.code).toBe(2);
    expect(revision.stderr).toContain(`${repo}/tsr.ttl@no-such-rev: cannot read`);

    const broken = path.join(repo, 'broken.ttl');
    await writeFile(broken, '@prefix studio: <https://w3id.org/alignment-studio/ns#> .\n<https://e.org/p> a studio:Policy\n<https://e.org/r> a studio:Rule .\n');
    const syntax = studio(['diff', OLD, broken]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(new RegExp(`${broken}:3:\\d+: `));

    const invalid = path.join(repo, 'invalid.ttl');
    await writeFile(invalid, '@prefix studio: <https://w3id.org/alignment-studio/ns#> .\n<https://e.org/p> a studio:Policy .\n<https://e.org/r> a studio:Prohibition ; studio:inPolicy <https://e.org/p> .\n');
    const shapes = studio(['diff', invalid, NEW]);
    expect(shapes.code).toBe(2);
    expect(shapes.stderr).toContain(`${invalid}:3: violation`);
    expect(shapes.stderr).toContain('nothing was compared');

    expect(studio(['diff', OLD, NEW, '--format', 'yaml']).code).toBe(2);
    expect(studio(['diff', OLD]).code).toBe(2);
  });
});
