/** studio load: validates policies and loads them into the store, replacing earlier loads. */

import type { Command } from 'commander';
import { collectTurtleFiles } from '../../rdf/sources.js';
import { readTurtle } from '../../rdf/turtle.js';
import { PolicyInvalidError } from '../../errors.js';
import type { GraphStore, LoadedPolicy } from '../../store/graph-store.js';
import { checkIsolation, readUpload } from '../../store/policy-isolation.js';
import { withProgress } from '../progress.js';
import { formatReport, validateWithProgress } from '../validation-output.js';
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
      const loaded = await loadPolicies(store, files, { validate: options.validate });
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
 * Validates (unless told not to) and then loads each file; an invalid file stops before anything is stored.
 * A file that describes resources of another loaded policy is refused (PolicyIsolationError) when its turn comes.
 */
export async function loadPolicies(store: GraphStore, files: readonly string[], options: { validate: boolean }): Promise<LoadedPolicy[]> {
  if (options.validate) {
    const report = await validateWithProgress(files);
    if (!report.conforms) {
      process.stderr.write(formatReport(report));
      throw new PolicyInvalidError(files.join(', '), report.syntaxErrors.length + report.violations.length);
    }
  }
  const loaded: LoadedPolicy[] = [];
  for (const file of files) {
    const source = await readTurtle(file);
    // A policy may only describe its own resources; a reload of the same policy replaces it.
    await checkIsolation(store, readUpload(source));
    loaded.push(await withProgress(`loading ${file.split('/').pop()}`, (progress) => store.loadPolicy(source, progress)));
  }
  return loaded;
}
