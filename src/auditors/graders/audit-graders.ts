/**
 * The graders of an audit run: the deterministic checks always, and the LLM
 * judge when a judge model is given, with what the run records of the judge.
 * The CLI and the API's audit jobs both start their runs from here. The
 * judge's modules (its prompt template, its answer's schema) are loaded only
 * for a judge: a run without one starts sooner.
 */

import { LlmClient } from '../../llm/client.js';
import type { LlmConfig } from '../../llm/llm-config.js';
import type { Grader } from '../verdict.js';
import { DeterministicGrader } from './deterministic.js';

export interface AuditGraders {
  readonly graders: readonly Grader[];
  /** The judge's endpoint and model, for the run's manifest; absent without a judge. */
  readonly judge?: { readonly endpoint: string; readonly model: string };
}

/** The checks, plus a judge on `judge` (a missing endpoint or model is the client's ConfigError); `templates` is where the judge prompt is looked for. */
export async function auditGraders(judge: LlmConfig | undefined, templates?: string): Promise<AuditGraders> {
  if (!judge) return { graders: [new DeterministicGrader()] };
  const client = new LlmClient(judge);
  const [{ loadJudgePrompt }, { LlmJudge }] = await Promise.all([import('./judge-rubric.js'), import('./llm-judge.js')]);
  return {
    graders: [new DeterministicGrader(), new LlmJudge(client, { prompt: await loadJudgePrompt(templates) })],
    judge: { endpoint: client.endpoint, model: client.model },
  };
}
