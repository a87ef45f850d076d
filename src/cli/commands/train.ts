/**
 * studio train: the instructors' commands.
 *   dataset  compile each deployment context's training set (SFT and preference pairs, leak-free splits, TRL recipes)
 *   check    the leak check on a written set (exit 1 on a leak)
 *   job      fine-tune at an OpenAI-compatible endpoint and record the job and its model in the graph
 *   pack     compile a context's rules into a system prompt ordered by precedence
 */

import type { Command } from 'commander';
import { Option } from 'commander';
import type { GraphStore } from '../../store/graph-store.js';
import { InvalidOptionError, UnknownContextError } from '../../errors.js';
import { resolveConfig } from '../../config.js';
import { LlmClient } from '../../llm/client.js';
import { FAMILIES } from '../../framers/generate.js';
import { TemplateLibrary, TEMPLATES_DIR } from '../../framers/templates.js';
import { readDeploymentContexts } from '../../instructors/deployment-context.js';
import { compileDataset, type DatasetSummary } from '../../instructors/dataset.js';
import { checkSplits } from '../../instructors/leak-check.js';
import { parseMix } from '../../instructors/mixing.js';
import { DEFAULT_RATIOS, parseRatios, SPLIT_BY, type SplitBy } from '../../instructors/splits.js';
import { runTrainingJob, type TrainingMethod } from '../../instructors/training-job.js';
import { writePolicyPack } from '../../instructors/policy-pack.js';
import { SplitLeakError } from '../../errors.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { formatTable, printJson } from '../output.js';
import { commaList } from '../option-values.js';

export function registerTrain(program: Command): void {
  const train = program.command('train').description('training sets, fine-tuning jobs and policy packs per deployment context');

  storeOptions(
    train
      .command('dataset')
      .description("compile each deployment context's training set: chat SFT and preference pairs in leak-free splits, with TRL recipes")
      .requiredOption('--out <folder>', 'write the sets here, one folder per policy and context')
      .option('--policy <iri>', 'only this policy (default: every loaded policy)')
      .option('--context <iri>', "only this deployment context (default: every context the policies declare)")
      .option('--seed <n>', 'seed for generation, splits and mixing', '1')
      .option('--split <fractions>', 'train,validation,test fractions', `${DEFAULT_RATIOS.train},${DEFAULT_RATIOS.validation},${DEFAULT_RATIOS.test}`)
      .addOption(new Option('--split-by <group>', "split by scenario family (rule, template, entities) or by rule").choices([...SPLIT_BY]).default('family'))
      .option('--mix <weights>', 'mixing weights, e.g. section:6=2,label:Compliant=0.5')
      .option('--families <list>', `only these template families (${FAMILIES.join(', ')})`)
      .option('--templates <folder>', `template folder (default ${TEMPLATES_DIR})`)
      .option('--base-model <name>', 'the open model the TRL recipes fine-tune')
      .option('--json', 'print the summary as JSON'),
  ).action(async (options: StoreOptions & { out: string; policy?: string; context?: string; seed: string; split: string; splitBy: SplitBy; mix?: string; families?: string; templates?: string; baseModel?: string; json?: boolean }) => {
    if (!/^\d+$/.test(options.seed)) throw new InvalidOptionError(`--seed ${options.seed}: give a non-negative integer`);
    const ratios = parseRatios(options.split);
    const mix = options.mix ? parseMix(options.mix) : undefined;
    const families = options.families === undefined ? undefined : commaList(options.families);
    for (const family of families ?? []) if (!(FAMILIES as readonly string[]).includes(family)) throw new InvalidOptionError(`--families: unknown family '${family}'; families: ${FAMILIES.join(', ')}`);
    const store = await openStore(options);
    try {
      const library = await TemplateLibrary.load(options.templates);
      const summaries: DatasetSummary[] = [];
      for (const [policy, context] of await targets(store, options.policy, options.context)) {
        summaries.push(
          await compileDataset(store, policy, context, library, options.out, {
            seed: Number(options.seed),
            ratios,
            splitBy: options.splitBy,
            ...(mix ? { mix } : {}),
            ...(families ? { families } : {}),
            ...(options.baseModel ? { baseModel: options.baseModel } : {}),
          }),
        );
      }
      if (options.json) printJson(summaries);
      else process.stdout.write(formatDatasets(summaries));
    } finally {
      await store.close();
    }
  });

  train
    .command('check <folder>')
    .description('reads a written set back and fails if a validation or test record shares its (rule, template, entities) key with a training record')
    .option('--json', 'print the report as JSON')
    .action(async (folder: string, options: { json?: boolean }) => {
      const report = await checkSplits(folder);
      if (options.json) printJson(report);
      else {
        process.stdout.write(formatTable(['file', 'records'], Object.entries(report.records)) + '\n');
        for (const leak of report.leaks.slice(0, 20)) process.stdout.write(`leak: ${leak.file}:${leak.line} ${leak.key}\n`);
        process.stdout.write(report.ok ? 'no leaks: no validation or test record shares its (rule, template, entities) key with a training record\n' : `${report.leaks.length} leaking record(s)\n`);
      }
      if (!report.ok) throw new SplitLeakError(folder, report.leaks.length, `${report.leaks[0]!.file}:${report.leaks[0]!.line}`);
    });

  storeOptions(
    train
      .command('job')
      .description('fine-tunes the model of STUDIO_TRAIN_BASE_URL / STUDIO_TRAIN_MODEL (or "train" in studio.config.json) on a compiled set, follows the job and records it')
      .requiredOption('--dataset <folder>', "a context's folder that 'studio train dataset' wrote")
      .addOption(new Option('--method <method>', 'supervised fine-tuning on sft/, or preference tuning (DPO) on dpo/').choices(['supervised', 'dpo']).default('supervised'))
      .option('--suffix <text>', 'suffix for the trained model name')
      .option('--poll-ms <n>', 'milliseconds between status checks', '10000')
      .option('--json', 'print the record as JSON'),
  ).action(async (options: StoreOptions & { dataset: string; method: TrainingMethod; suffix?: string; pollMs: string; json?: boolean }) => {
    if (!/^\d+$/.test(options.pollMs)) throw new InvalidOptionError(`--poll-ms ${options.pollMs}: give a non-negative integer`);
    // Before the store opens: a missing endpoint or model is reported before any work.
    const client = new LlmClient(resolveConfig().train);
    const store = await openStore(options);
    try {
      const record = await runTrainingJob(store, client, options.dataset, {
        method: options.method,
        pollMs: Number(options.pollMs),
        ...(options.suffix ? { suffix: options.suffix } : {}),
        onStatus: (job) => {
          if (!options.json) process.stderr.write(`job ${job.id}: ${job.status}\n`);
        },
      });
      const out = { job: record.iri, jobId: record.job.id, status: record.job.status, model: record.job.fineTunedModel, dataset: record.dataset.sha256, context: record.dataset.context, policy: record.dataset.policy };
      if (options.json) printJson(out);
      else process.stdout.write(`job ${out.jobId} ${out.status}: model ${out.model}\nrecorded as ${out.job}, trained on dataset ${out.dataset.slice(0, 16)} (${out.context})\n`);
    } finally {
      await store.close();
    }
  });

  storeOptions(
    train
      .command('pack')
      .description("compiles a deployment context's rules into a system prompt ordered by precedence, each citing its section, and records it")
      .requiredOption('--context <iri>', 'the deployment context')
      .option('--policy <iri>', 'the policy (default: the one that declares the context)')
      .option('--out <file>', 'write the pack here (default: print it)')
      .option('--json', 'print the pack as JSON'),
  ).action(async (options: StoreOptions & { context: string; policy?: string; out?: string; json?: boolean }) => {
    const store = await openStore(options);
    try {
      const [[policy, context]] = (await targets(store, options.policy, options.context)) as [[string, string]];
      const { pack } = await writePolicyPack(store, policy, context, options.out);
      if (options.json) printJson(pack);
      else if (options.out) process.stdout.write(`${options.out}: ${pack.rules.length} instructions for ${context}, sha256 ${pack.sha256.slice(0, 16)}; recorded as ${pack.iri}\n`);
      else process.stdout.write(pack.text);
    } finally {
      await store.close();
    }
  });
}

/** The (policy, context) pairs a command works on; a context no loaded policy declares is an UnknownContextError. */
async function targets(store: GraphStore, policy: string | undefined, context: string | undefined): Promise<[string, string][]> {
  const loaded = (await store.listPolicies()).map((p) => p.policy);
  if (policy && !loaded.includes(policy)) throw new InvalidOptionError(`--policy ${policy}: no such policy is loaded; 'studio stats' lists them`);
  const pairs: [string, string][] = [];
  const known: string[] = [];
  for (const p of policy ? [policy] : loaded) {
    for (const c of await readDeploymentContexts(store, p)) {
      known.push(c.iri);
      if (!context || c.iri === context) pairs.push([p, c.iri]);
    }
  }
  if (context && pairs.length === 0) throw new UnknownContextError(context, known);
  if (pairs.length === 0) throw new InvalidOptionError("no deployment context is declared; declare one with 'a studio:DeploymentContext' in the policy file (see the README's Instructors section)");
  return pairs;
}

function formatDatasets(summaries: readonly DatasetSummary[]): string {
  const rows = summaries.map((s) => [
    s.context.slice(Math.max(s.context.lastIndexOf('#'), s.context.lastIndexOf('/')) + 1),
    s.items,
    `${s.records.sft.train}/${s.records.sft.validation}/${s.records.sft.test}`,
    `${s.records.dpo.train}/${s.records.dpo.validation}/${s.records.dpo.test}`,
    s.swappedForContext,
    s.excluded.notApplicable,
    s.excluded.overriddenInContext + s.excluded.conflictUnfollowable,
    s.excluded.duplicate,
    s.excluded.mixedOut,
    s.leakCheck.ok ? 'no leaks' : 'LEAKS',
  ]);
  return (
    formatTable(['context', 'items', 'sft train/val/test', 'dpo train/val/test', 'swapped for context', 'not applicable', 'overridden', 'duplicates', 'mixed out', 'leak check'], rows) +
    '\n' +
    summaries
      .map((s) => {
        const p = s.preferences;
        const recorded = p.pairs + p.ties + p.bothBad + p.notApplicable + p.duplicate;
        return recorded === 0 ? s.folder : `${s.folder}\n  playground preferences: ${p.pairs} preference pairs, ${p.ties} ties and ${p.bothBad} both bad (no pair), ${p.notApplicable} not applicable here, ${p.duplicate} duplicates`;
      })
      .join('\n') +
    '\n'
  );
}
