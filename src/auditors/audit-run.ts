/**
 * An audit run: every scenario of a suite sent to the model under audit,
 * each answer graded by every grader, each result written to the run's
 * journal the moment it is complete, and, at the end, the whole run written
 * to the graph as the run's derived graph.
 *
 * Requests go out with bounded concurrency through the studio's LLM client
 * (retries with backoff, Retry-After honoured, a timeout per request). The
 * suite is read as a stream and results go straight to disk, so memory does
 * not grow with the suite. A run stopped at any moment — an endpoint that
 * stays down, Ctrl-C, kill -9 — is resumed by running the same command: the
 * unfinished run with the same suite, model, parameters, stage and graders
 * carries on where its journal ends, asking only for what it lacks, and
 * answers already received come from the response cache.
 */

import path from 'node:path';
import type { Quad } from '@rdfjs/types';
import type { DerivedGraph, GraphStore } from '../store/graph-store.js';
import { withChainOfCommand } from './chain-of-command.js';
import { AuditRunError, StudioError } from '../errors.js';
import { forEachBounded } from '../llm/bounded.js';
import type { LlmClient } from '../llm/client.js';
import { loadedPolicy, readRuleContext, type PolicyContext, type RuleContext } from '../framers/policy-context.js';
import { Journal, readJournal } from './journal.js';
import { promptHash, requestKey, ResponseCache, type CachedReply } from './response-cache.js';
import { resultKey, resultRecord, type HumanRecord, type JudgeRecord, type ResultRecord } from './result-record.js';
import { RunFolder, resumeKey, runGraphIri, type RunManifest, type Stage } from './run-folder.js';
import { describeSuite, firstPolicy, readSuite, type SuiteFilter, type SuiteInfo } from './suite.js';
import { ruleDigestsBeside } from './side-thread.js';
import { carryQuads, resultQuads, RunNames } from './to-rdf.js';
import { carriedByReference, graphResults, journalCases } from './carried-by-reference.js';
import { keepRuleDigests, planCarryOver, scenariosToAsk, type Carried, type CarryOver } from './carry-over.js';
import { RunGraphDraft } from './run-graph-draft.js';
import type { PolicySnapshot } from '../evolution/snapshot.js';
import { readVersionFacts, type VersionFacts } from '../evolution/version-facts.js';
import type { Grader, GraderRef, RuleBrief } from './verdict.js';

/** The kind of derived graph an audit run's results are kept in. */
export const AUDIT_KIND = 'audit';

/** The folder under the data folder where runs and the response cache live. */
export function auditsDir(dataDir: string): string {
  return path.join(dataDir, 'audits');
}

export interface AuditOptions {
  readonly store: GraphStore;
  /** <dataDir>/audits. */
  readonly auditsDir: string;
  /** The suite file (eval.jsonl). */
  readonly suite: string;
  readonly filter?: SuiteFilter;
  /** The model under audit. */
  readonly target: LlmClient;
  /** Every grader grades every answer (the deterministic checks, and a judge when asked for). */
  readonly graders: readonly Grader[];
  /** The judge's endpoint and model, recorded on the run. */
  readonly judge?: { readonly endpoint: string; readonly model: string };
  readonly stage: Stage;
  readonly label?: string;
  /** Requests in flight at once (default: the target's configured concurrency). */
  readonly concurrency?: number;
  /** Results whose graph triples are rendered together while the run goes (run-graph-draft.ts). */
  readonly draftBatch?: number;
  /** Start a new run even when an unfinished one could be resumed. */
  readonly fresh?: boolean;
  /** Resume this run (id or IRI); its suite, model, stage and graders must match. */
  readonly resume?: string;
  /** Ask the endpoint even when the cache has the answer. */
  readonly noCache?: boolean;
  /**
   * Only what changed since this finished run (id or IRI): scenarios of rules changed, removed or depending on
   * those since it, and scenarios it did not answer as asked now, are asked; its other results are carried over.
   */
  readonly since?: string;
  readonly progress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface AuditOutcome {
  readonly run: RunManifest;
  readonly suite: SuiteInfo;
  /** True when an unfinished run was carried on. */
  readonly resumed: boolean;
  /** Results the journal already held when this call began. */
  readonly alreadyDone: number;
  /** Answers asked of the endpoint in this call, and answers taken from the cache. */
  readonly asked: number;
  readonly fromCache: number;
  /** Bytes of a torn last line cut from the journal on resuming (a write a kill interrupted). */
  readonly repairedBytes: number;
  /** With since: results carried over in this call, and the rules whose scenarios were asked again. */
  readonly carriedOver?: { readonly from: string; readonly results: number; readonly changed: readonly string[]; readonly removed: readonly string[]; readonly dependents: number };
  readonly graph: DerivedGraph;
}

/** Stopped before every scenario had its result; everything written is kept and the same command resumes. */
export class AuditInterruptedError extends StudioError {
  constructor(readonly run: RunManifest, readonly done: number, readonly total: number, cause: unknown) {
    super(
      `${cause instanceof Error ? cause.message : String(cause)}\nAudit run ${run.id} stopped with ${done} of ${total} results written; they are kept. Run the same command again to resume it (or pass --resume ${run.id}).`,
      { cause },
    );
  }
}

/** Runs (or resumes) an audit and writes its graph. */
export async function runAudit(options: AuditOptions): Promise<AuditOutcome> {
  const filter = options.filter ?? {};
  // The context of the policy the suite's first line names is read aside (in a worker of the store's) while this thread
  // reads the suite through and starts the run: the first scenarios are asked before the context is in, and graded once
  // it is.
  const described = handled(describeSuite(options.suite, filter));
  const guess = await firstPolicy(options.suite);
  const reading = guess === undefined ? undefined : handled(contextOf(options.store, guess));
  const suite = await described;
  if (suite.cases === 0) throw new AuditRunError(`${options.suite}: no scenario matches${Object.keys(filter).length ? ` ${JSON.stringify(filter)}` : ''}`);
  if (suite.policies.length !== 1) throw new AuditRunError(`${options.suite}: scenarios of ${suite.policies.length} policies (${suite.policies.join(', ')}); a run audits one policy, so give one policy's eval.jsonl`);
  const policy = suite.policies[0]!;
  const loaded = await loadedPolicy(options.store, policy);
  const contextRead = reading && guess === policy ? reading : handled(contextOf(options.store, policy));
  // What grading needs of the policy; until it is in, an answer's grading waits apart and its request slot goes on to the
  // next scenario (but for a judge's, whose requests must stay within the bound).
  const grading = handled(contextRead.then((context) => ({ context, briefs: ruleBriefs(context) })));
  let graded: Awaited<typeof grading> | undefined;
  grading.then((ready) => (graded = ready), () => undefined);
  const judged = options.graders.some((g) => g.judge !== undefined);
  const graders = options.graders.map((g) => g.ref);
  if (graders.length === 0) throw new AuditRunError('an audit needs at least one grader');

  const settings = {
    policy,
    stage: options.stage,
    suite: { file: options.suite, sha256: suite.sha256, cases: suite.cases, filter },
    target: { endpoint: options.target.endpoint, model: options.target.model, parameters: options.target.parameters },
    ...(options.judge ? { judge: options.judge } : {}),
    graders: graders.map((g) => g.id),
    ...(options.label ? { label: options.label } : {}),
    policySha256: loaded.sha256,
  };
  // The digests of the rules as this run finds them, kept so that a later run can re-audit only what changed since: made
  // in the side thread from the kept Turtle while the scenarios are asked (or from the snapshot --since reads anyway).
  // The snapshot (and with --since the digests) from the facts the store kept of the version when it was loaded
  // (evolution/version-facts.ts), when it did: the policy's graph is then not exported.
  let read: Promise<VersionFacts> | undefined;
  const facts = () => (read ??= readVersionFacts(options.store, policy, loaded.sha256, () => options.store.exportQuads(policy)).then((r) => r.facts));
  const snapshot = async (): Promise<PolicySnapshot> => (await facts()).snapshot;
  const digests = async (): Promise<ReadonlyMap<string, string>> => {
    const source = options.since ? undefined : await options.store.readVersion(policy, loaded.sha256);
    return source ? ruleDigestsBeside(source) : (await facts()).digests;
  };
  const keeping = handled(keepRuleDigests(digests, options.auditsDir, loaded.sha256));
  const carry: CarryOver | undefined = options.since ? await planCarryOver(snapshot, options.auditsDir, options.since, settings) : undefined;
  const wanted = { ...settings, ...(carry ? { since: carry.since.id } : {}) };
  const { run, resumed } = await findOrCreateRun(options, wanted);
  if (carry) await run.saveAffected({ since: carry.since.id, changed: carry.affected.changed, removed: carry.affected.removed, dependents: carry.affected.dependents });
  // The text of each rule as the run found it, kept so that a later edit shows the results as stale (once the context is in).
  const savingTexts =
    !resumed || (await run.readRuleTexts()).size === 0 ? handled(contextRead.then((context) => run.saveRuleTexts(new Map(context.provisions.map((p) => [p.iri, p.text]))))) : Promise.resolve();
  const { journal, records, repairedBytes } = await Journal.open<ResultRecord>(run.results, resultKey);
  const alreadyDone = records.length;
  records.length = 0;
  const cache = new ResponseCache(path.join(options.auditsDir, 'cache'));
  // A run begun now that carries nothing over has its graph drafted as it goes (run-graph-draft.ts), in a store that
  // keeps graphs as files; any other is written from its journal at the end.
  const draft =
    !resumed && alreadyDone === 0 && !carry && options.store.engine === 'embedded'
      ? new RunGraphDraft(run, await options.store.beginDerivedGraph({ graph: runGraphIri(run.manifest.id), kind: AUDIT_KIND, policy, policySha256: loaded.sha256 }), graders, options.draftBatch)
      : undefined;
  let committed = false;
  let asked = 0;
  let fromCache = 0;
  let carried = 0;
  let written = journal.size;
  options.progress?.(written, suite.cases);
  // A worker asks its next question while its result is being written: waiting for the disk cost an audit about a
  // twentieth of its throughput. Writes still in flight are waited for before the run ends, and the first one that fails
  // stops the run as a failed request would.
  const pending = new Set<Promise<void>>();
  const writeFailed = new AbortController();
  let failure: { error: unknown } | undefined;
  const keep = (writing: Promise<unknown>, lines = 1) => {
    const write = writing
      .then(() => options.progress?.((written += lines), suite.cases))
      .catch((error: unknown) => {
        failure ??= { error };
        writeFailed.abort(error);
      })
      .finally(() => pending.delete(write));
    pending.add(write);
  };
  // With --since, the results carried over are written as the suite is read, and only the scenarios to ask come here.
  const carrying = {
    done: (scenario: string) => journal.has(scenario),
    carry: (results: readonly Carried[]) => {
      carried += results.length;
      keep(journal.appendJsons(results.map(({ scenario, result }) => ({ key: scenario, json: result.json }))), results.length);
    },
  };
  try {
    await forEachBounded(
      carry ? scenariosToAsk(options.suite, filter, carry, carrying) : readSuite(options.suite, filter),
      options.concurrency ?? options.target.concurrency,
      async (c, signal) => {
        if (journal.has(c.iri)) return;
        const key = requestKey(options.target.endpoint, options.target.model, c.messages, options.target.parameters);
        let reply: CachedReply | undefined = options.noCache ? undefined : await cache.get(key);
        const cached = reply !== undefined;
        let kept: Promise<void> | undefined;
        if (!reply) {
          const answer = await options.target.chat({ messages: c.messages, signal });
          reply = { text: answer.text, servedModel: answer.servedModel, finishReason: answer.finishReason };
          asked++;
          kept = cache.put(key, reply);
        } else fromCache++;
        const answered = { ...reply, cached };
        // Graded, the result goes to the journal (and the draft, in the same order); its write is not waited for here.
        const complete = async ({ context, briefs }: Awaited<typeof grading>): Promise<{ written: Promise<unknown> }> => {
          const rule = briefs.get(c.rules[0]!);
          const input = { case: withChainOfCommand(c, context), response: answered.text, ...(rule ? { rule } : {}) };
          const judgements: JudgeRecord[] = [];
          const verdicts = await Promise.all(
            options.graders.map(async (g) => {
              if (!g.judge) return g.grade(input, signal);
              const judged = await g.judge(input, signal);
              judgements.push({ grader: g.ref.id, promptHash: judged.promptHash, servedModel: judged.servedModel, requests: judged.requests });
              return judged.verdict;
            }),
          );
          signal.throwIfAborted();
          const record = resultRecord(c, answered, promptHash(c.messages), verdicts, judgements);
          const written = Promise.all([kept, journal.append(record)]);
          draft?.add(record);
          return { written };
        };
        if (graded || judged) keep((await complete(graded ?? (await grading))).written);
        else keep(grading.then(complete).then(({ written }) => written));
      },
      options.signal ? AbortSignal.any([options.signal, writeFailed.signal]) : writeFailed.signal,
    );
  } catch (error) {
    failure ??= { error };
  }
  let graph: DerivedGraph;
  try {
    await savingTexts.catch((error: unknown) => void (failure ??= { error }));
    await Promise.all(pending);
    await journal.close();
    await cache.close();
    if (failure) throw new AuditInterruptedError(run.manifest, written, suite.cases, failure.error);
    // A finished run has its digests kept: --since needs them.
    await keeping;
    if (!run.finished) await run.finish();
    const drafted = await draft?.commit();
    committed = true;
    graph = drafted ?? (await writeRunGraph(options.store, run, { policy: loaded }, graders));
  } finally {
    if (!committed) await draft?.abort();
  }
  const carriedOver = carry
    ? { from: carry.since.id, results: carried, changed: carry.affected.changed, removed: carry.affected.removed, dependents: carry.affected.dependents.length }
    : undefined;
  return { run: run.manifest, suite, resumed, alreadyDone, asked, fromCache, repairedBytes, graph, ...(carriedOver ? { carriedOver } : {}) };
}

/** The promise, marked as handled: it may fail before it is awaited (an earlier step failing first) without ending the process. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** The run to carry on (an explicit --resume, or the latest unfinished one with the same settings), or a new one. */
async function findOrCreateRun(options: AuditOptions, wanted: Omit<RunManifest, 'version' | 'id' | 'iri' | 'startedAt'>): Promise<{ run: RunFolder; resumed: boolean }> {
  const key = resumeKey(wanted);
  if (options.resume) {
    const run = await RunFolder.open(options.auditsDir, options.resume);
    if (resumeKey(run.manifest) !== key) {
      throw new AuditRunError(`run ${run.manifest.id} was made with other settings (${differences(run.manifest, wanted).join('; ')}); resume it with the same suite, model, parameters, stage and graders, or start a new run`);
    }
    return { run, resumed: true };
  }
  if (!options.fresh) {
    const open = (await RunFolder.list(options.auditsDir)).filter((r) => !r.finished && resumeKey(r.manifest) === key);
    if (open.length > 0) return { run: open.at(-1)!, resumed: true };
  }
  const run = await RunFolder.create(options.auditsDir, wanted);
  return { run, resumed: false };
}

function differences(have: RunManifest, want: Omit<RunManifest, 'version' | 'id' | 'iri' | 'startedAt'>): string[] {
  const out: string[] = [];
  if (have.suite.sha256 !== want.suite.sha256) out.push(`suite ${have.suite.file} (sha256 ${have.suite.sha256.slice(0, 12)}) vs ${want.suite.file} (${want.suite.sha256.slice(0, 12)})`);
  if (JSON.stringify(have.suite.filter) !== JSON.stringify(want.suite.filter)) out.push(`filter ${JSON.stringify(have.suite.filter)} vs ${JSON.stringify(want.suite.filter)}`);
  if (have.target.endpoint !== want.target.endpoint || have.target.model !== want.target.model) out.push(`model ${have.target.model} at ${have.target.endpoint} vs ${want.target.model} at ${want.target.endpoint}`);
  if (JSON.stringify(have.target.parameters) !== JSON.stringify(want.target.parameters)) out.push(`parameters ${JSON.stringify(have.target.parameters)} vs ${JSON.stringify(want.target.parameters)}`);
  if (have.stage !== want.stage) out.push(`stage ${have.stage} vs ${want.stage}`);
  if (JSON.stringify(have.graders) !== JSON.stringify(want.graders)) out.push(`graders ${have.graders.join(',')} vs ${want.graders.join(',')}`);
  if (have.policy !== want.policy) out.push(`policy ${have.policy} vs ${want.policy}`);
  return out.length ? out : ['judge'];
}

/** What an audit needs of the policy: its rules, read aside (in the embedded store, a worker that reads the folder); a policy not loaded is a PolicyNotLoadedError. */
function contextOf(store: GraphStore, policy: string): Promise<RuleContext> {
  return readRuleContext(store, policy, { aside: true });
}

/** What a judge's rubric is built from, for every provision of the policy. */
export function ruleBriefs(context: Pick<PolicyContext, 'provisions'>): Map<string, RuleBrief> {
  const exceptions = new Map<string, { iri: string; label: string; text: string }[]>();
  for (const p of context.provisions) {
    for (const base of p.exceptionTo) {
      const list = exceptions.get(base) ?? [];
      list.push({ iri: p.iri, label: p.label, text: p.text });
      exceptions.set(base, list);
    }
  }
  const briefs = new Map<string, RuleBrief>();
  for (const p of context.provisions) {
    briefs.set(p.iri, { iri: p.iri, kind: p.kind, label: p.label, text: p.text, ...(p.section ? { section: p.section } : {}), exceptions: exceptions.get(p.iri) ?? [] });
  }
  return briefs;
}

/** Results whose triples go to the store together when a run's graph is written. */
const RUN_GRAPH_BATCH = 2_000;

/**
 * Writes (or rewrites) a run's derived graph from its folder: the run, every
 * result with its evidence and verdicts, the human verdicts imported since,
 * and the text each tested rule had when the run began. A run made with
 * --only-affected holds the results it carried over by reference only
 * (carried-by-reference.ts): the run it carries from and the scenarios of
 * that run it leaves out. The results are read and written a batch at a
 * time, so memory does not grow with the run; the previous version stays
 * until the whole graph is in.
 */
export async function writeRunGraph(store: GraphStore, run: RunFolder, context?: Pick<PolicyContext, 'policy'>, graders?: readonly GraderRef[]): Promise<DerivedGraph> {
  const policySha256 = (context?.policy ?? (await loadedPolicy(store, run.manifest.policy))).sha256;
  const { records: human } = await readJournal<HumanRecord>(run.human);
  const humanByCase = new Map<string, HumanRecord[]>();
  for (const h of human) humanByCase.set(h.case, [...(humanByCase.get(h.case) ?? []), h]);
  const textOf = await run.readRuleTexts();
  const names = new RunNames(graders);
  const carry = await carriedByReference(store, run);
  const carried = new Set<string>();
  const writer = await store.beginDerivedGraph({ graph: runGraphIri(run.manifest.id), kind: AUDIT_KIND, policy: run.manifest.policy, policySha256 });
  try {
    let batch: Quad[] = [];
    let results = 0;
    for await (const read of graphResults(run.results, carry)) {
      if ('carried' in read) {
        names.meetRules(read.rules);
        carried.add(read.carried);
        continue;
      }
      const r = read.record;
      names.meetRules(r.rules);
      names.meetGraders(r.verdicts);
      if (carry && r.carriedOverFrom && !carry.reviewed.has(r.case)) {
        // The run carried from holds this very result (the journal line was copied from its journal).
        carried.add(r.case);
        continue;
      }
      batch.push(...resultQuads(run.manifest, r, humanByCase.get(r.case) ?? []));
      if (++results % RUN_GRAPH_BATCH === 0) {
        await writer.append(batch);
        batch = [];
      }
    }
    if (carry) {
      const leftOut: string[] = [];
      for await (const scenario of journalCases(carry.since.results)) if (!carried.delete(scenario)) leftOut.push(scenario);
      if (carried.size > 0) throw new AuditRunError(`run ${run.manifest.id} carried ${carried.size} result(s) over from run ${carry.since.manifest.id} that its journal does not hold (first: ${[...carried][0]}); the journal was edited`);
      batch.push(...carryQuads(run.manifest, carry.since.manifest.id, leftOut));
    }
    names.meetGraders(human.map((h) => h.verdict));
    // The run itself last: which graders and rules it names is known once every result is read.
    batch.push(...names.quads(run.manifest, textOf));
    await writer.append(batch);
    return await writer.commit();
  } finally {
    await writer.abort();
  }
}
