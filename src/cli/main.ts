#!/usr/bin/env node
/** The studio command: one subcommand per job, help on each. */

import { Command } from 'commander';
import { StudioError } from '../errors.js';
import { registerValidate } from './commands/validate.js';
import { registerLoad } from './commands/load.js';
import { registerQuery } from './commands/query.js';
import { registerStats } from './commands/stats.js';
import { registerExport } from './commands/export.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerConflicts } from './commands/conflicts.js';
import { registerGenerate } from './commands/generate.js';
import { registerAudit } from './commands/audit.js';
import { registerTrain } from './commands/train.js';
import { registerReport } from './commands/report.js';
import { registerSuite } from './commands/suite.js';

const program = new Command();
program
  .name('studio')
  .description('Alignment Studio: align an LLM chatbot to a regulation modelled as a policy graph')
  .version('0.1.0')
  .showHelpAfterError();

registerRun(program);
registerValidate(program);
registerLoad(program);
registerQuery(program);
registerStats(program);
registerConflicts(program);
registerGenerate(program);
registerExport(program);
registerSuite(program);
registerAudit(program);
registerTrain(program);
registerReport(program);
registerServe(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof StudioError) {
    process.stderr.write(`studio: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    throw error;
  }
}
