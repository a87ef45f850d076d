/**
 * studio diff: what changed between two versions of a policy, rule by rule and
 * field by field. Exit 1 when anything changed, 0 when nothing did, 2 on bad
 * input (a missing file or revision, a syntax error, a shape violation), so
 * that CI can gate on it.
 */

import type { Command } from 'commander';
import { diffSnapshots, hasChanges } from '../../evolution/diff.js';
import { readSnapshot } from '../../evolution/snapshot.js';
import { checkTurtleSyntax, parseTurtle, type TurtleSource } from '../../rdf/turtle.js';
import { fastDiff } from '../../evolution/fast-diff.js';
import { DIFF_FORMATS, formatDiff, type DiffFormat } from '../../evolution/diff-format.js';
import { readVersion, readVersionSource, type StoredVersionReader } from '../../evolution/version-source.js';
import { readStoredVersion } from '../../evolution/stored-versions.js';
import type { GraphStore } from '../../store/graph-store.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { PolicyValidator } from '../../validation/validator.js';
import { InvalidOptionError } from '../../errors.js';

export interface VersionOptions extends StoreOptions {
  format: string;
  validate: boolean;
}

/** The arguments and options `studio diff` and `studio impact` share; a usage error exits 2 like any bad input. */
export function versionArguments(command: Command): Command {
  return storeOptions(
    command
      .argument('<old>', 'the old version: a Turtle file, file@<git-rev> for the file at a git revision, or IRI@<sha> / IRI@current for a version the store keeps')
      .argument('<new>', 'the new version, likewise')
      .option('--format <format>', `output: ${DIFF_FORMATS.join(', ')}`, 'table')
      .option('--no-validate', 'skip the shapes (syntax is always checked)'),
  ).exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
}

/**
 * Reads versions the store keeps (IRI@sha, IRI@current), opening the store
 * the options name only when a version asks for it; close() closes it.
 */
export function storedVersions(options: StoreOptions): { read: StoredVersionReader; close: () => Promise<void> } {
  let store: Promise<GraphStore> | undefined;
  return {
    read: async (policy, ref) => (await readStoredVersion(await (store ??= openStore(options)), policy, ref)).source,
    close: async () => {
      if (store) await (await store).close();
    },
  };
}

/** The format option, checked. */
export function diffFormat(format: string): DiffFormat {
  if (!(DIFF_FORMATS as readonly string[]).includes(format)) throw new InvalidOptionError(`--format ${format}: give one of ${DIFF_FORMATS.join(', ')}`);
  return format as DiffFormat;
}

/** Reads and checks both versions (one validator for the two). */
export async function readBoth(oldSpec: string, newSpec: string, validate: boolean, stored?: StoredVersionReader) {
  const validator = validate ? await PolicyValidator.create() : undefined;
  const before = await readVersion(oldSpec, { validate, ...(validator ? { validator } : {}), ...(stored ? { stored } : {}) });
  const after = await readVersion(newSpec, { validate, ...(validator ? { validator } : {}), ...(stored ? { stored } : {}) });
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
    if (!options.validate) {
      // Without the shapes, only what differs between the two texts is read (evolution/fast-diff.ts), once the syntax of both is checked.
      const stored = storedVersions(options);
      let sources: [TurtleSource, TurtleSource];
      try {
        sources = [await readVersionSource(oldSpec, stored.read), await readVersionSource(newSpec, stored.read)];
      } finally {
        await stored.close();
      }
      // The old text's syntax whole; the new one's changed statements are parsed by fastDiff, the rest being the old text's.
      await checkTurtleSyntax(sources[0]);
      let fast;
      try {
        fast = fastDiff(sources[0].text, sources[1].text);
      } catch {
        fast = undefined; // a syntax error in the new text: read whole below, it is named with its line
      }
      const diff = fast ?? diffSnapshots(readSnapshot(parseTurtle(sources[0])), readSnapshot(parseTurtle(sources[1])), (rename) => readSnapshot(parseTurtle(sources[0]), rename));
      process.stdout.write(formatDiff(diff, format));
      process.exitCode = hasChanges(diff) ? 1 : 0;
      return;
    }
    const validator = options.validate ? await PolicyValidator.create() : undefined;
    const stored = storedVersions(options);
    const snapshotOf = async (spec: string) => {
      const { source, quads } = await readVersion(spec, { validate: options.validate, ...(validator ? { validator } : {}), stored: stored.read });
      return { source, snapshot: readSnapshot(quads) };
    };
    let before, after;
    try {
      before = await snapshotOf(oldSpec);
      after = await snapshotOf(newSpec);
    } finally {
      await stored.close();
    }
    const diff = diffSnapshots(before.snapshot, after.snapshot, (rename) => readSnapshot(parseTurtle(before.source), rename));
    process.stdout.write(formatDiff(diff, format));
    process.exitCode = hasChanges(diff) ? 1 : 0;
  });
}
