/**
 * How far the deterministic checks and the LLM judge agree on a run's
 * answers: over every scenario both graded, and over those where both
 * decided (passed or failed). Where they disagree is where a reviewer looks.
 */

import { agreementOf, decidedAgreementOf, type Agreement, type OutcomePair } from './graders/agreement.js';
import type { ResultRecord } from './result-record.js';

export interface JudgeAgreement {
  readonly all: Agreement;
  readonly decided: Agreement & { readonly undecided: number };
}

/** Agreement of the deterministic checks and the judge on each scenario that has both verdicts. */
export async function judgeAgreement(records: Iterable<ResultRecord> | AsyncIterable<ResultRecord>): Promise<JudgeAgreement> {
  const pairs: OutcomePair[] = [];
  for await (const r of records) {
    const checks = r.verdicts.find((v) => v.grader.kind === 'deterministic');
    const judge = r.verdicts.find((v) => v.grader.kind === 'llm-judge');
    if (checks && judge) pairs.push({ key: r.case, a: checks.outcome, b: judge.outcome });
  }
  return { all: agreementOf(pairs), decided: decidedAgreementOf(pairs) };
}
