/**
 * studio audit: run a suite against the model under audit and grade it
 * (run, or with --only-affected --since only what a policy change affects),
 * import reviewers' verdicts into a run (import), put two runs side by side
 * (compare), report what a change affected and how its results moved
 * (change-report), and list the runs kept (list).
 *
 * The model under audit is the "target" setting (STUDIO_TARGET_BASE_URL,
 * STUDIO_TARGET_MODEL, STUDIO_TARGET_API_KEY, or "target" in
 * studio.config.json; --base-url and --model override it); the judge, when
 * --judge asks for one, is the studio's own "llm" setting.
 */

import { Option, type Command } from 'commander';
import { resolveConfig } from '../../config.js';
import { AuditRunError, InvalidOptionError } from '../../errors.js';
import { LlmClient } from '../../llm/client.js';
import { auditsDir, runAudit, writeRunGraph, type AuditOutcome } from '../../auditors/audit-run.js';
import { compareRuns, BUCKETS, type Comparison } from '../../auditors/compare.js';
import { importHumanVerdicts } from '../../auditors/human-import.js';
import { journalRecords, readJournal } from '../../auditors/journal.js';
import { judgeAgreement, type JudgeAgreement } from '../../auditors/grader-agreement.js';
import type { HumanRecord, ResultRecord } from '../../auditors/result-record.js';
import { parseStage, RunFolder, stageOption, STAGES, type RunManifest } from '../../auditors/run-folder.js';
import { readAuditStatus, type AuditStatus } from '../../auditors/audit-status.js';
import type { GraphStore } from '../../store/graph-store.js';
import { passRate, summarise, type OutcomeCounts, type RunSummary } from '../../auditors/summary.js';
import { withProgress } from '../progress.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { formatTable, printJson } from '../output.js';
import { commaList, positiveInteger } from '../option-values.js';
import { auditGraders } from '../../auditors/graders/audit-graders.js';
import { gradeGivenAnswers, type GivenGrading } from '../../auditors/given-answers.js';
import { calibrationTable } from '../../auditors/calibration.js';
import { buildChangeReport, CHANGE_REPORT_FORMATS, renderChangeReport, type ChangeReportFormat } from '../../reports/change-report.js';
import { writeDurably } from '../../store/data-folder.js';
import { ruleRanks } from '../../reports/report-data.js';

interface RunOptions extends StoreOptions {
  suite: string;
  stage: string;
  label?: string;
  families?: string;
  types?: string;
  limit?: string;
  judge?: boolean;
  concurrency?: string;
  fresh?: boolean;
  resume?: string;
  onlyAffected?: boolean;
  since?: string;
  cache: boolean;
  baseUrl?: string;
  model?: string;
  json?: boolean;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('run, grade and compare audits of a model against the rules');

  storeOptions(
    audit
      .command('run')
      .description('send every scenario of a suite to the model under audit, grade the answers, and record the results on the rules they test')
      .requiredOption('--suite <eval.jsonl>', 'the evaluation suite `studio generate --out` wrote')
      .option('--stage <stage>', `lifecycle stage: ${STAGES.map(stageOption).join(', ')}`, 'baseline')
      .option('--label <text>', 'a note on the run, e.g. "checkpoint 3"')
      .option('--families <list>', 'only scenarios of these families, comma-separated (e.g. redteam)')
      .option('--types <list>', 'only these item types: Scenario, RedTeamPrompt, Instruction')
      .option('--limit <n>', 'only the first n matching scenarios')
      .option('--judge', 'also grade with an LLM judge: the "llm" setting (STUDIO_LLM_BASE_URL, STUDIO_LLM_MODEL)')
      .option('--concurrency <n>', 'requests in flight at once (default: target.concurrency, 4)')
      .option('--fresh', 'start a new run even when an unfinished one with the same settings could be resumed')
      .option('--resume <run>', 'resume this run (its id from `studio audit list`)')
      .option('--only-affected', 'ask only the scenarios of rules changed, removed or depending on those since the --since run (and scenarios it did not ask as now); carry its other results over')
      .option('--since <run>', 'with --only-affected: the finished run to carry results over from (its id from `studio audit list`)')
      .option('--no-cache', 'ask the endpoint even for answers the response cache holds')
      .option('--base-url <url>', 'the endpoint of the model under audit (over STUDIO_TARGET_BASE_URL)')
      .option('--model <name>', 'the model under audit (over STUDIO_TARGET_MODEL)')
      .option('--json', 'print the summary as JSON'),
  ).action(async (options: RunOptions) => {
    const config = resolveConfig(options.dataDir ? { dataDir: options.dataDir } : {});
    const stage = parseStage(options.stage);
    const concurrency = options.concurrency === undefined ? undefined : positiveInteger('--concurrency', options.concurrency);
    const limit = options.limit === undefined ? undefined : positiveInteger('--limit', options.limit);
    if (options.onlyAffected && !options.since) throw new InvalidOptionError('--only-affected needs --since <run>: the run whose results of unaffected rules are carried over');
    if (options.since && !options.onlyAffected) throw new InvalidOptionError('--since <run> goes with --only-affected');
    // Endpoints first: a missing setting is reported before any work.
    const target = new LlmClient({ ...config.target, ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}), ...(options.model ? { model: options.model } : {}) });
    const { graders, judge } = await auditGraders(options.judge ? config.llm : undefined);
    const store = await openStore(options);
    const controller = new AbortController();
    const stop = () => controller.abort(new AuditRunError('interrupted'));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const outcome = await withProgress('audit', (progress) =>
        runAudit({
          store,
          auditsDir: auditsDir(config.dataDir),
          suite: options.suite,
          filter: {
            ...(options.families ? { families: commaList(options.families) } : {}),
            ...(options.types ? { types: commaList(options.types) } : {}),
            ...(limit ? { limit } : {}),
          },
          target,
          graders,
          ...(judge ? { judge } : {}),
          stage,
          ...(options.label ? { label: options.label } : {}),
          ...(concurrency ? { concurrency } : {}),
          ...(options.fresh ? { fresh: true } : {}),
          ...(options.resume ? { resume: options.resume } : {}),
          ...(options.since ? { since: options.since } : {}),
          ...(options.cache ? {} : { noCache: true }),
          progress,
          signal: controller.signal,
        }),
      );
      const run = await RunFolder.open(auditsDir(config.dataDir), outcome.run.id);
      // Aside: the worker that read the policy's rules for the run answers, the policy already in it.
      const summary = await summarise(journalRecords<ResultRecord>(run.results), [], await ruleRanks(store, run.manifest.policy, { aside: true }));
      const agreement = judge ? await judgeAgreement(journalRecords<ResultRecord>(run.results)) : undefined;
      if (options.json) printJson({ ...outcome, summary, ...(agreement ? { agreement } : {}) });
      else process.stdout.write(formatRun(outcome, summary, agreement));
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await store.close();
    }
  });

  storeOptions(
    audit
      .command('import <file>')
      .description("import reviewers' verdicts (JSONL or CSV: scenario, outcome, reason, reviewer) into a run, and rewrite its graph")
      .requiredOption('--run <run>', 'the run the verdicts belong to (its id from `studio audit list`)')
      .option('--json', 'print the summary as JSON'),
  ).action(async (file: string, options: StoreOptions & { run: string; json?: boolean }) => {
    const config = resolveConfig(options.dataDir ? { dataDir: options.dataDir } : {});
    const run = await RunFolder.open(auditsDir(config.dataDir), options.run);
    const store = await openStore(options);
    try {
      const imported = await importHumanVerdicts(run, file);
      await writeRunGraph(store, run);
      const { records: human } = await readJournal<HumanRecord>(run.human);
      const summary = await summarise(journalRecords<ResultRecord>(run.results), human, await ruleRanks(store, run.manifest.policy));
      if (options.json) printJson({ run: run.manifest.id, ...imported, summary });
      else {
        process.stdout.write(`${run.manifest.id}: ${imported.imported} verdict(s) imported from ${file}, ${imported.unchanged} already there; reviewers: ${imported.reviewers.join(', ')}\n`);
        process.stdout.write(formatOutcomes(summary));
      }
    } finally {
      await store.close();
    }
  });

  storeOptions(
    audit
      .command('grade <answers.jsonl>')
      .description('grade answers given in a file (scenario or messages, answer, optional label good/bad and model) with the deterministic grader, no model asked; one run per model, and agreement with the labels')
      .requiredOption('--suite <eval.jsonl>', 'the suite the answers answer (generated, or written by `studio suite import`)')
      .option('--stage <stage>', `lifecycle stage: ${STAGES.map(stageOption).join(', ')}`, 'baseline')
      .option('--label <text>', 'a note on the runs')
      .option('--json', 'print the outcome as JSON'),
  ).action(async (file: string, options: StoreOptions & { suite: string; stage: string; label?: string; json?: boolean }) => {
    const config = resolveConfig(options.dataDir ? { dataDir: options.dataDir } : {});
    const stage = parseStage(options.stage);
    const store = await openStore(options);
    try {
      const graded = await gradeGivenAnswers({ store, auditsDir: auditsDir(config.dataDir), answers: file, suite: options.suite, stage, ...(options.label ? { label: options.label } : {}) });
      if (options.json) printJson(graded);
      else process.stdout.write(formatGraded(file, graded));
    } finally {
      await store.close();
    }
  });

  storeOptions(
    audit
      .command('compare <first> <second>')
      .description('put two runs side by side: four buckets of scenarios (both comply, only the first, only the second, both fail) and the rules that regressed or improved')
      .option('--json', 'print the comparison as JSON'),
  ).action(async (first: string, second: string, options: StoreOptions & { json?: boolean }) => {
    const config = resolveConfig(options.dataDir ? { dataDir: options.dataDir } : {});
    const dir = auditsDir(config.dataDir);
    const [a, b] = [await RunFolder.open(dir, first), await RunFolder.open(dir, second)];
    const store = await openStore(options);
    try {
      const comparison = await compareRuns(store, a.manifest.iri, b.manifest.iri);
      if (comparison.shared === 0) throw new AuditRunError(`runs ${a.manifest.id} and ${b.manifest.id} share no scenario in the graph; were both finished (and written to this store)?`);
      if (options.json) printJson({ ...comparison, first: a.manifest, second: b.manifest });
      else process.stdout.write(formatComparison(a.manifest, b.manifest, comparison, await attacksOf(a)));
      process.exitCode = comparison.regressions.length > 0 ? 1 : 0;
    } finally {
      await store.close();
    }
  });

  audit
    .command('change-report <run>')
    .description('for a run made with --only-affected --since: what changed in the policy since the earlier run, what it touched, what was re-tested, and each affected rule\'s results before and after')
    .addOption(new Option('--format <format>', 'md or html').choices(CHANGE_REPORT_FORMATS).default('md'))
    .option('--out <file>', 'write the report here (default: standard output)')
    .option('--data-dir <folder>', 'the data folder holding the runs (default ./data, or STUDIO_DATA_DIR)')
    .option('--json', 'print the report\'s figures as JSON')
    .action(async (runId: string, options: { format: ChangeReportFormat; out?: string; dataDir?: string; json?: boolean }) => {
      const config = resolveConfig(options.dataDir ? { dataDir: options.dataDir } : {});
      const report = await buildChangeReport(auditsDir(config.dataDir), runId);
      if (options.json) return printJson(report);
      const text = renderChangeReport(report, options.format);
      if (!options.out) return void process.stdout.write(text);
      await writeDurably(options.out, text);
      const worse = report.rules.filter((r) => r.movement === 'worse').length;
      process.stdout.write(`${options.out}: ${options.format} change report of run ${report.after.id} since ${report.before.id}: ${report.rules.length} rule(s) affected, ${worse} worse; ${report.scenarios.gradedAnew} scenario(s) graded anew, ${report.scenarios.carriedOver} carried over\n`);
    });

  storeOptions(
    audit
      .command('status')
      .description('where each policy stands with its audits: runs, the latest failing rules, rules without tests or never audited, stale results')
      .option('--policy <iri>', 'only this policy')
      .option('--json', 'print the status as JSON'),
  ).action(async (options: StoreOptions & { policy?: string; json?: boolean }) => {
    const store = await openStore(options);
    try {
      const statuses = await auditStatuses(store, options.policy);
      if (options.json) printJson(statuses);
      else process.stdout.write(formatAuditStatus(statuses));
    } finally {
      await store.close();
    }
  });

  audit
    .command('list')
    .description('the audit runs kept in the data folder, oldest first')
    .option('--data-dir <folder>', "the data folder (default ./data, or STUDIO_DATA_DIR)")
    .option('--json', 'print the runs as JSON')
    .action(async (options: { dataDir?: string; json?: boolean }) => {
      const config = resolveConfig(options.dataDir ? { dataDir: options.dataDir } : {});
      const runs = await RunFolder.list(auditsDir(config.dataDir));
      const rows = [];
      for (const run of runs) {
        let results = 0;
        for await (const _ of journalRecords(run.results)) results++;
        rows.push({ ...run.manifest, results, status: run.finished ? 'finished' : 'unfinished' });
      }
      if (options.json) printJson(rows);
      else if (rows.length === 0) process.stdout.write("No audit runs yet; start one with 'studio audit run --suite <eval.jsonl>'.\n");
      else {
        process.stdout.write(
          formatTable(
            ['run', 'stage', 'model', 'results', 'status', 'started'],
            rows.map((r) => [r.id, stageOption(r.stage), r.target.model, `${r.results}/${r.suite.cases}`, r.status, r.startedAt]),
          ) + '\n',
        );
      }
    });
}

/** The audit status of each loaded policy, or of the one named. */
export async function auditStatuses(store: GraphStore, policy?: string): Promise<AuditStatus[]> {
  const loaded = (await store.listPolicies()).map((p) => p.policy);
  if (policy && !loaded.includes(policy)) throw new InvalidOptionError(`--policy ${policy}: no such policy is loaded; 'studio stats' lists them`);
  const out: AuditStatus[] = [];
  for (const p of policy ? [policy] : loaded) out.push(await readAuditStatus(store, p));
  return out;
}

export function formatAuditStatus(statuses: readonly AuditStatus[]): string {
  const out: string[] = [];
  for (const s of statuses) {
    const latest = s.latest;
    out.push(
      `${s.policy}: ${s.runs.length} audit run(s)` +
        (latest
          ? `; latest ${String(latest.run.run).split('/').pop()} (${latest.run.stage}, ${latest.run.model}): ${latest.run.passed} passed, ${latest.run.failed} failed, ${latest.run.cantTell} can't tell; ${latest.failingRules.length} rule(s) failing`
          : ''),
    );
    out.push(
      formatTable(
        ['audit coverage', 'rules'],
        [
          ['rules no scenario tests', s.rulesWithoutTests.length],
          ['rules never audited', s.rulesNeverAudited.length],
          ['results stale since a rule or scenario changed', s.staleResults.length],
        ],
      ),
    );
    if (s.runs.length === 0) out.push("To audit a model: set STUDIO_TARGET_BASE_URL and STUDIO_TARGET_MODEL, export a suite with 'studio generate --out <folder>', then 'studio audit run --suite <folder>/<policy>/eval.jsonl'.");
    out.push('');
  }
  return out.join('\n');
}

function formatRun(outcome: AuditOutcome, summary: RunSummary, agreement: JudgeAgreement | undefined): string {
  const r = outcome.run;
  const out = [
    `${r.id} (${stageOption(r.stage)}): ${r.target.model} at ${r.target.endpoint} on ${r.suite.file}, ${summary.scenarios} scenarios` +
      (outcome.resumed ? `, resumed with ${outcome.alreadyDone} results already written` : ''),
    `answers: ${outcome.asked} asked of the endpoint, ${outcome.fromCache} from the cache${summary.truncatedAnswers ? `, ${summary.truncatedAnswers} cut short by max_tokens` : ''}; graph ${outcome.graph.graph} (${outcome.graph.triples} triples)`,
  ];
  const c = outcome.carriedOver;
  if (c) {
    out.push(
      `carried over from ${c.from}: ${c.results} result(s); graded anew: ${outcome.asked + outcome.fromCache} scenario(s) of the ${c.changed.length} rule(s) changed or added, ${c.removed.length} removed and ${c.dependents} depending on those, or not asked as now by that run`,
    );
    const listed = [...c.changed, ...c.removed];
    if (listed.length > 0) out.push(`  changed: ${listed.slice(0, 10).join(', ')}${listed.length > 10 ? ` ... and ${listed.length - 10} more (--json lists them all)` : ''}`);
  }
  out.push('', formatOutcomes(summary));
  if (agreement) {
    const { all, decided } = agreement;
    out.push(
      `deterministic checks vs judge: ${all.pairs} scenarios, agreement ${pct(all.rawAgreement)}, Cohen's kappa ${fixed(all.kappa)}; ` +
        `where both decided: ${decided.pairs} scenarios, agreement ${pct(decided.rawAgreement)}, kappa ${fixed(decided.kappa)}`,
      '',
    );
  }
  if (summary.failingRules.length > 0) {
    out.push(formatTable(['failing rule', 'failed', 'scenarios'], summary.failingRules.slice(0, 15).map((f) => [f.rule, f.failed, f.scenarios])));
    if (summary.failingRules.length > 15) out.push(`... and ${summary.failingRules.length - 15} more rules with failures`);
    out.push('');
  }
  return out.join('\n');
}

function formatGraded(file: string, g: GivenGrading): string {
  const out: string[] = [];
  for (const { run, answers, summary } of g.runs) {
    out.push(`${run.id} (${stageOption(run.stage)}): ${answers} answer(s) of ${run.target.model} from ${file}, graded by ${run.graders.join(', ')}`, formatOutcomes(summary));
  }
  if (g.agreement) {
    out.push(calibrationTable('agreement with the labels (good = passed, bad = failed)', g.agreement), '');
    if (g.disagreements.length > 0) {
      out.push(`${g.disagreements.length} verdict(s) against the label:`);
      for (const d of g.disagreements.slice(0, 10)) out.push(`  ${file}:${d.line}: labelled ${d.label}, ${d.verdict.outcome}: ${d.verdict.reason}`);
      if (g.disagreements.length > 10) out.push(`  ... and ${g.disagreements.length - 10} more (--json lists them all)`);
      out.push('');
    }
  }
  return out.join('\n');
}

function formatOutcomes(summary: RunSummary): string {
  const row = (name: string, c: OutcomeCounts) => [name, c.passed, c.failed, c.cantTell, `${passRate(c)}%`];
  const rows = [row('all scenarios', summary.outcomes), ...Object.entries(summary.byFamily).sort().map(([f, c]) => row(f, c))];
  let text = formatTable(['scenarios', 'passed', 'failed', "can't tell", 'pass rate'], rows) + '\n';
  if (summary.borderline > 0) text += `of the ${summary.outcomes.passed} passed, ${summary.borderline} borderline (graded pass, but not cleanly)\n`;
  if (summary.byRank.length > 0) {
    text += '\n' + formatTable(['authority rank', 'passed', 'failed', "can't tell", 'pass rate'], summary.byRank.map((r) => row(r.rank === null ? '(no rank)' : `rank ${r.rank}`, r.counts))) + '\n';
  }
  if (Object.keys(summary.byAttack).length > 0) {
    text += '\n' + formatTable(['red-team attack', 'passed', 'failed', "can't tell", 'pass rate'], Object.entries(summary.byAttack).sort().map(([a, c]) => row(a, c))) + '\n';
  }
  return text;
}

function formatComparison(first: RunManifest, second: RunManifest, c: Comparison, attacks: Map<string, string>): string {
  const names: Record<(typeof BUCKETS)[number], string> = {
    bothComply: 'both comply',
    onlyFirst: `only the first complies (${first.target.model})`,
    onlySecond: `only the second complies (${second.target.model})`,
    bothFail: 'both fail',
    undecided: "a verdict can't tell",
  };
  const out = [`${first.id} (${first.target.model}, ${stageOption(first.stage)}) vs ${second.id} (${second.target.model}, ${stageOption(second.stage)}): ${c.shared} scenarios in both`, ''];
  out.push(formatTable(['bucket', 'scenarios'], BUCKETS.map((b) => [names[b], c.buckets[b]])), '');
  const byAttack = new Map<string, Record<string, number>>();
  for (const s of c.scenarios) {
    const attack = attacks.get(s.scenario);
    if (!attack) continue;
    const counts = byAttack.get(attack) ?? Object.fromEntries(BUCKETS.map((b) => [b, 0]));
    counts[s.bucket]!++;
    byAttack.set(attack, counts);
  }
  if (byAttack.size > 0) {
    out.push(formatTable(['red-team attack', ...BUCKETS.map((b) => names[b].split(' (')[0]!)], [...byAttack].sort().map(([a, counts]) => [a, ...BUCKETS.map((b) => counts[b]!)])), '');
  }
  const changes = [...c.regressions, ...c.improvements];
  if (changes.length === 0) out.push('No rule changed status between the runs.');
  else out.push(formatTable(['rule', 'change', 'failed before', 'failed after'], changes.map((ch) => [ch.rule, ch.change, `${ch.failedBefore}/${ch.scenariosBefore}`, `${ch.failedAfter}/${ch.scenariosAfter}`])));
  // Moves between pass and borderline leave the buckets as they were, so they are listed here.
  const withinPass = c.gradeChanges.filter((g) => g.first !== 'fail' && g.second !== 'fail');
  if (withinPass.length > 0) {
    out.push('', `${withinPass.length} scenario(s) still pass but changed grade:`);
    out.push(formatTable(['scenario', 'first', 'second', 'change'], withinPass.map((g) => [g.scenario, g.first, g.second, g.change])));
  }
  return out.join('\n') + '\n';
}

/** The attack of each red-team scenario a run ran. */
async function attacksOf(run: RunFolder): Promise<Map<string, string>> {
  const attacks = new Map<string, string>();
  for await (const r of journalRecords<ResultRecord>(run.results)) if (r.attack) attacks.set(r.case, r.attack);
  return attacks;
}

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${Math.round(x * 1000) / 10}%`;
}

function fixed(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(2);
}
