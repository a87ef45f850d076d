/** studio validate: checks Turtle syntax and the shapes; exit 0 valid, 1 invalid. */

import type { Command } from 'commander';
import { collectTurtleFiles } from '../../rdf/sources.js';
import { formatReport, reportToJson, validateWithProgress } from '../validation-output.js';
import { printJson } from '../output.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check policies for Turtle syntax errors and shape violations (exit 0 valid, 1 invalid)')
    .argument('<paths...>', 'Turtle files, or folders searched for .ttl files')
    .option('--json', 'print the report as JSON')
    .action(async (paths: string[], options: { json?: boolean }) => {
      const files = await collectTurtleFiles(paths);
      const report = await validateWithProgress(files);
      if (options.json) printJson(reportToJson(report));
      else process.stdout.write(formatReport(report));
      process.exitCode = report.conforms ? 0 : 1;
    });
}

