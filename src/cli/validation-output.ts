/** Validation as the CLI shows it: with a progress bar, as text for a person, or as JSON. */

import { PolicyValidator, type ValidationReport } from '../validation/validator.js';
import { withProgress } from './progress.js';

/** Validates files with a progress bar (one step per shape). */
export async function validateWithProgress(files: readonly string[]): Promise<ValidationReport> {
  const validator = await PolicyValidator.create();
  return withProgress('validating', (progress) => validator.validateFiles(files, progress));
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
