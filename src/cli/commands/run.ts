/** studio run: the main job — validate the policies, load them into the store, summarise them. */

import type { Command } from 'commander';
import { collectTurtleFiles } from '../../rdf/sources.js';
import { loadRecord, loadPolicies } from './load.js';
import { formatReport } from '../validation-output.js';
import type { ValidationReport } from '../../validation/validator.js';
import { collectStats, formatStats } from './stats.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { resolveConfig } from '../../config.js';
import { formatConflicts, runConflicts } from './conflicts.js';
import { formatGeneration, runGeneration } from './generate.js';
import { auditStatuses, formatAuditStatus } from './audit.js';

export function registerRun(program: Command): void {
  storeOptions(
    program
      .command('run')
      .description('the main job: validate the policies, load them, summarise them, detect conflicts, generate data and report its coverage, and show where audits stand')
      .argument('[paths...]', 'Turtle files or folders', ['policies']),
  ).action(async (paths: string[], options: StoreOptions) => {
    const files = await collectTurtleFiles(paths);
    process.stdout.write(`1. Validate ${files.join(', ')}\n`);
    const store = await openStore(options);
    try {
      // Each file is parsed once: validated, then loaded (an invalid one stops before anything is stored).
      const report = (report: ValidationReport) => {
        process.stdout.write(formatReport(report));
        if (report.conforms) process.stdout.write(`\n2. Load into the ${store.engine} store\n`);
      };
      for (const policy of await loadPolicies(store, files, { validate: true, report, ...loadRecord() })) {
        process.stdout.write(`loaded ${policy.policy} (${policy.triples} triples) from ${policy.source}\n`);
      }
      process.stdout.write('\n3. Summary\n');
      process.stdout.write(formatStats(await collectStats(store)));
      // The main job shows the conflicts and records them; it is 'studio conflicts' that gates on them.
      process.stdout.write('\n4. Conflicts between rules\n');
      const { precedence } = resolveConfig();
      process.stdout.write(formatConflicts(await runConflicts(store, { precedence, write: true })));
      // After conflicts, so that conflict scenarios follow the resolutions just recorded.
      process.stdout.write('\n5. Generated data and its coverage\n');
      process.stdout.write(formatGeneration(await runGeneration(store, { seed: 1 })));
      // Audits need a model to talk to; the main job shows where they stand.
      process.stdout.write('\n6. Audits\n');
      process.stdout.write(formatAuditStatus(await auditStatuses(store)));
    } finally {
      await store.close();
    }
  });
}
