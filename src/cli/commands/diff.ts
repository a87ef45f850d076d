/**
 * studio diff: what changed between two versions of a policy, rule by rule and
 * field by field. Exit 1 when anything changed, 0 when nothing did, 2 on bad
 * input (a missing file or revision, a syntax error, a shape violation), so
 * that CI can gate on it.
 */

import type { Command } from 'commander';
import { diffSnapshots, hasChanges } from '../../evolution/diff.js';
import { readSnapshot } from '../../evolution/snapshot.js';
import { parseTurtle } from '../../rdf/turtle.js';
import { DIFF_FORMATS, formatDiff, type DiffFormat } from '../../evolution/diff-format.js';
import { readVersion } from '../../evolution/version-source.js';
import { PolicyValidator } from '../../validation/validator.js';
import { InvalidOptionError } from '../../errors.js';

export interface VersionOptions {
  format: string;
  validate: boolean;
}

/** The arguments and options `studio diff` and `studio impact` share; a usage error exits 2 like any bad input. */
export function versionArguments(command: Command): Command {
  return command
    .argument('<old>', 'the old version: a Turtle file, or file@<git-rev> for the file at a git revision')
    .argument('<new>', 'the new version, likewise')
    .option('--format <format>', `output: ${DIFF_FORMATS.join(', ')}`, 'table')
    .option('--no-validate', 'skip the shapes (syntax is always checked)')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
}

/** The format option, checked. */
export function diffFormat(format: string): DiffFormat {
  if (!(DIFF_FORMATS as readonly string[]).includes(format)) throw new InvalidOptionError(`--format ${format}: give one of ${DIFF_FORMATS.join(', ')}`);
  return format as DiffFormat;
}

/** Reads and checks both versions (one validator for the two). */
export async function readBoth(oldSpec: string, newSpec: string, validate: boolean) {
  const validator = validate ? await PolicyValidator.create() : undefined;
  const before = await readVersion(oldSpec, { validate, ...(validator ? { validator } : {}) });
  const after = await readVersion(newSpec, { validate, ...(validator ? { validator } : {}) });
  return { before, after };
}

export function registerDiff(program: Command): void {
  versionArguments(
    program
      .command('diff')
      .description('compare two versions of a policy: provisions, sections and terms added, removed, renamed and changed field by field; exit 1 on any change, 0 on none, 2 on bad input'),
  ).action(async (oldSpec: string, newSpec: string, options: VersionOptions) => {
    const format = diffFormat(options.format);
    // Each version is read down to its snapshot before the next is parsed, so that two large versions' quads are
    // never held at once (a 100k-rule version is a million quads). The old one is parsed again only if terms or
    // sections were renamed.
    const validator = options.validate ? await PolicyValidator.create() : undefined;
    const snapshotOf = async (spec: string) => {
      const { source, quads } = await readVersion(spec, { validate: options.validate, ...(validator ? { validator } : {}) });
      return { source, snapshot: readSnapshot(quads) };
    };
    const before = await snapshotOf(oldSpec);
    const after = await snapshotOf(newSpec);
    const diff = diffSnapshots(before.snapshot, after.snapshot, (rename) => readSnapshot(parseTurtle(before.source), rename));
    process.stdout.write(formatDiff(diff, format));
    process.exitCode = hasChanges(diff) ? 1 : 0;
  });
}
