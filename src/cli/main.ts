#!/usr/bin/env node
/**
 * The studio command: one subcommand per job, help on each. Only the module
 * of the command asked for is loaded (a store, a validator, a server each
 * take a while to load), so `studio --help` lists the commands from the
 * table below without loading any of them.
 */

import { Command } from 'commander';
import { StudioError } from '../errors.js';

type Register = (program: Command) => void;

/** Every command: its name, the line `studio --help` shows, and how to load it. */
const COMMANDS: readonly { name: string; summary: string; load: () => Promise<Register> }[] = [
  { name: 'run', summary: 'the main job: validate, load, summarise, find conflicts, generate, show audits', load: async () => (await import('./commands/run.js')).registerRun },
  { name: 'ingest', summary: 'draft a policy from a regulation (text, Markdown, PDF, DOCX, HTML); ingest review accepts, edits, rejects drafts', load: async () => (await import('./commands/ingest.js')).registerIngest },
  { name: 'validate', summary: 'check policies for Turtle syntax errors and shape violations', load: async () => (await import('./commands/validate.js')).registerValidate },
  { name: 'load', summary: 'validate policies and load them into the store', load: async () => (await import('./commands/load.js')).registerLoad },
  { name: 'query', summary: 'run a read-only SPARQL, Cypher or named query', load: async () => (await import('./commands/query.js')).registerQuery },
  { name: 'stats', summary: 'count the loaded rules by policy, kind and section', load: async () => (await import('./commands/stats.js')).registerStats },
  { name: 'conflicts', summary: 'find, resolve and record conflicting rules and exception defects', load: async () => (await import('./commands/conflicts.js')).registerConflicts },
  { name: 'generate', summary: 'generate instruction data, scenarios and red-team seeds, and write the datasets', load: async () => (await import('./commands/generate.js')).registerGenerate },
  { name: 'diff', summary: 'compare two versions of a policy (files, file@git-rev, or IRI@sha kept by the store); exit 1 on any change', load: async () => (await import('./commands/diff.js')).registerDiff },
  { name: 'impact', summary: 'what a change between two versions of a policy touches: dependent rules, conflicts that appear or go', load: async () => (await import('./commands/impact.js')).registerImpact },
  { name: 'versions', summary: 'list the versions of each policy the store keeps, or restore one', load: async () => (await import('./commands/versions.js')).registerVersions },
  { name: 'export', summary: 'write the loaded policies as RDF, or one kept version', load: async () => (await import('./commands/export.js')).registerExport },
  { name: 'suite', summary: 'import test cases from promptfoo suites, JSON Lines or spreadsheets', load: async () => (await import('./commands/suite.js')).registerSuite },
  { name: 'audit', summary: 'run, grade and compare audits of a model against the rules', load: async () => (await import('./commands/audit.js')).registerAudit },
  { name: 'train', summary: 'training sets, fine-tuning jobs and policy packs per deployment context', load: async () => (await import('./commands/train.js')).registerTrain },
  { name: 'report', summary: 'write or verify a provenance report of a policy and its audit runs', load: async () => (await import('./commands/report.js')).registerReport },
  { name: 'serve', summary: 'serve the HTTP API', load: async () => (await import('./commands/serve.js')).registerServe },
];

const program = new Command();
program
  .name('studio')
  .description('Alignment Studio: align an LLM chatbot to a regulation modelled as a policy graph')
  .showHelpAfterError();

// The command asked for: the first word that is not an option ("studio help audit" asks about audit).
const words = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const asked = COMMANDS.find((c) => c.name === (words[0] === 'help' ? words[1] : words[0]));
// --version prints the studio's version only without a command: commander would take it before a command's own
// option of that name (`studio export --version <sha>`).
if (!asked) program.version('0.1.0');
if (asked) (await asked.load())(program);
// Otherwise (no command, --help, an unknown one) the table is enough to list them or say which exist.
else for (const c of COMMANDS) program.command(c.name).description(c.summary);

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
