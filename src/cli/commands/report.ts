/**
 * studio report: a provenance report of a policy's audits, for auditors
 * (HTML, Markdown, JSON-LD or PDF), and `studio report verify`, which tells
 * whether the results a report summarises were altered or removed since.
 */

import { Option, type Command } from 'commander';
import { resolveConfig } from '../../config.js';
import { auditsDir } from '../../auditors/audit-run.js';
import { buildReportData } from '../../reports/report-data.js';
import { formatVerification, verifyReport } from '../../reports/verify-report.js';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../reports/write-report.js';
import { writeDurably } from '../../store/data-folder.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { printJson } from '../output.js';
import { InvalidOptionError } from '../../errors.js';
import { commaList } from '../option-values.js';

interface ReportOptions extends StoreOptions {
  policy?: string;
  runs?: string;
  format: ReportFormat;
  out?: string;
}

export function registerReport(program: Command): void {
  const report = storeOptions(
    program
      .command('report')
      .description('write a provenance report of a policy and its audit runs (html, md, jsonld or pdf); `studio report verify <file>` checks its results are intact')
      .option('--policy <iri>', 'the policy (required)')
      .option('--runs <ids>', 'audit runs, comma-separated, in the order to show them (default: every finished run of the policy, oldest first)')
      .addOption(new Option('--format <format>', 'html, md, jsonld or pdf (pdf needs Chromium)').choices(REPORT_FORMATS).default('html'))
      .option('--out <file>', 'the file to write (required)'),
  ).action(async (options: ReportOptions) => {
    // Checked here, not by commander, so that `studio report verify` does not ask for them.
    if (!options.policy) throw new InvalidOptionError("studio report: --policy <iri> is required ('studio stats' lists the loaded policies)");
    if (!options.out) throw new InvalidOptionError('studio report: --out <file> is required');
    const config = resolveConfig(options.dataDir ? { dataDir: options.dataDir } : {});
    const store = await openStore(options);
    try {
      const data = await buildReportData({
        store,
        auditsDir: auditsDir(config.dataDir),
        policy: options.policy,
        ...(options.runs ? { runs: commaList(options.runs) } : {}),
      });
      await writeDurably(options.out, await renderReport(data, options.format, store));
      const results = data.runs.reduce((sum, r) => sum + r.results.length, 0);
      process.stdout.write(`${options.out}: ${options.format} report of ${data.rules.length} provisions, ${data.runs.length} run(s), ${results} result(s); digest of ${data.runs.map((r) => `${r.manifest.id} (${r.digest.results.lines} lines, head ${r.digest.results.head.slice(0, 12)})`).join(', ')}\n`);
    } finally {
      await store.close();
    }
  });

  report
    .command('verify <file>')
    .description('re-read the journals a report summarises and say, per run, whether its results are intact, altered (at which line) or removed; exits 1 unless all are intact')
    .option('--data-dir <folder>', 'the data folder holding the runs (default ./data, or STUDIO_DATA_DIR)')
    .option('--json', 'print the verification as JSON')
    .action(async (file: string, _options: unknown, command: Command) => {
      // --data-dir may be parsed by `studio report`, which has the same option.
      const options = command.optsWithGlobals<{ dataDir?: string; json?: boolean }>();
      const config = resolveConfig(options.dataDir ? { dataDir: options.dataDir } : {});
      const dir = auditsDir(config.dataDir);
      const verification = await verifyReport(file, dir);
      if (options.json) printJson(verification);
      else process.stdout.write(formatVerification(verification, dir));
      process.exitCode = verification.ok ? 0 : 1;
    });
}
