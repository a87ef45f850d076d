/**
 * Everything a provenance report shows, gathered once for every format: the
 * policy's rules with their section, authority and dates (report-rules,
 * report-sections), the items that teach and test each one (report-items),
 * the conflicts recorded between them (generation-conflicts,
 * conflicts-of-rule), the coverage queries, and from each run's folder every
 * result with its evidence — the prompt hash, the answer, every grader's
 * verdict and reason, and reviewers' verdicts — together with the digest of
 * the journals read, so the report can later be checked against them.
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { GraphStore, LoadedPolicy, ReadOptions, Row } from '../store/graph-store.js';
import { PolicyNotLoadedError, ReportError } from '../errors.js';
import { localName, type DetectedConflict } from '../framers/policy-context.js';
import { decidingVerdict, type HumanRecord, type ResultRecord } from '../auditors/result-record.js';
import { RunFolder, type RunManifest } from '../auditors/run-folder.js';
import { gradeOf, type Grade, type Outcome, type Verdict } from '../auditors/verdict.js';
import type { Message } from '../framers/templates.js';
import { CHAIN_START } from '../auditors/journal.js';
import { promptHash } from '../auditors/response-cache.js';
import { readSuite } from '../auditors/suite.js';
import { readJournalLines, walkChain, type JournalDigest, type ReportDigest, type RunDigest } from './journal-digest.js';

/** One scenario's result in one run, as its journal line holds it. */
export interface ReportResult {
  /** `<run number>-<line>`: the anchor of the result in every format. */
  readonly key: string;
  /** Index of the run in ReportData.runs. */
  readonly run: number;
  /** 1-based line of results.jsonl. */
  readonly line: number;
  readonly record: ResultRecord;
  /** Reviewers' verdicts on the same scenario. */
  readonly human: readonly HumanRecord[];
  /** The deciding verdict's outcome, and who gave it. */
  readonly outcome: Outcome;
  /** The deciding verdict's grade (pass, borderline, fail; a result written before grades takes its outcome's); none when undecided. */
  readonly grade?: Grade;
  readonly decidedBy: string;
  /** The journal's chain value after this line. */
  readonly chain: string;
  /** The conversation sent to the model (system, user ... turns), from the run's suite file or the graph, whichever matches the prompt hash; empty when neither does. */
  readonly messages: readonly Message[];
  /** Why the result no longer holds, when it is stale: "rule changed (<rule>)", "scenario removed" ... */
  readonly stale: readonly string[];
}

export interface ReportRun {
  readonly number: number;
  readonly manifest: RunManifest;
  readonly digest: RunDigest;
  readonly results: readonly ReportResult[];
  /** The text each provision had when the run began (rules.json). */
  readonly ruleTexts: ReadonlyMap<string, string>;
}

export interface ItemRef {
  readonly iri: string;
  /** Instruction, Scenario, RedTeamPrompt or ImportedScenario. */
  readonly type: string;
  readonly family: string;
  readonly label?: string;
  readonly attack?: string;
}

export interface SectionInfo {
  readonly iri: string;
  readonly number: string;
  readonly title: string;
}

export interface ReportRule {
  readonly iri: string;
  /** Obligation, Prohibition, Permission or Exception. */
  readonly kind: string;
  readonly label: string;
  readonly text: string;
  readonly section?: SectionInfo;
  /** The authority rank that applies: the rule's own, else its instructing message source's, else the nearest section's or the regulation's. */
  readonly authority?: { readonly rank: number; readonly from: string };
  readonly effectiveFrom?: string;
  readonly effectiveUntil?: string;
  /** Instructions derived from it. */
  readonly teaches: readonly ItemRef[];
  /** Scenarios and red-team prompts derived from it. */
  readonly tests: readonly ItemRef[];
}

/** A recorded conflict, with the resolution's reason and the documented conflict it matches. */
export interface ReportConflict extends DetectedConflict {
  readonly reason?: string;
  readonly documented?: string;
}

export interface Coverage {
  /** Rules no instruction teaches. */
  readonly withoutInstructions: readonly string[];
  /** Rules lacking a scenario of a label, with the labels missing. */
  readonly withoutScenarios: readonly { readonly rule: string; readonly missing: readonly string[] }[];
  /** Rules no scenario or red-team prompt tests. */
  readonly withoutTests: readonly string[];
  /** Rules no audit result in the graph tests, in any run. */
  readonly neverAudited: readonly string[];
}

export interface ReportData {
  readonly generatedAt: string;
  readonly policy: LoadedPolicy & { readonly label: string };
  readonly runs: readonly ReportRun[];
  readonly rules: readonly ReportRule[];
  readonly conflicts: readonly ReportConflict[];
  readonly coverage: Coverage;
  readonly digest: ReportDigest;
}

export interface ReportRequest {
  readonly store: GraphStore;
  /** <dataDir>/audits. */
  readonly auditsDir: string;
  readonly policy: string;
  /** Run ids or IRIs, in the order to show them (default: every finished run of the policy, oldest first). */
  readonly runs?: readonly string[];
  readonly now?: Date;
}

const str = (value: Row[string] | undefined): string | undefined => (value === null || value === undefined || value === '' ? undefined : String(value));

/** A section (or regulation) node of report-sections: its number, title, the nodes it is part of and its own rank. */
export interface SectionNode {
  number?: string;
  title?: string;
  parents: string[];
  rank?: number;
}

/** The sections of report-sections' rows, by IRI. */
export function sectionNodes(rows: readonly Row[]): Map<string, SectionNode> {
  const nodes = new Map<string, SectionNode>();
  for (const row of rows) {
    const iri = String(row.node);
    const node = nodes.get(iri) ?? { parents: [] };
    node.number ??= str(row.number);
    node.title ??= str(row.title);
    if (row.rank !== null && row.rank !== undefined && node.rank === undefined) node.rank = Number(row.rank);
    const parent = str(row.parent);
    if (parent && !node.parents.includes(parent)) node.parents.push(parent);
    nodes.set(iri, node);
  }
  return nodes;
}

/** The authority rank that applies to a rule of report-rules: its own, else its instructing message source's, else the nearest section's or the regulation's. */
export function authorityOf(row: Row, nodes: ReadonlyMap<string, SectionNode>): { rank: number; from: string } | undefined {
  if (row.rank !== null && row.rank !== undefined) return { rank: Number(row.rank), from: String(row.rule) };
  if (row.sourceRank !== null && row.sourceRank !== undefined) return { rank: Number(row.sourceRank), from: 'message source' };
  const seen = new Set<string>();
  const start = str(row.section);
  let level = start ? [start] : [];
  while (level.length > 0) {
    const next: string[] = [];
    for (const iri of level.sort()) {
      if (seen.has(iri)) continue;
      seen.add(iri);
      const node = nodes.get(iri);
      if (node?.rank !== undefined) return { rank: node.rank, from: iri };
      next.push(...(node?.parents ?? []));
    }
    level = next;
  }
  return undefined;
}

/** The authority rank of each rule of a policy, as reports give it (authorityOf); `options` as for any read. */
export async function ruleRanks(store: GraphStore, policy: string, options: ReadOptions = {}): Promise<Map<string, number>> {
  const [ruleRows, sectionRows] = await Promise.all([store.namedQuery('report-rules', { policy }, options), store.namedQuery('report-sections', { policy }, options)]);
  const nodes = sectionNodes(sectionRows);
  const ranks = new Map<string, number>();
  for (const row of ruleRows) {
    const authority = authorityOf(row, nodes);
    if (authority && !ranks.has(String(row.rule))) ranks.set(String(row.rule), authority.rank);
  }
  return ranks;
}

/** Gathers a report's data from the store and the run folders. */
export async function buildReportData(request: ReportRequest): Promise<ReportData> {
  const { store, policy: policyIri } = request;
  const loaded = await store.listPolicies();
  const policy = loaded.find((p) => p.policy === policyIri);
  if (!policy) throw new PolicyNotLoadedError(policyIri, loaded.map((p) => p.policy));
  const folders = await selectRuns(request);
  const params = { policy: policyIri };
  const evidence = await readEvidence(store, policyIri);
  const runs: ReportRun[] = [];
  for (const folder of folders) runs.push(await readRun(folder, runs.length + 1, evidence));

  const [ruleRows, sectionRows, itemRows, conflictRows, withoutInstructions, withoutScenarios, withoutTests, neverAudited] = await Promise.all([
    store.namedQuery('report-rules', params),
    store.namedQuery('report-sections', params),
    store.namedQuery('report-items', params),
    store.namedQuery('generation-conflicts', params),
    store.namedQuery('coverage-rules-without-instructions', params),
    store.namedQuery('coverage-rules-without-scenarios', params),
    store.namedQuery('audit-rules-without-tests', params),
    store.namedQuery('audit-rules-never-audited', params),
  ]);

  const nodes = sectionNodes(sectionRows);

  const teaches = new Map<string, ItemRef[]>();
  const tests = new Map<string, ItemRef[]>();
  for (const row of itemRows) {
    const type = String(row.type);
    const label = str(row.label);
    const attack = str(row.attack);
    const item: ItemRef = { iri: String(row.item), type, family: String(row.family), ...(label ? { label } : {}), ...(attack ? { attack } : {}) };
    const into = type === 'Instruction' ? teaches : tests;
    const list = into.get(String(row.rule)) ?? [];
    if (!list.some((i) => i.iri === item.iri)) list.push(item);
    into.set(String(row.rule), list);
  }

  const rules = new Map<string, ReportRule>();
  for (const row of ruleRows) {
    const iri = String(row.rule);
    if (rules.has(iri)) continue; // a second label or text: the first is kept
    const sectionIri = str(row.section);
    const section = sectionIri ? nodes.get(sectionIri) : undefined;
    const authority = authorityOf(row, nodes);
    const effectiveFrom = str(row.effectiveFrom);
    const effectiveUntil = str(row.effectiveUntil);
    rules.set(iri, {
      iri,
      kind: String(row.kind),
      label: str(row.label) ?? localName(iri),
      text: str(row.text) ?? '',
      ...(sectionIri ? { section: { iri: sectionIri, number: section?.number ?? '', title: section?.title ?? localName(sectionIri) } } : {}),
      ...(authority ? { authority } : {}),
      ...(effectiveFrom ? { effectiveFrom } : {}),
      ...(effectiveUntil ? { effectiveUntil } : {}),
      teaches: (teaches.get(iri) ?? []).sort(byIri),
      tests: (tests.get(iri) ?? []).sort(byIri),
    });
  }

  const conflicts = await readConflicts(store, conflictRows);
  const missing = new Map<string, string[]>();
  for (const row of withoutScenarios) missing.set(String(row.rule), [...(missing.get(String(row.rule)) ?? []), String(row.missing)]);
  const generatedAt = (request.now ?? new Date()).toISOString();
  return {
    generatedAt,
    policy: { ...policy, label: policy.title ?? localName(policy.policy) },
    runs,
    rules: [...rules.values()].sort(byIri),
    conflicts,
    coverage: {
      withoutInstructions: withoutInstructions.map((r) => String(r.rule)),
      withoutScenarios: [...missing].map(([rule, labels]) => ({ rule, missing: labels })),
      withoutTests: withoutTests.map((r) => String(r.rule)),
      neverAudited: neverAudited.map((r) => String(r.rule)),
    },
    digest: { kind: 'alignment-studio-report', version: 1, policy: policyIri, generatedAt, runs: runs.map((r) => r.digest) },
  };
}

const byIri = (a: { iri: string }, b: { iri: string }): number => (a.iri < b.iri ? -1 : a.iri > b.iri ? 1 : 0);

/** The runs asked for, or every finished run of the policy, oldest first. */
async function selectRuns(request: ReportRequest): Promise<RunFolder[]> {
  if (request.runs && request.runs.length > 0) {
    const folders: RunFolder[] = [];
    for (const id of request.runs) {
      const folder = await RunFolder.open(request.auditsDir, id);
      if (folder.manifest.policy !== request.policy) throw new ReportError(`run ${folder.manifest.id} audited ${folder.manifest.policy}, not ${request.policy}`);
      if (folders.some((f) => f.manifest.id === folder.manifest.id)) throw new ReportError(`run ${folder.manifest.id} is named twice in --runs`);
      folders.push(folder);
    }
    return folders;
  }
  const all = (await RunFolder.list(request.auditsDir)).filter((r) => r.manifest.policy === request.policy && r.finished);
  if (all.length === 0) throw new ReportError(`no finished audit run of ${request.policy} in ${request.auditsDir}; run 'studio audit run --suite <eval.jsonl>' first, or name runs with --runs`);
  return all.sort((a, b) => (a.manifest.startedAt < b.manifest.startedAt ? -1 : a.manifest.startedAt > b.manifest.startedAt ? 1 : a.manifest.id.localeCompare(b.manifest.id)));
}

/** What the graph adds to a run's journal: each scenario's conversation, and the results made stale since (by run and scenario). */
interface Evidence {
  readonly messages: ReadonlyMap<string, readonly Message[]>;
  readonly stale: ReadonlyMap<string, readonly string[]>;
}

async function readEvidence(store: GraphStore, policy: string): Promise<Evidence> {
  const [messageRows, staleRows] = await Promise.all([store.namedQuery('report-scenario-messages', { policy }), store.namedQuery('audit-stale-results', { policy })]);
  const messages = new Map<string, Message[]>();
  for (const row of messageRows) messages.set(String(row.scenario), JSON.parse(String(row.messages)) as Message[]);
  const stale = new Map<string, string[]>();
  for (const row of staleRows) {
    const key = JSON.stringify([String(row.run), String(row.scenario)]);
    const reason = String(row.reason) === 'scenario removed' ? 'scenario removed' : `${String(row.reason)} (${localName(String(row.rule))})`;
    const list = stale.get(key) ?? [];
    if (!list.includes(reason)) list.push(reason);
    stale.set(key, list);
  }
  return { messages, stale };
}

/**
 * The messages the run sent, from its suite file while the file is as the run
 * read it; none when it is gone or changed (the graph's copy stands in where
 * its hash matches the result's prompt hash).
 */
async function suiteMessages(run: RunManifest): Promise<Map<string, readonly Message[]>> {
  const messages = new Map<string, readonly Message[]>();
  try {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(run.suite.file)) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== run.suite.sha256) return messages;
    for await (const c of readSuite(run.suite.file)) messages.set(c.iri, c.messages);
  } catch {
    // A suite moved or removed since the run: the graph's copy, if any, is used.
  }
  return messages;
}

/** Reads a run's journals; a chain already broken is refused, since a report must not vouch for altered results. */
async function readRun(folder: RunFolder, number: number, evidence: Evidence): Promise<ReportRun> {
  const [results, human] = [await readChained(folder.results), await readChained(folder.human)];
  const humanByCase = new Map<string, HumanRecord[]>();
  for (const { record } of human.lines) {
    const h = record as unknown as HumanRecord;
    humanByCase.set(h.case, [...(humanByCase.get(h.case) ?? []), h]);
  }
  const sent = await suiteMessages(folder.manifest);
  const reportResults = results.lines.map(({ line, record, chain }): ReportResult => {
    const r = record as unknown as ResultRecord;
    const reviews = humanByCase.get(r.case) ?? [];
    const deciding: Verdict | undefined = decidingVerdict([...r.verdicts, ...reviews.map((h) => h.verdict)]);
    const grade = deciding ? gradeOf(deciding) : undefined;
    return {
      key: `${number}-${line}`,
      run: number - 1,
      line,
      record: r,
      human: reviews,
      outcome: deciding?.outcome ?? 'cantTell',
      ...(grade ? { grade } : {}),
      decidedBy: deciding?.grader.id ?? 'none',
      chain,
      messages: [sent.get(r.case), evidence.messages.get(r.case)].find((m) => m !== undefined && promptHash(m) === r.promptHash) ?? [],
      stale: evidence.stale.get(JSON.stringify([folder.manifest.iri, r.case])) ?? [],
    };
  });
  return {
    number,
    manifest: folder.manifest,
    digest: { run: folder.manifest.id, iri: folder.manifest.iri, results: results.digest, human: human.digest },
    results: reportResults,
    ruleTexts: await folder.readRuleTexts(),
  };
}

async function readChained(file: string): Promise<{ lines: { line: number; record: Record<string, unknown>; chain: string }[]; digest: JournalDigest }> {
  const read = await readJournalLines(file);
  if (!read) return { lines: [], digest: { lines: 0, head: CHAIN_START } };
  const { brokenAt, heads } = walkChain(read);
  if (brokenAt !== undefined) {
    throw new ReportError(`${file}:${brokenAt}: this line does not follow the journal's hash chain (altered, or a line before it removed); a report would vouch for results that are not as written`);
  }
  const lines = read.records.map(({ line, record }, i) => ({ line, record: record!, chain: heads[i]! }));
  return { lines, digest: { lines: lines.length, head: heads.at(-1) ?? CHAIN_START } };
}

/** The conflicts recorded between the policy's rules, with the reason and documented conflict from conflicts-of-rule. */
async function readConflicts(store: GraphStore, rows: readonly Row[]): Promise<ReportConflict[]> {
  const byIri = new Map<string, { iri: string; rules: string[]; certainty?: string; principle?: string; winner?: string; loser?: string; reason?: string; documented?: string }>();
  for (const row of rows) {
    const iri = String(row.conflict);
    const entry = byIri.get(iri) ?? { iri, rules: [] };
    if (!entry.rules.includes(String(row.rule))) entry.rules.push(String(row.rule));
    for (const key of ['certainty', 'principle', 'winner', 'loser'] as const) {
      const value = str(row[key]);
      if (value) entry[key] = key === 'certainty' || key === 'principle' ? localName(value) : value;
    }
    byIri.set(iri, entry);
  }
  // Reasons and documented conflicts, read once per rule that has a conflict.
  const rules = [...new Set([...byIri.values()].map((c) => c.rules[0]!))].sort();
  for (const rule of rules) {
    for (const row of await store.namedQuery('conflicts-of-rule', { rule })) {
      const entry = byIri.get(String(row.conflict));
      if (!entry) continue;
      const reason = str(row.reason);
      const documented = str(row.documented);
      if (reason) entry.reason = reason;
      if (documented) entry.documented = documented;
    }
  }
  for (const entry of byIri.values()) entry.rules.sort();
  return [...byIri.values()].sort((a, b) => (a.iri < b.iri ? -1 : 1));
}

/** A run's short name in tables: its number, stage and model. */
export function runName(run: ReportRun): string {
  return `#${run.number} ${run.manifest.stage} ${run.manifest.target.model}${run.manifest.label ? ` (${run.manifest.label})` : ''}`;
}

/** The folder of a run, for messages. */
export function runFolderOf(auditsDir: string, id: string): string {
  return path.join(auditsDir, id);
}
