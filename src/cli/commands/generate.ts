/**
 * studio generate: fill the templates for each loaded policy, keep the items
 * in the policy's generated graph, and (with --out) write the datasets:
 * chat JSONL, preference pairs, the evaluation suite, a promptfoo suite and
 * an InstructLab taxonomy. Prints what was made and the coverage left open.
 * With --augment, an LLM paraphrases the items too (framers/augment.ts).
 */

import type { Command } from 'commander';
import path from 'node:path';
import type { GraphStore } from '../../store/graph-store.js';
import { InvalidOptionError } from '../../errors.js';
import { resolveConfig } from '../../config.js';
import { LlmClient } from '../../llm/client.js';
import { DEFAULT_PARAPHRASES, checkAugmentOptions, generateAugmented, loadAugmentPrompt, type AugmentSummary, type AugmentedGenerationResult } from '../../framers/augment.js';
import { FILTER_REASONS } from '../../framers/augment-filters.js';
import { TemplateLibrary, TEMPLATES_DIR } from '../../framers/templates.js';
import { generateForPolicy } from '../../framers/generation-run.js';
import { planSelective, type SelectivePlan } from '../../framers/selective.js';
import { readCoverage, type Coverage } from '../../framers/coverage.js';
import { ContextReads } from '../../framers/recorded-provisions.js';
import { ItemChecker, formatFindings, type Finding } from '../../framers/item-check.js';
import { DatasetWriter, policyDatasetFolder, type ExportSummary } from '../../framers/exports/write-exports.js';
import { INSTRUCTLAB_MIN_EXAMPLES, LEFT_OUT_NOTE } from '../../framers/exports/instructlab.js';
import type { PolicyContext } from '../../framers/policy-context.js';
import { itemsOf, type GeneratedPart, type SpliceOutcome } from '../../framers/generate.js';
import { SCENARIO_LABELS } from '../../framers/templates.js';
import { withProgress } from '../progress.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { formatTable, printJson } from '../output.js';
import { commaList } from '../option-values.js';

/** How a selective run reads the policy: aside (ReadOptions.aside), the command's thread never reading it into oxigraph. */
const ASIDE = { aside: true } as const;

export interface GenerateSummary {
  readonly policy: string;
  readonly items: number;
  readonly triples: number;
  readonly byFamily: Readonly<Record<string, number>>;
  readonly preferencePairs: number;
  readonly coverage: Coverage;
  readonly exports?: ExportSummary;
  /** With --augment: what the LLM was asked, what was kept and why the rest was dropped. */
  readonly augmentation?: AugmentSummary;
  /** With --check: every broken item invariant (framers/item-check.ts); none when the data is sound. */
  readonly findings?: readonly Finding[];
  /** With --changed: the versions compared, the rules affected, and how many items were rendered again or kept. */
  readonly changed?: ChangedSummary;
}

export interface ChangedSummary {
  /** SHA-256 of the version the earlier generated graph came from, and of the loaded one. */
  readonly from: string;
  readonly to: string;
  /** Rules (provisions) whose items were rendered again. */
  readonly rules: number;
  readonly regenerated: number;
  readonly kept: number;
  /** Why every item was rendered again, when it was. */
  readonly everything?: string;
  /** Where the kept items' texts were read from: the earlier run's datasets (when they are provably the graph's), or the generated graph. */
  readonly keptTextsFrom?: 'datasets' | 'graph';
  /**
   * Which path the framer took: `splice` when it took the items of the rules not affected from the
   * earlier run (`splicedRules` of them) and built only the rest; `pass` when it built every item,
   * the kept ones with their earlier texts, with why (`passBecause`).
   */
  readonly framer: 'splice' | 'pass';
  readonly splicedRules: number;
  readonly passBecause?: string;
  /** When the context's provisions came from the earlier run's record but for those a change may touch: how many provisions were read from the store (framers/recorded-provisions.ts); absent when the context was read whole. */
  readonly provisionsRead?: number;
}

export interface GenerateCommandOptions {
  readonly policy?: string;
  readonly seed: number;
  readonly out?: string;
  readonly families?: readonly string[];
  readonly templates?: string;
  /** Check every item's invariants (entities, expected behaviour, answers, who speaks). */
  readonly check?: boolean;
  /** Render again only the items of rules changed since the generated graph's version (framers/selective.ts). */
  readonly changed?: boolean;
  /** Paraphrase the items with the configured LLM. */
  readonly augment?: { readonly client: LlmClient; readonly paraphrases: number; readonly families?: readonly string[] };
}

export function registerGenerate(program: Command): void {
  storeOptions(
    program
      .command('generate')
      .description('generate instruction data, scenarios and red-team seeds from the loaded policies, and write the datasets')
      .option('--policy <iri>', 'only this policy (default: every loaded policy)')
      .option('--seed <n>', 'seed for every choice of entity and phrasing (same seed, same data)', '1')
      .option('--out <folder>', 'write the datasets here: chat.jsonl, preference.jsonl, eval.jsonl, promptfooconfig.yaml, instructlab/')
      .option('--families <list>', 'only these template families, comma-separated')
      .option('--templates <folder>', `template folder (default ${TEMPLATES_DIR})`)
      .option('--changed', "regenerate only the items of the rules changed (or depending on a change) since the version the generated data came from; the other items keep their bytes, those of removed rules go: the same graph and datasets as a full run")
      .option('--augment', 'also paraphrase the items with the LLM of STUDIO_LLM_BASE_URL / STUDIO_LLM_MODEL (or "llm" in studio.config.json)')
      .option('--paraphrases <n>', 'with --augment: paraphrases asked for per item', String(DEFAULT_PARAPHRASES))
      .option('--augment-families <list>', 'with --augment: only items of these families, comma-separated (default: every family generated)')
      .option('--check', "check every item's invariants (entities within their rules' terms, expected behaviour following the deciding rule, reference and rejected answers against the item's checks, no user speaking as the assistant); exit 1 listing each finding")
      .option('--json', 'print the summary as JSON'),
  ).action(async (options: StoreOptions & { policy?: string; seed: string; out?: string; families?: string; templates?: string; json?: boolean; check?: boolean; changed?: boolean; augment?: boolean; paraphrases: string; augmentFamilies?: string }) => {
    if (!/^\d+$/.test(options.seed)) throw new InvalidOptionError(`--seed ${options.seed}: give a non-negative integer`);
    if (options.changed && options.augment) throw new InvalidOptionError('--changed regenerates from templates only; it cannot be combined with --augment');
    let augment: GenerateCommandOptions['augment'];
    if (options.augment) {
      if (!/^\d+$/.test(options.paraphrases)) throw new InvalidOptionError(`--paraphrases ${options.paraphrases}: give a positive integer`);
      const families = options.augmentFamilies ? commaList(options.augmentFamilies) : undefined;
      checkAugmentOptions(Number(options.paraphrases), families);
      // Before the store opens: a missing endpoint or model is reported before any work.
      augment = { client: new LlmClient(resolveConfig().llm), paraphrases: Number(options.paraphrases), ...(families ? { families } : {}) };
    } else if (options.augmentFamilies) {
      throw new InvalidOptionError('--augment-families needs --augment');
    }
    const store = await openStore(options);
    try {
      const summaries = await runGeneration(store, {
        ...(options.policy ? { policy: options.policy } : {}),
        seed: Number(options.seed),
        ...(options.out ? { out: options.out } : {}),
        ...(options.families ? { families: commaList(options.families) } : {}),
        ...(options.templates ? { templates: options.templates } : {}),
        ...(augment ? { augment } : {}),
        ...(options.check ? { check: true } : {}),
        ...(options.changed ? { changed: true } : {}),
      });
      if (options.json) printJson(summaries);
      else process.stdout.write(formatGeneration(summaries));
      for (const e of summaries.flatMap((s) => (s.exports ? [s.exports] : []))) {
        if (e.instructlabLeftOut.length === 0) continue;
        process.stderr.write(
          `${path.join(e.folder, 'instructlab', LEFT_OUT_NOTE)}: ${e.instructlabLeftOut.length} section(s) left out of the InstructLab taxonomy, each with fewer than ${INSTRUCTLAB_MIN_EXAMPLES} distinct examples: ` +
            e.instructlabLeftOut.map((l) => `${l.section} (${l.examples})`).join(', ') +
            '\n',
        );
      }
      if (options.check && summaries.some((s) => (s.findings?.length ?? 0) > 0)) process.exitCode = 1;
    } finally {
      await store.close();
    }
  });
}

/** Generates (and exports) for each loaded policy, or the one named; shared with the main job. */
export async function runGeneration(store: GraphStore, options: GenerateCommandOptions): Promise<GenerateSummary[]> {
  const listed = await store.listPolicies();
  const loaded = listed.map((p) => p.policy);
  if (options.policy && !loaded.includes(options.policy)) throw new InvalidOptionError(`--policy ${options.policy}: no such policy is loaded; 'studio stats' lists them`);
  const library = await TemplateLibrary.load(options.templates);
  const prompt = options.augment ? await loadAugmentPrompt(options.templates) : undefined;
  if (options.changed && options.augment) throw new InvalidOptionError('--changed regenerates from templates only; it cannot be combined with --augment');
  const summaries: GenerateSummary[] = [];
  const policies = options.policy ? [options.policy] : loaded;
  // Every plan before any generation: a policy without earlier generated data stops the command before it changes anything.
  const plans = new Map<string, SelectivePlan>();
  // A selective run reads its context aside, begun before it plans (so the embedded store's worker reads the policy meanwhile, on the other core).
  const reads = new Map(options.changed ? policies.map((policy) => [policy, ContextReads.begin(store, policy, ASIDE)]) : []);
  try {
    if (options.changed) {
      for (const policy of policies) {
        const datasets = options.out ? policyDatasetFolder(options.out, listed.find((p) => p.policy === policy)!) : undefined;
        const reread = (provisions: ReadonlySet<string>) => reads.get(policy)!.beginProvisions(provisions);
        plans.set(policy, await planSelective(store, policy, library, { seed: options.seed, reread, ...(datasets ? { datasets } : {}) }));
      }
    }
    for (const policy of policies) {
      summaries.push(await generatePolicy(store, policy, library, options, plans.get(policy), prompt, reads.get(policy)));
      // Its earlier datasets' lines go with it, before the next policy's generation.
      await plans.get(policy)?.datasets?.close();
      plans.delete(policy);
    }
  } finally {
    for (const plan of plans.values()) await plan.datasets?.close();
  }
  return summaries;
}

/** One policy's generation (selective, with a plan), datasets and summary. */
async function generatePolicy(store: GraphStore, policy: string, library: TemplateLibrary, options: GenerateCommandOptions, plan: SelectivePlan | undefined, prompt: Awaited<ReturnType<typeof loadAugmentPrompt>> | undefined, reads: ContextReads | undefined): Promise<GenerateSummary> {
  const families = options.families ? { families: options.families } : {};
  const augment = options.augment;
  // Datasets are written as the items come, a batch at a time; the writer opens with the first batch, once the context is known.
  let datasets: DatasetWriter | undefined;
  let checker: ItemChecker | undefined;
  const findings: Finding[] = [];
  const onItems =
    options.out || options.check
      ? async (items: readonly GeneratedPart[], context: PolicyContext) => {
          if (options.check) findings.push(...(checker ??= new ItemChecker(context)).check(itemsOf(items)));
          if (options.out) {
            datasets ??= await DatasetWriter.open(context, options.out, undefined, plan?.datasets ? { earlier: plan.datasets } : {});
            await datasets.add(items);
          }
        }
      : undefined;
  // The datasets are finished while the store writes the graph; their record, which names the graph, once it is written.
  let exports: ExportSummary | undefined;
  const meanwhile = async () => {
    if (datasets) exports = await datasets.close();
  };
  const stream = onItems ? { onItems, meanwhile } : {};
  const result = augment
    ? await withProgress(`augment ${shortName(policy)}`, (progress) =>
        generateAugmented(store, policy, library, augment.client, {
          seed: options.seed,
          ...families,
          ...stream,
          augment: { paraphrases: augment.paraphrases, prompt: prompt!, progress, ...(augment.families ? { families: augment.families } : {}) },
        }),
      )
    : await withProgress(`generate ${shortName(policy)}`, (progress) => generateForPolicy(store, policy, library, { seed: options.seed, progress, ...families, ...stream, ...(plan ? { reuse: plan.reuse, ...(plan.earlier ? { earlier: plan.earlier } : {}), ...(plan.splice ? { splice: plan.splice } : {}), ...(plan.context ? { context: plan.context } : {}) } : {}), ...(reads ? { reads } : {}) }));
  if (options.out && !datasets) datasets = await DatasetWriter.open(result.context, options.out);
  if (datasets && !exports) exports = await datasets.close();
  await datasets?.record(result.graph, result.index);
  return {
    policy,
    items: result.summary.items,
    triples: result.graph.triples,
    byFamily: result.summary.byFamily,
    preferencePairs: result.summary.preferencePairs,
    coverage: await readCoverage(store, policy, result.covered, plan ? ASIDE : {}),
    ...(exports ? { exports } : {}),
    ...('augmentation' in result ? { augmentation: (result as AugmentedGenerationResult).augmentation } : {}),
    ...(options.check ? { findings } : {}),
    ...(plan ? { changed: changedSummary(plan, 'splice' in result ? result.splice : undefined, 'provisionsRead' in result ? result.provisionsRead : undefined) } : {}),
  };
}

/** What --changed did: the plan's counts, and which path the framer took. */
function changedSummary(plan: SelectivePlan, splice: SpliceOutcome | undefined, provisionsRead: number | undefined): ChangedSummary {
  const spliced = splice !== undefined && splice.differs.length === 0 && splice.rules > 0;
  const passBecause = spliced
    ? undefined
    : (plan.spliceless ?? (splice && splice.differs.length > 0 ? `changed since the earlier run: ${splice.differs.join(', ')}` : 'no rule of the earlier run is unaffected'));
  return {
    from: plan.from,
    to: plan.to,
    rules: plan.affected.size,
    ...plan.counts(),
    ...(plan.everything ? { everything: plan.everything } : {}),
    ...(plan.keptTextsFrom ? { keptTextsFrom: plan.keptTextsFrom } : {}),
    framer: spliced ? 'splice' : 'pass',
    splicedRules: splice?.rules ?? 0,
    ...(passBecause ? { passBecause } : {}),
    ...(provisionsRead !== undefined ? { provisionsRead } : {}),
  };
}

/** The summary as tables: items per family, then what coverage leaves open. */
export function formatGeneration(summaries: readonly GenerateSummary[]): string {
  if (summaries.length === 0) return "No policies loaded. Load some with 'studio load policies/'.\n";
  const out: string[] = [];
  for (const s of summaries) {
    out.push(`${s.policy}: ${s.items} items (${s.preferencePairs} with a rejected answer), ${s.triples} triples in the generated graph`);
    if (s.changed) {
      const c = s.changed;
      out.push(
        `changed since ${c.from.slice(0, 12)}${c.from === c.to ? ' (the loaded version)' : ` (now ${c.to.slice(0, 12)})`}: regenerated ${c.regenerated} items of ${c.rules} rules; kept ${c.kept} items` +
          (c.everything ? ` (every item rendered again: ${c.everything})` : c.keptTextsFrom ? ` (their texts read from the ${c.keptTextsFrom === 'datasets' ? "earlier run's datasets" : 'generated graph'})` : ''),
      );
      if (!c.everything) out.push(c.framer === 'splice' ? `the items of ${c.splicedRules} unaffected rules taken from the earlier run as they were; the rest built` : `every item built (${c.passBecause})`);
      if (c.provisionsRead !== undefined) out.push(`the context's provisions read from the store: ${c.provisionsRead}; the others' taken from the earlier run's record`);
    }
    out.push(formatTable(['family', 'items'], Object.entries(s.byFamily).map(([family, n]) => [family, n])), '');
    const c = s.coverage;
    out.push(
      formatTable(
        ['coverage', 'missing'],
        [
          ['rules without instruction data', c.rulesWithoutInstructions.length],
          ...SCENARIO_LABELS.map((label): [string, number] => [`rules without a scenario labelled ${label}`, c.rulesWithoutScenarios[label].length]),
          ['exception boundary sides without a scenario', c.exceptionsWithoutBoundaryPairs.length],
          ['terms no item uses', c.unusedTerms.length],
        ],
      ),
    );
    if (c.unusedTerms.length > 0) out.push(`unused terms: ${c.unusedTerms.slice(0, 12).map((t) => shortName(t.term)).join(', ')}${c.unusedTerms.length > 12 ? ', ...' : ''}`);
    if (s.augmentation) out.push(formatAugmentation(s.augmentation));
    if (s.findings) {
      out.push(s.findings.length === 0 ? 'check: every item keeps its invariants' : `check: ${s.findings.length} finding${s.findings.length === 1 ? '' : 's'} (item, template, kind: what is wrong)\n${formatFindings(s.findings)}`);
    }
    if (s.exports) {
      const e = s.exports;
      out.push(
        `datasets in ${e.folder}: chat.jsonl ${e.chat}, preference.jsonl ${e.preference}, eval.jsonl ${e.eval}, promptfooconfig.yaml ${e.promptfoo} tests, instructlab ${e.instructlab.length} qna.yaml` +
          (e.instructlabLeftOut.length > 0 ? ` (${e.instructlabLeftOut.length} sections with fewer than ${INSTRUCTLAB_MIN_EXAMPLES} examples left out)` : ''),
      );
    }
    out.push('');
  }
  return out.join('\n');
}

/** What augmentation kept, and each reason paraphrases were dropped for, with an example. */
function formatAugmentation(a: AugmentSummary): string {
  const head = `augmented with ${a.model} (${a.prompt}): ${a.items} items, ${a.requested} paraphrases asked for, ${a.received} received, ${a.kept} kept`;
  const dropped = FILTER_REASONS.filter((r) => a.filtered[r] > 0).map((r) => [r, a.filtered[r], a.examples.find((e) => e.reason === r)?.detail ?? '']);
  return dropped.length === 0 ? `${head}\n` : `${head}\n${formatTable(['paraphrases dropped', 'count', 'for example'], dropped)}\n`;
}

function shortName(iri: string): string {
  return iri.slice(Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/')) + 1) || iri;
}
