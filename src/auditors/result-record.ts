/**
 * What an audit run writes per scenario (results.jsonl) and per imported
 * human verdict (human.jsonl): the evidence — what was asked, what the model
 * answered — and every grader's verdict. The graph and every summary are
 * made from these lines.
 */

import type { AuditCase, Verdict } from './verdict.js';

export interface ResultRecord {
  /** The scenario's IRI. */
  readonly case: string;
  /** The provisions it tests, the main rule first. */
  readonly rules: readonly string[];
  readonly family: string;
  readonly type: string;
  readonly label?: string;
  readonly attack?: string;
  /** A chain-of-command scenario: the message source whose word the answer must follow. */
  readonly follows?: string;
  /** SHA-256 of the messages sent. */
  readonly promptHash: string;
  readonly response: string;
  readonly servedModel: string;
  readonly finishReason: string | null;
  /** True when the answer came from the response cache rather than the endpoint. */
  readonly cached: boolean;
  readonly verdicts: readonly Verdict[];
  /** How each LLM judge came to its verdict. */
  readonly judgements?: readonly JudgeRecord[];
  /** When the result was written. */
  readonly at: string;
  /** The IRI of the run that asked and graded it, when this run carried it over from that one (--only-affected). */
  readonly carriedOverFrom?: string;
}

/** What a result keeps of an LLM judge's call: the rubric sent (by hash), the model that answered, and whether it was re-asked. */
export interface JudgeRecord {
  /** The judge's grader id. */
  readonly grader: string;
  readonly promptHash: string;
  readonly servedModel: string;
  readonly requests: number;
}

export interface HumanRecord {
  readonly case: string;
  readonly verdict: Verdict;
  readonly reviewedAt?: string;
  readonly importedAt: string;
  /** The file it was imported from. */
  readonly source: string;
}

/** The journal key of a result: its scenario. */
export const resultKey = (r: ResultRecord): string => r.case;
/** The journal key of a human verdict: scenario and reviewer. */
export const humanKey = (r: HumanRecord): string => `${r.case} ${r.verdict.grader.id}`;

/** The record of one scenario's answer and verdicts. */
export function resultRecord(
  c: AuditCase,
  reply: { text: string; servedModel: string; finishReason: string | null; cached: boolean },
  hash: string,
  verdicts: readonly Verdict[],
  judgements: readonly JudgeRecord[] = [],
  now = new Date(),
): ResultRecord {
  return {
    case: c.iri,
    rules: c.rules,
    family: c.family,
    type: c.type,
    ...(c.label ? { label: c.label } : {}),
    ...(c.attack ? { attack: c.attack } : {}),
    ...(c.follows ? { follows: c.follows } : {}),
    promptHash: hash,
    response: reply.text,
    servedModel: reply.servedModel,
    finishReason: reply.finishReason,
    cached: reply.cached,
    verdicts,
    ...(judgements.length > 0 ? { judgements } : {}),
    at: now.toISOString(),
  };
}

/**
 * The verdict that decides a scenario's outcome in a run: a human's over a
 * judge's over the deterministic checks', unless that one cannot tell and a
 * lesser one can.
 */
export function decidingVerdict(verdicts: readonly Verdict[]): Verdict | undefined {
  const rank = { human: 0, 'llm-judge': 1, deterministic: 2 } as const;
  const sorted = [...verdicts].sort((a, b) => rank[a.grader.kind] - rank[b.grader.kind]);
  return sorted.find((v) => v.outcome !== 'cantTell') ?? sorted[0];
}
