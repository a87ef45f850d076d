/**
 * What every grader returns, whoever grades: the deterministic checks of a
 * scenario's expectations, an LLM judge, or a human reviewer. One shape, so
 * that results from all three sit side by side on a rule and can be compared.
 * The outcomes are EARL's (earl:passed, earl:failed, earl:cantTell).
 */

import type { Expectation, ExpectationKind, SectionRef } from '../framers/expectations.js';
import type { Check } from '../framers/exports/checks.js';
import type { Message } from '../framers/templates.js';

export const OUTCOMES = ['passed', 'failed', 'cantTell'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * A grade beyond pass/fail, where the grader has one: "borderline" is an
 * answer that meets the rule, but not cleanly (helped with a caution where
 * plain help is due; a judge's "passes, barely"). A borderline verdict's
 * outcome stays earl:passed, so pass rates and buckets are as before; the
 * grade tells the two kinds of pass apart. A verdict without a grade (every
 * result written before grades existed) is "pass" when it passed and "fail"
 * when it failed; an undecided one has none.
 */
export const GRADES = ['pass', 'borderline', 'fail'] as const;
export type Grade = (typeof GRADES)[number];

export const GRADER_KINDS = ['deterministic', 'llm-judge', 'human'] as const;
export type GraderKind = (typeof GRADER_KINDS)[number];

/** Who graded: the kind, and an id that tells graders of one kind apart ('deterministic/v3', 'llm-judge:<model>', 'human:<reviewer>'). */
export interface GraderRef {
  readonly kind: GraderKind;
  readonly id: string;
}

/**
 * An assertion a test file states itself (a promptfoo `assert` that is not
 * one of the policy's expectations), kept with its imported case and graded:
 * regex, not-regex and icontains by the text, llm-rubric by the judge.
 */
export const ASSERTION_TYPES = ['regex', 'not-regex', 'icontains', 'llm-rubric'] as const;
export interface FileAssertion {
  readonly type: (typeof ASSERTION_TYPES)[number];
  readonly value: string;
  /** The line of the test file it was read from. */
  readonly line: number;
}

/** The check kind of a verdict on a file's own assertion. */
export const FILE_ASSERTION = 'FileAssertion' as const;

/**
 * The check kind of the chain-of-command verdict: did the answer follow the
 * party whose word decides (AuditCase.follows), not the one it overrides?
 */
export const FOLLOWS_PARTY = 'MustFollowParty' as const;

/** The verdict on one expectation of a scenario, on one of its file's assertions, or on the party it followed. */
export interface CheckVerdict {
  readonly expectation: ExpectationKind | typeof FILE_ASSERTION | typeof FOLLOWS_PARTY;
  readonly outcome: Outcome;
  /** What was looked for and what was found, for a reviewer. */
  readonly detail: string;
  /** Set only when a passed check is borderline. */
  readonly grade?: 'borderline';
}

/**
 * Partial compliance, found in an answer whatever the rule wants: declined
 * part of the request and helped with the rest; declined, then helped
 * anyway; helped, with a caution. A finding is not a verdict: whether it
 * passes depends on the rule's kind and the scenario's expectations.
 */
export const FINDINGS = ['refusedThenHelped', 'declinedPartHelpedRest', 'helpedWithWarning'] as const;
export type Finding = (typeof FINDINGS)[number];

/** A grader's verdict on one response. */
export interface Verdict {
  readonly outcome: Outcome;
  /** 0 to 1: the share of checks passed, or the judge's score. */
  readonly score: number;
  /** Why, in a sentence a reviewer can read. */
  readonly reason: string;
  readonly grader: GraderRef;
  /** Per expectation, where the grader judged them one by one. */
  readonly checks: readonly CheckVerdict[];
  /** Partial compliance the grader found in the answer, if any. */
  readonly findings?: readonly Finding[];
  /** pass, borderline or fail, where the grader grades beyond the outcome; read it with gradeOf. */
  readonly grade?: Grade;
  /**
   * On a chain-of-command case the model got wrong: the message source (IRI) it followed instead of the
   * one the case says it must follow (studio:ToolSource when it obeyed tool or quoted content).
   */
  readonly followed?: string;
}

/** A verdict's grade: its own, else what its outcome implies (passed = pass, failed = fail); none when it cannot tell. */
export function gradeOf(verdict: { readonly outcome: Outcome; readonly grade?: Grade | null }): Grade | undefined {
  if (verdict.outcome === 'cantTell') return undefined;
  if (verdict.grade && outcomeOfGrade(verdict.grade) === verdict.outcome) return verdict.grade;
  return verdict.outcome === 'passed' ? 'pass' : 'fail';
}

/** The EARL outcome a grade goes with: pass and borderline pass, fail fails. */
export function outcomeOfGrade(grade: Grade): Outcome {
  return grade === 'fail' ? 'failed' : 'passed';
}

/**
 * One scenario of a suite as an audit runs it: a record of the evaluation
 * suite (eval.jsonl) that `studio generate --out` writes.
 */
export interface AuditCase {
  /** The scenario's IRI (the generated item). */
  readonly iri: string;
  readonly policy: string;
  /** The conversation to send, system prompt included. */
  readonly messages: readonly Message[];
  readonly expectations: readonly Expectation[];
  readonly checks: readonly Check[];
  /** An answer that meets the expectations. */
  readonly reference: string;
  /** The provisions the scenario derives from, the main rule first. */
  readonly rules: readonly string[];
  readonly family: string;
  /** instruction, scenario, red-team ... (the item's type). */
  readonly type: string;
  /** Compliant, NonCompliant, Ambiguous ... */
  readonly label?: string;
  /** The red-team attack, for red-team prompts. */
  readonly attack?: string;
  readonly sections: readonly string[];
  /** The test file's own assertions, for imported cases. */
  readonly assertions?: readonly FileAssertion[];
  /** Line of the suite file the case was read from. */
  readonly line: number;
  /** A chain-of-command case: the message source (IRI) whose word the answer must follow (metadata.follows). */
  readonly follows?: string;
  /**
   * A chain-of-command case: the source whose word the answer must not follow, the party of the rule that
   * loses (its studio:instructedBy, else the platform); filled from the graph (withChainOfCommand).
   */
  readonly against?: string;
}

/** What a judge's rubric is built from: the rule a scenario tests, with its section and exceptions. */
export interface RuleBrief {
  readonly iri: string;
  /** Obligation, Prohibition, Permission, Exception, Definition. */
  readonly kind: string;
  readonly label: string;
  readonly text: string;
  readonly section?: SectionRef;
  readonly exceptions: readonly { readonly iri: string; readonly label: string; readonly text: string }[];
}

export interface GradeInput {
  readonly case: AuditCase;
  /** The model's answer. */
  readonly response: string;
  /** The case's main rule (its first), when the store knows it. */
  readonly rule?: RuleBrief;
}

export interface Grader {
  readonly ref: GraderRef;
  grade(input: GradeInput, signal?: AbortSignal): Promise<Verdict>;
  /**
   * A grader that asks a model (the LLM judge, llm-judge.ts): the verdict with
   * what a result records of how it was asked. An audit grades with it inside
   * the run's request bound.
   */
  judge?(input: GradeInput, signal?: AbortSignal): Promise<{ readonly verdict: Verdict; readonly promptHash: string; readonly servedModel: string; readonly requests: number }>;
}

/** The overall outcome of per-check outcomes: any failure fails; else anything undecided cannot tell; else passed. */
export function combineOutcomes(outcomes: readonly Outcome[]): Outcome {
  if (outcomes.includes('failed')) return 'failed';
  if (outcomes.length === 0 || outcomes.includes('cantTell')) return 'cantTell';
  return 'passed';
}
