/** studio load: validates policies and loads them into the store, replacing earlier loads. */

import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { resolveConfig } from '../../config.js';
import { collectTurtleFiles } from '../../rdf/sources.js';
import { parseTurtle, readTurtle, type TurtleSource } from '../../rdf/turtle.js';
import { PolicyDeclarationError, PolicyInvalidError, TurtleSyntaxError } from '../../errors.js';
import type { GraphStore, LoadedPolicy, LoadOptions } from '../../store/graph-store.js';
import { checkIsolation } from '../../store/policy-isolation.js';
import { PolicyValidator, type ValidationReport } from '../../validation/validator.js';
import { preparePolicy, type CheckedPolicy } from '../../validation/upload-check.js';
import { withProgress } from '../progress.js';
import { formatReport } from '../validation-output.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { formatTable, printJson } from '../output.js';

export function registerLoad(program: Command): void {
  storeOptions(
    program
      .command('load')
      .description('validate policies and load them into the store (a reload replaces the earlier version)')
      .argument('<paths...>', 'Turtle files, or folders searched for .ttl files')
      .option('--no-validate', 'skip the shapes (syntax is always checked)')
      .option('--json', 'print what was loaded as JSON'),
  ).action(async (paths: string[], options: StoreOptions & { validate: boolean; json?: boolean }) => {
    const files = await collectTurtleFiles(paths);
    const store = await openStore(options);
    try {
      const loaded = await loadPolicies(store, files, { validate: options.validate, ...loadRecord() });
      if (options.json) printJson(loaded);
      else {
        process.stdout.write(
          formatTable(
            ['policy', 'triples', 'source'],
            loaded.map((p) => [p.policy, p.triples, p.source]),
          ) + '\n',
        );
      }
    } finally {
      await store.close();
    }
  });
}

/**
 * Reads and parses each file once: validates them together (unless told not
 * to; an invalid file stops before anything is stored), then loads each,
 * handing the store the parsed triples. A file that describes resources of
 * another loaded policy is refused (PolicyIsolationError) when its turn comes.
 * `report` sees the validation report (by default an invalid one goes to stderr).
 */
export async function loadPolicies(
  store: GraphStore,
  files: readonly string[],
  options: { validate: boolean; report?: (report: ValidationReport) => void } & LoadOptions,
): Promise<LoadedPolicy[]> {
  const prepared = new Map<string, { source: TurtleSource; outcome: ReturnType<typeof preparePolicy> }>();
  if (options.validate) {
    const sources: TurtleSource[] = [];
    for (const file of files) sources.push(await readTurtle(file));
    const validator = await PolicyValidator.create();
    const report = await withProgress('validating', (progress) =>
      validator.validateSources(sources, progress, (source, quads) => prepared.set(source.file, { source, outcome: preparePolicy(source, quads) })),
    );
    if (options.report) options.report(report);
    else if (!report.conforms) process.stderr.write(formatReport(report));
    if (!report.conforms) throw new PolicyInvalidError(files.join(', '), report.syntaxErrors.length + report.violations.length);
  }
  const loaded: LoadedPolicy[] = [];
  for (const file of files) {
    const source = prepared.get(file)?.source ?? (await readTurtle(file));
    const checked = toChecked(prepared.get(file)?.outcome ?? preparePolicy(source, parseTurtle(source)));
    prepared.delete(file);
    // A policy may only describe its own resources; a reload of the same policy replaces it.
    await checkIsolation(store, file, checked);
    loaded.push(await withProgress(`loading ${file.split('/').pop()}`, (progress) => store.loadPolicy(source, progress, checked, { ...(options.loadedBy ? { loadedBy: options.loadedBy } : {}), ...(options.keepVersions !== undefined ? { keepVersions: options.keepVersions } : {}) })));
  }
  return loaded;
}

/**
 * How a load from the command line is recorded: the user it runs as (who
 * loaded each version) and the configured number of replaced versions kept.
 */
export function loadRecord(): Required<LoadOptions> {
  return { loadedBy: commandLineUser(), keepVersions: resolveConfig().versions.keep };
}

/** The user the studio runs as; a user without a name (a container's uid) by its number. */
function commandLineUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

/** The prepared policy, or the error that refuses its file. */
export function toChecked(prepared: ReturnType<typeof preparePolicy>): CheckedPolicy {
  switch (prepared.kind) {
    case 'valid':
      return prepared;
    case 'declaration':
      throw new PolicyDeclarationError(prepared.file, prepared.found);
    case 'syntax':
      throw new TurtleSyntaxError(prepared.file, prepared.line, prepared.column, prepared.detail);
  }
}
