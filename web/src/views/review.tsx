/**
 * The review queue of a run: the results its graders could not decide (can't
 * tell) that no reviewer has graded yet, one at a time — the rules, the
 * scenario's conversation, the model's answer, the grader's reason — and a
 * form for passed / failed / can't tell with a reason
 * (POST /v1/audits/{run}/reviews; the token's name is the reviewer). Only a
 * token that may review sees the form; the server checks anyway.
 */

import { useState } from 'preact/hooks';
import { enc, getJson, postJson } from '../api.js';
import { ChoiceForm } from '../choice-form.js';
import { useLoad } from '../load.js';
import { Await, PolicyTabs, RuleLink } from '../parts.js';
import { nameOf } from '../policy-data.js';
import { policyTitle } from '../policy-title.js';
import { go, href } from '../router.js';
import { session } from '../session.js';
import type { AuditResult, Page } from '../types.js';
import { Conversation } from './run.js';

const VERDICTS = [
  ['passed', 'Passed'],
  ['failed', 'Failed'],
  ['cantTell', "Can't tell"],
] as const;

/** The run's undecided results no reviewer has graded, in the API's order. */
async function queueOf(run: string): Promise<AuditResult[]> {
  const items: AuditResult[] = [];
  for (let offset = 0; ; ) {
    const page = await getJson<Page<AuditResult>>(`/v1/audits/${enc(run)}/results?outcome=cantTell&limit=500&offset=${offset}`);
    items.push(...page.items);
    offset += page.items.length;
    if (page.items.length === 0 || offset >= page.total) break;
  }
  return items.filter((r) => r.graderKind !== 'human');
}

function VerdictForm({ run, result, onRecorded }: { run: string; result: AuditResult; onRecorded: (message: string) => void }) {
  const record = async (outcome: string, reason: string) => {
    const answer = await postJson<{ outcome: string; reviewer: string }>(`/v1/audits/${enc(run)}/reviews`, { scenario: result.scenario, outcome, reason });
    return `Recorded ${VERDICTS.find(([v]) => v === answer.outcome)?.[1].toLowerCase() ?? answer.outcome} by ${answer.reviewer}.`;
  };
  return <ChoiceForm id="verdict" heading="Your verdict" legend="Outcome" choices={VERDICTS} unchosen="Choose passed, failed or can't tell." submitLabel="Record verdict" record={record} onRecorded={onRecorded} />;
}

export function ReviewView({ run, params }: { run: string; params: URLSearchParams }) {
  const policy = params.get('policy') ?? '';
  const at = params.get('at') ?? '';
  const [round, setRound] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const loaded = useLoad(`review ${run} ${policy} ${round}`, () => Promise.all([queueOf(run), session(), policy ? policyTitle(policy) : Promise.resolve(null)]));
  return (
    <Await loaded={loaded} what="the review queue">
      {([queue, who, title]) => {
        const index = Math.max(0, queue.findIndex((r) => r.scenario === at));
        const result = queue[index];
        const next = queue[index + 1];
        return (
          <>
            {policy && <PolicyTabs policy={policy} title={title} current="audits" />}
            <h1>Review queue</h1>
            <p>
              Results of <a href={href.run(run, { policy: policy || undefined })}>run {nameOf(run)}</a> that no grader could decide and no reviewer has graded.
            </p>
            <p role="status" class="count">
              {queue.length === 0 ? 'Nothing to review' : `${index + 1} of ${queue.length} to review`}
            </p>
            {notice && (
              <p role="status" class="notice">
                {notice}
              </p>
            )}
            {result && (
              <article class="result review-item" aria-labelledby="review-heading">
                <h2 id="review-heading">
                  Tests:{' '}
                  {result.rules.map((x, i) => (
                    <span key={x}>
                      {i > 0 && ', '}
                      <RuleLink rule={x} />
                    </span>
                  ))}
                </h2>
                <p class="reason">
                  <strong>Grader's reason</strong> ({result.grader}, {result.graderKind}): {result.reason}
                </p>
                <Conversation messages={result.messages} answer={result.response} />
                {who.may.review ? (
                  <VerdictForm
                    key={result.scenario}
                    run={run}
                    result={result}
                    onRecorded={(message) => {
                      setNotice(message);
                      // The next undecided result, from the queue as the server now has it.
                      go(href.review(run, { policy: policy || undefined, at: next?.scenario }));
                      setRound((n) => n + 1);
                    }}
                  />
                ) : (
                  <p>This token may not record verdicts (engineers and admins may).</p>
                )}
                {next && (
                  <p>
                    <a href={href.review(run, { policy: policy || undefined, at: next.scenario })}>Skip to the next result</a>
                  </p>
                )}
              </article>
            )}
          </>
        );
      }}
    </Await>
  );
}
