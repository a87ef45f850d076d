/** studio validate: checks Turtle syntax and the shapes; exit 0 valid, 1 invalid. */

import type { Command } from 'commander';
import { collectTurtleFiles } from '../../rdf/sources.js';
import { PolicyValidator, type ValidationReport } from '../../validation/validator.js';
import { printJson } from '../output.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check policies for Turtle syntax errors and shape violations (exit 0 valid, 1 invalid)')
    .argument('<paths...>', 'Turtle files, or folders searched for .ttl files')
    .option('--json', 'print the report as JSON')
    .action(async (paths: string[], options: { json?: boolean }) => {
      const files = await collectTurtleFiles(paths);
      const report = await (await PolicyValidator.create()).validateFiles(files);
      if (options.json) printJson(reportToJson(report));
      else process.stdout.write(formatReport(report));
      process.exitCode = report.conforms ? 0 : 1;
    });
}

export function reportToJson(report: ValidationReport) {
  return {
    conforms: report.conforms,
    files: report.files,
    triples: report.triples,
    syntaxErrors: report.syntaxErrors.map((e) => ({ file: e.file, line: e.line, column: e.column, message: e.detail })),
    violations: report.violations,
  };
}

/** The report as a knowledge engineer reads it: one block per problem, file:line first. */
export function formatReport(report: ValidationReport): string {
  const lines: string[] = [];
  for (const error of report.syntaxErrors) lines.push(`${error.file}:${error.line}:${error.column}: syntax error: ${error.detail}`);
  for (const v of report.violations) {
    const place = v.file ? `${v.file}:${v.line ?? 1}: ` : '';
    const where = [v.focusNode, v.path, v.value ? `value ${v.value}` : undefined, v.section ? `section ${v.section}` : undefined]
      .filter(Boolean)
      .join('  ');
    lines.push(`${place}${v.severity}: ${where}\n    ${v.message}`);
  }
  const files = `${report.files.length} file${report.files.length === 1 ? '' : 's'}`;
  if (report.conforms) lines.push(`valid: ${files}, ${report.triples} triples, no violations`);
  else if (report.syntaxErrors.length > 0) lines.push(`invalid: ${report.syntaxErrors.length} syntax error(s) in ${files}`);
  else lines.push(`invalid: ${report.violations.length} violation(s) in ${files}`);
  return lines.join('\n') + '\n';
}
