/**
 * An audit run as RDF, for the run's derived graph, in PROV-O and EARL terms:
 *
 *   run      a studio:AuditRun (prov:Activity); prov:used the model, the suite
 *            and the policy; studio:stage; prov:startedAtTime, prov:endedAtTime
 *   response a studio:Response (prov:Entity): the model's answer to one
 *            scenario, with the prompt hash; prov:wasGeneratedBy the run
 *   result   a studio:AuditResult (earl:Assertion), one per scenario and
 *            grader: earl:assertedBy the grader, earl:subject the model,
 *            studio:testsRule each rule (earl:test), studio:ranScenario the
 *            scenario, studio:evidence the response, earl:result an
 *            earl:TestResult with earl:outcome, earl:info (the reason) and
 *            studio:score, and studio:grade (pass, borderline or fail; a
 *            verdict without one takes its outcome's), and on a chain-of-command
 *            scenario failed for following the wrong party, studio:followedParty
 *            (the message source followed). The verdict that decides the scenario (a human's,
 *            else the judge's, else the checks') is studio:decisive true.
 *   snapshot the text each tested rule had when the run used it, so that a
 *            later edit of the rule shows its results as stale.
 *   carried  a run with --only-affected (run B, given run A to --since)
 *            states B studio:carriesOverFrom A and prov:wasInformedBy A, and
 *            holds no triple of the results it carries: it carries every
 *            result run A has (its own, and those A carries in turn) except
 *            the scenarios it lists with studio:leavesOut (asked again, no
 *            longer in the suite, or holding reviewers' verdicts in B). The
 *            audit queries read a run's results as its own plus those it
 *            carries, walking the chain (sparql/audit-*.rq). A carried
 *            result is read as decided by the machines (as the run that
 *            carries it took it over): its machine verdict that is
 *            studio:decisive, or, when a reviewer's verdict decides it in its
 *            own run, the one marked studio:decidesUnreviewed. A result B
 *            holds itself though it was carried (B's reviewers gave a
 *            verdict on it) keeps studio:carriedOverFrom, on its response and
 *            machine verdicts, naming the run that asked and graded it.
 */

import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import { sha256 } from '../framers/hierarchy.js';
import { GENERATED_NS } from '../framers/item.js';
import { EARL, PROV, RDF, RDFS, STUDIO, XSD } from '../vocabulary.js';
import { versionIri } from '../store/graph-store.js';
import { decidingVerdict, type HumanRecord, type ResultRecord } from './result-record.js';
import { dateTimeLiteral } from '../rdf/date-time.js';
import { modelIri, runIri, suiteIri, type RunManifest } from './run-folder.js';
import { gradeOf, type GraderRef, type Verdict } from './verdict.js';

const { namedNode, literal, quad } = N3.DataFactory;
const iri = namedNode;
const s = (local: string) => namedNode(`${STUDIO}${local}`);
const earl = (local: string) => namedNode(`${EARL}${local}`);
const prov = (local: string) => namedNode(`${PROV}${local}`);
const TYPE = namedNode(`${RDF}type`);
const LABEL = namedNode(`${RDFS}label`);
const DECIMAL = namedNode(`${XSD}decimal`);
const BOOLEAN = namedNode(`${XSD}boolean`);
const JSON_TYPE = namedNode(`${RDF}JSON`);

/** The IRI of a grader. */
export function graderIri(grader: GraderRef): string {
  return `${GENERATED_NS}grader/${sha256(grader.id).slice(0, 32)}`;
}

/** The IRI of one grader's result on one scenario of a run. */
export function resultIri(run: RunManifest, scenario: string, grader: GraderRef): string {
  return `${run.iri}/result/${sha256(JSON.stringify([scenario, grader.id])).slice(0, 32)}`;
}

function responseIri(run: RunManifest, scenario: string): string {
  return `${run.iri}/response/${sha256(scenario).slice(0, 32)}`;
}

function snapshotIri(run: RunManifest, rule: string): string {
  return `${run.iri}/rule/${sha256(rule).slice(0, 32)}`;
}

/** A score as an xsd:decimal lexical form (three decimals at most, no trailing zeros). */
function decimal(score: number): string {
  return String(Math.round(Math.min(1, Math.max(0, score)) * 1000) / 1000);
}

/**
 * What the run's own triples name, gathered as its results are read: the
 * graders (those given first, then those the verdicts name) and the rules
 * the results test, in the order met, each with the text it had when the
 * run began. The run's graph is the same whether written from the journal
 * or drafted as the run goes (run-graph-draft.ts), because both gather here.
 */
export class RunNames {
  private readonly graders = new Map<string, GraderRef>();
  private readonly rules = new Set<string>();

  constructor(graders: readonly GraderRef[] = []) {
    for (const g of graders) this.graders.set(g.id, g);
  }

  /** The rules a result tests. */
  meetRules(rules: readonly string[]): void {
    for (const rule of rules) this.rules.add(rule);
  }

  /** The graders of verdicts, machine or human. */
  meetGraders(verdicts: readonly { readonly grader: GraderRef }[]): void {
    for (const v of verdicts) this.graders.set(v.grader.id, v.grader);
  }

  /** The run's own triples (runQuads), naming the rules met that `textOf` (the texts at the run's start) knows. */
  quads(run: RunManifest, textOf: ReadonlyMap<string, string>): Quad[] {
    const texts = new Map<string, string>();
    for (const rule of this.rules) if (textOf.has(rule)) texts.set(rule, textOf.get(rule)!);
    return runQuads(run, [...this.graders.values()], texts);
  }
}

/** The triples of the run itself: what it used, its stage, its times, the model, the suite and the graders. */
export function runQuads(run: RunManifest, graders: readonly GraderRef[], ruleTexts: ReadonlyMap<string, string>): Quad[] {
  const r = iri(run.iri);
  const model = iri(modelIri(run.target.endpoint, run.target.model));
  const suite = iri(suiteIri(run.suite.sha256));
  const out: Quad[] = [
    quad(r, TYPE, s('AuditRun')),
    quad(r, prov('used'), model),
    quad(r, prov('used'), suite),
    quad(r, prov('used'), iri(run.policy)),
    quad(r, s('stage'), s(run.stage)),
    quad(r, prov('startedAtTime'), dateTimeLiteral(run.startedAt)),
    quad(r, s('model'), literal(run.target.model)),
    quad(r, s('modelParameters'), literal(JSON.stringify(run.target.parameters), JSON_TYPE)),
    quad(model, TYPE, s('Model')),
    quad(model, LABEL, literal(run.target.model)),
    quad(model, s('endpoint'), literal(run.target.endpoint)),
    quad(suite, TYPE, s('Suite')),
    quad(suite, s('contentHash'), literal(run.suite.sha256)),
    quad(suite, LABEL, literal(run.suite.file)),
  ];
  if (run.finishedAt) out.push(quad(r, prov('endedAtTime'), dateTimeLiteral(run.finishedAt)));
  if (run.label) out.push(quad(r, LABEL, literal(run.label)));
  if (run.judge) out.push(quad(r, s('judgeModel'), literal(run.judge.model)));
  if (run.since) out.push(quad(r, prov('wasInformedBy'), iri(runIri(run.since))));
  if (run.policySha256) out.push(quad(r, s('derivedFromVersion'), iri(versionIri(run.policySha256))));
  for (const grader of graders) {
    const g = iri(graderIri(grader));
    out.push(quad(g, TYPE, s('Grader')), quad(g, LABEL, literal(grader.id)), quad(g, s('graderKind'), literal(grader.kind)), quad(r, prov('wasAssociatedWith'), g));
  }
  for (const [rule, text] of ruleTexts) {
    const snapshot = iri(snapshotIri(run, rule));
    out.push(quad(snapshot, TYPE, s('RuleSnapshot')), quad(snapshot, s('snapshotOf'), iri(rule)), quad(snapshot, s('snapshotText'), literal(text)), quad(r, s('ruleSnapshot'), snapshot));
  }
  return out;
}

/**
 * In a run's graph (not in a report, which holds every result whole): the run
 * it carries results over from, and the scenarios of that run it leaves out.
 */
export function carryQuads(run: RunManifest, since: string, scenarios: Iterable<string>): Quad[] {
  const r = iri(run.iri);
  const out: Quad[] = [quad(r, s('carriesOverFrom'), iri(runIri(since)))];
  for (const scenario of scenarios) out.push(quad(r, s('leavesOut'), iri(scenario)));
  return out;
}

/** The triples of one scenario's result: the response and one assertion per verdict (machine and human). */
export function resultQuads(run: RunManifest, record: ResultRecord, human: readonly HumanRecord[] = []): Quad[] {
  const response = iri(responseIri(run, record.case));
  const model = iri(modelIri(run.target.endpoint, run.target.model));
  const out: Quad[] = [
    quad(response, TYPE, s('Response')),
    quad(response, prov('wasGeneratedBy'), iri(run.iri)),
    quad(response, s('ranScenario'), iri(record.case)),
    quad(response, s('promptHash'), literal(record.promptHash)),
    quad(response, s('responseText'), literal(record.response)),
    quad(response, s('servedModel'), literal(record.servedModel)),
    quad(response, prov('generatedAtTime'), dateTimeLiteral(record.at)),
  ];
  if (record.carriedOverFrom) out.push(quad(response, s('carriedOverFrom'), iri(record.carriedOverFrom)));
  const verdicts: { verdict: Verdict; at: string }[] = [
    ...record.verdicts.map((verdict) => ({ verdict, at: record.at })),
    ...human.map((h) => ({ verdict: h.verdict, at: h.reviewedAt ?? h.importedAt })),
  ];
  const deciding = decidingVerdict(verdicts.map((v) => v.verdict));
  // What decides without the reviewers: a run carrying this result over reads that one (see the header).
  const unreviewed = human.length > 0 ? decidingVerdict(record.verdicts) : undefined;
  for (const { verdict, at } of verdicts) {
    const assertion = iri(resultIri(run, record.case, verdict.grader));
    const outcome = iri(`${assertion.value}#outcome`);
    out.push(
      quad(assertion, TYPE, s('AuditResult')),
      quad(assertion, prov('wasGeneratedBy'), iri(run.iri)),
      quad(assertion, earl('assertedBy'), iri(graderIri(verdict.grader))),
      quad(assertion, earl('subject'), model),
      quad(assertion, s('ranScenario'), iri(record.case)),
      quad(assertion, s('evidence'), response),
      quad(assertion, earl('mode'), earl(verdict.grader.kind === 'human' ? 'manual' : 'automatic')),
      quad(assertion, earl('result'), outcome),
      quad(assertion, s('decisive'), literal(verdict === deciding ? 'true' : 'false', BOOLEAN)),
      quad(outcome, TYPE, earl('TestResult')),
      quad(outcome, earl('outcome'), earl(verdict.outcome)),
      quad(outcome, earl('info'), literal(verdict.reason)),
      quad(outcome, s('score'), literal(decimal(verdict.score), DECIMAL)),
      quad(outcome, prov('generatedAtTime'), dateTimeLiteral(at)),
    );
    if (unreviewed !== undefined && verdict === unreviewed && verdict !== deciding) out.push(quad(assertion, s('decidesUnreviewed'), literal('true', BOOLEAN)));
    const grade = gradeOf(verdict);
    if (grade) out.push(quad(outcome, s('grade'), literal(grade)));
    if (verdict.followed) out.push(quad(outcome, s('followedParty'), iri(verdict.followed)));
    for (const rule of record.rules) out.push(quad(assertion, s('testsRule'), iri(rule)));
    if (record.carriedOverFrom && verdict.grader.kind !== 'human') out.push(quad(assertion, s('carriedOverFrom'), iri(record.carriedOverFrom)));
    const judged = record.judgements?.find((j) => j.grader === verdict.grader.id);
    if (judged) out.push(quad(assertion, s('promptHash'), literal(judged.promptHash)), quad(assertion, s('servedModel'), literal(judged.servedModel)));
  }
  return out;
}
