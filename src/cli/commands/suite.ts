/**
 * studio suite: test cases from outside the studio. `import` reads a
 * promptfoo suite (YAML), JSON Lines or CSV, ties each case to the rules it
 * tests and writes an evaluation suite `studio audit run` runs.
 */

import path from 'node:path';
import type { Command } from 'commander';
import { resolveConfig } from '../../config.js';
import { defaultImportOut, importSuite, type SuiteImport } from '../../auditors/suite-import/import-suite.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { printJson } from '../output.js';

interface ImportOptions extends StoreOptions {
  policy?: string;
  out?: string;
  acceptSuggestions?: boolean;
  mapping?: string;
  json?: boolean;
}

export function registerSuite(program: Command): void {
  const suite = program.command('suite').description('test cases from outside the studio: promptfoo suites, JSON Lines, spreadsheets');

  storeOptions(
    suite
      .command('import <file>')
      .description('import test cases (promptfoo YAML, JSONL or CSV) as scenarios of a policy, each tied to the rules it tests')
      .option('--policy <iri>', 'the policy the cases test (default: the only one loaded)')
      .option('--out <suite.jsonl>', 'where the suite goes (default <data-dir>/imported/<name>.eval.jsonl)')
      .option('--accept-suggestions', 'tie cases that name no rule to the rules suggested from the terms they mention')
      .option('--mapping <file>', 'the mapping file an earlier import wrote, with the rules checked by you')
      .option('--json', 'print the outcome as JSON'),
  ).action(async (file: string, options: ImportOptions) => {
    const config = resolveConfig(options.dataDir ? { dataDir: options.dataDir } : {});
    const store = await openStore(options);
    try {
      const { records: _records, ...outcome } = await importSuite({
        store,
        file,
        out: options.out ?? defaultImportOut(config.dataDir, file),
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.acceptSuggestions ? { acceptSuggestions: true } : {}),
        ...(options.mapping ? { mapping: options.mapping } : {}),
      });
      if (options.json) printJson(outcome);
      else process.stdout.write(formatImport(outcome));
      // Nothing imported while suggestions wait for the user.
      if (outcome.mappingWritten) process.exitCode = 1;
    } finally {
      await store.close();
    }
  });
}

/** A path as the user would type it: relative to the working folder when it lies inside it. */
function shown(p: string): string {
  const relative = path.relative(process.cwd(), p);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : p;
}

export function formatImport(o: SuiteImport): string {
  const file = o.source.file;
  const [suite, answers, mapping] = [o.suite && shown(o.suite), o.answers && shown(o.answers), o.mappingWritten && shown(o.mappingWritten)];
  if (o.mappingWritten) {
    return [
      `${file}: ${o.awaiting} case(s) name no rule; nothing was imported.`,
      `Suggested rules are in ${mapping}. Check them, then run either`,
      `  studio suite import ${file} --mapping ${mapping}`,
      `  studio suite import ${file} --accept-suggestions   (takes the suggestions as they are)`,
      '',
    ].join('\n');
  }
  const from = (s: string) => o.imported.filter((c) => c.rulesFrom === s).length;
  const out = [
    `${file} (sha256 ${o.source.sha256.slice(0, 12)}…): ${o.imported.length} case(s) imported for ${o.policy}` + (suite ? ` into ${suite}` : ''),
    `rules named in the file: ${from('file')}, from the mapping file: ${from('mapping')}, accepted suggestions: ${from('suggestion')}`,
  ];
  if (o.graph) out.push(`scenarios in the graph: ${o.graph.graph} (${o.graph.triples} triples), with their file, line and SHA-256`);
  if (o.uncovered.length > 0) {
    out.push(`${o.uncovered.length} case(s) no rule covers (listed, not imported):`);
    for (const u of o.uncovered) out.push(`  ${file}:${u.line}: ${JSON.stringify(u.text)}`);
  }
  if (o.ungraded.length > 0) {
    out.push(`${o.ungraded.length} assertion(s) of a type the studio does not grade (listed, not kept; their cases are graded on their other asserts):`);
    for (const u of o.ungraded) out.push(`  ${file}:${u.line}: ${u.type}`);
  }
  if (suite) out.push(`Run them: studio audit run --suite ${suite}`);
  if (answers && suite) out.push(`Grade the answers given with them: studio audit grade ${answers} --suite ${suite}`);
  return out.join('\n') + '\n';
}
