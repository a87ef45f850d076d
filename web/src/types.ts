/** The shapes of the API answers the studio reads (see GET /openapi.json). */

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset?: number;
  next?: string | null;
}

export interface PolicySummary {
  policy: string;
  title?: string | null;
  source: string;
  triples: number;
  loadedAt: string;
}

export interface RuleSummary {
  rule: string;
  kind: string;
  label?: string | null;
  policy?: string;
  section?: string;
  bearer?: string;
  /** With details=true: its actions, coverage gaps, and failures in its policy's latest run (null: never audited). */
  actions?: string[];
  gaps?: string[];
  failed?: number | null;
}

export interface RuleDetail extends RuleSummary {
  text?: string | null;
  context: { relation: string; value: string; label?: string | null }[];
  conflicts: { conflict: string; other: string; certainty: string; documented: string | null; principle: string | null; winner: string | null; reason: string | null }[];
  conflictsRecorded: { writtenAt: string; stale: boolean } | null;
  generated: { graph: string; writtenAt: string; stale: boolean; items: number; byFamily: { family: string; label: string | null; items: number }[] } | null;
  audits: { run: string; stage: string; model: string; startedAt: string; scenarios: number; passed: number; failed: number; cantTell: number }[];
}

export interface QueryAnswer {
  name: string;
  count: number;
  rows: Record<string, string | null>[];
}

export interface Coverage {
  policy: string;
  rules: number;
  generated: { graph: string; writtenAt: string; triples: number; stale: boolean } | null;
  summary: {
    rulesWithoutInstructions: number;
    rulesWithoutScenarios: Record<string, number>;
    exceptionSidesWithoutScenario: number;
    unusedTerms: number;
    fullyCovered: boolean;
  };
  rulesWithoutInstructions: Page<{ rule: string; label: string | null }>;
  rulesWithoutScenarios: Page<{ rule: string; missing: string }>;
  exceptionsWithoutBoundaryPairs: Page<{ exception: string; missing: string }>;
  unusedTerms: Page<{ term: string; type: string }>;
}

export interface DocumentedConflict {
  iri: string;
  label: string | null;
  rules: string[];
  intendedWinner: string | null;
  intendedPrinciple: string | null;
  status: string;
}

export interface Conflict {
  iri: string;
  prohibition: string;
  permissive: string;
  certainty: string;
  dimensions: Record<string, string>;
  principle: string | null;
  winner: string | null;
  reason: string | null;
  documented: DocumentedConflict | null;
}

export interface Conflicts {
  policy: string;
  precedence: string[];
  summary: { conflicts: number; definite: number; possible: number; unresolved: number; documented: number; documentedAsIntended: number; defectErrors: number; defectNotices: number; failing: boolean };
  conflicts: Page<Conflict>;
  documented: Page<DocumentedConflict>;
  defects: Page<Record<string, string | null>>;
  recorded: { writtenAt: string; stale: boolean } | null;
}

export interface AuditRun {
  run: string;
  stage: string;
  model: string;
  startedAt: string;
  endedAt: string | null;
  scenarios: number;
  passed: number;
  failed: number;
  cantTell: number;
}

export interface PolicyAudits {
  policy: string;
  runs: Page<AuditRun>;
  rulesWithoutTests: number;
  rulesNeverAudited: number;
  staleResults: number;
}

export interface AuditResult {
  result: string;
  scenario: string;
  rules: string[];
  outcome: string;
  reason: string;
  grader: string;
  graderKind: string;
  response: string;
  messages: { role: string; content: string }[];
}

export const BUCKETS = ['bothComply', 'onlyFirst', 'onlySecond', 'bothFail', 'undecided'] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface RuleChange {
  rule: string;
  change: 'regression' | 'improvement';
  failedBefore: number;
  failedAfter: number;
  scenariosBefore: number;
  scenariosAfter: number;
}

export interface Comparison {
  first: string;
  second: string;
  shared: number;
  buckets: Record<Bucket, number>;
  regressions: RuleChange[];
  improvements: RuleChange[];
  scenarios: Page<{ scenario: string; first: string; second: string; bucket: Bucket }>;
}

export interface Job {
  id: string;
  kind: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  params: Record<string, unknown>;
  progress: { phase: string; done: number; total: number };
  startedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: boolean;
  result: Record<string, unknown> | null;
  problem: { title: string; detail: string; status: number } | null;
}

/** A row of the review table of POST /v1/ingest. */
export interface IngestReviewRow {
  provision: string;
  section: string;
  kind: string;
  cues: string[];
  start: number;
  end: number;
  qualifies: string[];
  text: string;
  /** With llm=true: what the model named, or why nothing it answered was used. */
  model?: { bearer?: string; action?: string; target?: string; counterparty?: string; circumstance?: string; quantities?: string[]; behaviours?: string[]; refused?: string };
}

/** What POST /v1/ingest answers: the draft policy and its review table. */
export interface IngestDraft {
  document: { file: string; format: string; sha256: string; characters: number; pages?: number; warnings: string[] };
  policy: string;
  sections: number;
  provisions: Record<string, number>;
  unresolved: number;
  llm?: { model: string; servedModel: string; prompt: { id: string; version: number }; asked: number; used: number; refused: number; askedTwice: number; proposedTerms: number };
  review: IngestReviewRow[];
  turtle: string;
}

/** What POST /v1/ingest/review answers. */
export interface ReviewedDraft {
  accepted: string[];
  edited: { iri: string; field: string; value: string }[];
  rejected: string[];
  cascaded: string[];
  turtle: string;
}

/** POST /v1/policies/{policy}/playground: one question, both models' answers, the rules it touches. */
export interface PlaygroundAnswer {
  exchange: string;
  policy: string;
  question: string;
  systemPrompt: string;
  rules: { rule: string; label: string; kind: string }[];
  because: string[];
  first: { role: 'target' | 'baseline'; model: string; answer: string; finishReason: string | null };
  second: { role: 'target' | 'baseline'; model: string; answer: string; finishReason: string | null };
}

/** A preference recorded in the playground (GET and POST /v1/policies/{policy}/preferences). */
export interface RecordedPreference {
  preference: string;
  question: string;
  first: { model: string; answer: string };
  second: { model: string; answer: string };
  rules: string[];
  preferred: string;
  reason: string;
  recordedBy: string;
  recordedAt: string;
}
