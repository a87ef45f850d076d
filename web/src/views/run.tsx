/**
 * One audit run's deciding results: for each scenario the rules it tests, the
 * outcome, the grader and its reason, and the model's answer; filtered by
 * outcome and rule.
 */

import { enc, getJson, query } from '../api.js';
import { useLoad } from '../load.js';
import { Await, FilterSelect, PolicyTabs, RuleLink } from '../parts.js';
import { nameOf, policyData } from '../policy-data.js';
import { policyTitle } from '../policy-title.js';
import { go, href } from '../router.js';
import { session } from '../session.js';
import type { AuditResult, Page } from '../types.js';

const OUTCOMES = [
  ['passed', 'passed'],
  ['failed', 'failed'],
  ['cantTell', "can't tell"],
] as const;

/** A scenario's messages, then the model's answer, each with who speaks. */
export function Conversation({ messages, answer }: { messages: { role: string; content: string }[]; answer: string }) {
  return (
    <ol class="conversation">
      {messages.map((m, i) => (
        <li key={i} class={`message role-${m.role}`}>
          <span class="role">{m.role}</span>
          <pre class="message-text">{m.content}</pre>
        </li>
      ))}
      <li class="message role-model">
        <span class="role">the model's answer</span>
        <pre class="answer">{answer}</pre>
      </li>
    </ol>
  );
}

export function RunView({ run, params }: { run: string; params: URLSearchParams }) {
  const policy = params.get('policy') ?? '';
  const outcome = params.get('outcome') ?? '';
  const rule = params.get('rule') ?? '';
  const filters = { policy: policy || undefined, outcome: outcome || undefined, rule: rule || undefined };
  const loaded = useLoad(`run ${run} ${policy} ${outcome} ${rule}`, () =>
    Promise.all([
      getJson<Page<AuditResult>>(`/v1/audits/${enc(run)}/results${query({ outcome: filters.outcome, rule: filters.rule, limit: 500 })}`),
      policy ? policyData(policy) : Promise.resolve(null),
      policy ? policyTitle(policy) : Promise.resolve(null),
      session(),
    ]),
  );
  return (
    <Await loaded={loaded} what="the run">
      {([results, data, title, who]) => {
        const labels = data?.labels ?? new Map<string, string>();
        return (
          <>
            {policy && <PolicyTabs policy={policy} title={title} current="audits" />}
            <h1>Audit run {nameOf(run)}</h1>
            {who.may.review && (
              <p>
                <a href={href.review(run, { policy: policy || undefined })}>Review the results no grader could decide</a>
              </p>
            )}
            <form class="filters" aria-label="Filter results" onSubmit={(e) => e.preventDefault()}>
              <FilterSelect id="filter-outcome" label="Outcome" value={outcome} options={[['', 'any outcome'], ...OUTCOMES]} onPick={(v) => go(href.run(run, { ...filters, outcome: v || undefined }))} />
              {rule && (
                <p class="chip">
                  Rule: {labels.get(rule) ?? nameOf(rule)} <a href={href.run(run, { ...filters, rule: undefined })}>Clear rule</a>
                </p>
              )}
            </form>
            <p role="status" class="count">
              {results.total} results
            </p>
            <ol class="results">
              {results.items.map((r) => (
                <li key={r.result} class={`result outcome-${r.outcome}`}>
                  <h2>
                    <span class={`badge ${r.outcome}`}>{OUTCOMES.find(([o]) => o === r.outcome)?.[1] ?? r.outcome}</span> {nameOf(r.scenario)}
                  </h2>
                  <p>
                    Tests:{' '}
                    {r.rules.map((x, i) => (
                      <span key={x}>
                        {i > 0 && ', '}
                        <RuleLink rule={x} label={labels.get(x)} />
                      </span>
                    ))}
                  </p>
                  <p class="reason">
                    <strong>Grader's reason</strong> ({r.grader}, {r.graderKind}): {r.reason}
                  </p>
                  <details>
                    <summary>The conversation and the model's answer</summary>
                    <Conversation messages={r.messages} answer={r.response} />
                  </details>
                </li>
              ))}
            </ol>
          </>
        );
      }}
    </Await>
  );
}
