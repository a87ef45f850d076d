/**
 * The LLM judge: asks the studio's LLM client to grade an answer with the
 * rubric (judge-rubric.ts) and reads its JSON (judge-answer.ts). An answer
 * the judge got wrong is sent back once with what was wrong; a second wrong
 * answer is a cantTell verdict that says why, never an error, so one muddled
 * judgement does not stop a run. A failing endpoint (an LlmError left after
 * the client's retries) does stop it: that is for the operator to fix.
 */

import type { ChatMessage, ChatReply, LlmClient } from '../../llm/client.js';
import type { PromptTemplate } from '../../llm/prompt-template.js';
import { combineOutcomes, FILE_ASSERTION, FOLLOWS_PARTY, type CheckVerdict, type GradeInput, type Grader, type GraderRef, type Verdict } from '../verdict.js';
import { readJudgeAnswer, type JudgedKind } from './judge-answer.js';
import { runAssertion } from './deterministic.js';
import { PARTIES, promptHash, rubricMessages } from './judge-rubric.js';

/** A judged verdict with what a result records about how it was made. */
export interface Judgement {
  readonly verdict: Verdict;
  /** SHA-256 of the rubric's messages (the first request; a re-ask adds to them). */
  readonly promptHash: string;
  readonly prompt: { readonly id: string; readonly version: number; readonly contentHash: string };
  /** The model asked for, and the one the endpoint says answered. */
  readonly model: string;
  readonly servedModel: string;
  /** Every request parameter besides model and messages. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Requests made: 1, or 2 after a re-ask. */
  readonly requests: number;
}

export interface LlmJudgeOptions {
  readonly prompt: PromptTemplate;
  /** Parameters over the prompt's own (which set temperature 0) and the client's. */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

/** The grader id of a judge model. */
export function judgeGraderRef(model: string): GraderRef {
  return { kind: 'llm-judge', id: `llm-judge:${model}` };
}

/** Grades answers by asking a model with the rubric. */
export class LlmJudge implements Grader {
  readonly ref: GraderRef;

  constructor(private readonly client: LlmClient, private readonly options: LlmJudgeOptions) {
    this.ref = judgeGraderRef(client.model);
  }

  async grade(input: GradeInput, signal?: AbortSignal): Promise<Verdict> {
    return (await this.judge(input, signal)).verdict;
  }

  /** The verdict, with the prompt hash, model and parameters a result records. */
  async judge(input: GradeInput, signal?: AbortSignal): Promise<Judgement> {
    const messages = rubricMessages(this.options.prompt, input);
    const parameters = { ...this.options.prompt.parameters, ...(this.options.parameters ?? {}) };
    const rubricAsserts = (input.case.assertions ?? []).filter((a) => a.type === 'llm-rubric');
    const expected: JudgedKind[] = [
      ...input.case.expectations.map((e) => e.kind),
      ...(input.case.follows ? [FOLLOWS_PARTY as typeof FOLLOWS_PARTY] : []),
      ...(rubricAsserts.length > 0 ? [FILE_ASSERTION as typeof FILE_ASSERTION] : []),
    ];
    // The file's text assertions (regex, icontains) need no model: their verdicts join the judge's, so a judge never passes what they fail.
    const textAsserts = (input.case.assertions ?? []).filter((a) => a.type !== 'llm-rubric').map((a) => runAssertion(a, input.response));
    const ask = (msgs: readonly ChatMessage[]) => this.client.chat({ messages: msgs, parameters, ...(signal ? { signal } : {}) });

    let reply = await ask(messages);
    let read = readJudgeAnswer(reply.text, expected);
    let requests = 1;
    if (!read.ok) {
      const first = withCutOff(read.problem, reply);
      reply = await ask([
        ...messages,
        { role: 'assistant', content: reply.text },
        { role: 'user', content: `That answer could not be used: ${first}. Reply again with only the JSON object the instructions ask for, with a verdict on each of: ${[...new Set(expected)].join(', ')}.` },
      ]);
      requests = 2;
      read = readJudgeAnswer(reply.text, expected);
      if (!read.ok) read = { ok: false, problem: `${withCutOff(read.problem, reply)} (first answer: ${first})` };
    }

    const judgedChecks = read.ok ? read.answer.checks.map((c): CheckVerdict => ({ expectation: c.expectation, outcome: c.outcome, detail: c.detail.trim() })) : [];
    const outcome = combineOutcomes([read.ok ? read.answer.outcome : 'cantTell', ...textAsserts.map((c) => c.outcome)]);
    const verdict: Verdict = read.ok
      ? {
          outcome,
          score: outcome === read.answer.outcome ? read.answer.score : Math.min(read.answer.score, 0.5),
          reason: read.answer.reason.trim() + (outcome === read.answer.outcome ? '' : ` ${textAsserts.filter((c) => c.outcome === outcome).map((c) => c.detail).join('; ')}.`),
          grader: this.ref,
          checks: [...judgedChecks, ...textAsserts],
          ...(read.answer.findings && read.answer.findings.length > 0 ? { findings: [...new Set(read.answer.findings)] } : {}),
          ...(read.answer.grade && outcome === read.answer.outcome ? { grade: read.answer.grade } : {}),
          ...wrongParty(input, read.answer.checks, read.answer.followed),
        }
      : {
          outcome,
          score: 0,
          reason: `The judge's answer was unusable after one re-ask: ${read.problem}`,
          grader: this.ref,
          checks: [...expected.map((kind): CheckVerdict => ({ expectation: kind, outcome: 'cantTell', detail: 'no usable judgement' })), ...textAsserts],
        };
    return {
      verdict,
      promptHash: promptHash(messages),
      prompt: { id: this.options.prompt.id, version: this.options.prompt.version, contentHash: this.options.prompt.contentHash },
      model: reply.model,
      servedModel: reply.servedModel,
      parameters: reply.parameters,
      requests,
    };
  }
}

/**
 * The party a judged answer followed instead of the one it must: the judge's "followed" where it names
 * another party, else the party the case's conflict overrides; nothing unless the judge failed the party check.
 */
function wrongParty(input: GradeInput, checks: readonly { expectation: string; outcome: string }[], followed: string | null | undefined): { followed?: string } {
  const follows = input.case.follows;
  if (!follows || !checks.some((c) => c.expectation === FOLLOWS_PARTY && c.outcome === 'failed')) return {};
  const named = followed ? PARTIES[followed] : undefined;
  const party = named && named !== follows ? named : input.case.against;
  return party ? { followed: party } : {};
}

/** A problem, with a note when max_tokens cut the answer short (the likely cause). */
function withCutOff(problem: string, reply: ChatReply): string {
  return reply.finishReason === 'length' ? `${problem}; the answer was cut off at max_tokens, so raise llm.parameters.max_tokens` : problem;
}
