/**
 * Two runs of a policy side by side (GET /v1/audits/compare): the scenarios
 * both ran in four buckets (passed → passed, passed → failed, failed → passed,
 * failed → failed; and undecided where either could not tell), the rules that
 * regressed and improved, and the scenarios of one bucket.
 */

import { enc, getJson, query } from '../api.js';
import { useLoad } from '../load.js';
import { Await, FilterSelect, PolicyTabs, RuleLink, When } from '../parts.js';
import { nameOf } from '../policy-data.js';
import { policyTitle } from '../policy-title.js';
import { go, href } from '../router.js';
import { BUCKETS, type AuditResult, type AuditRun, type Bucket, type Comparison, type Page, type PolicyAudits, type RuleChange } from '../types.js';
import { Conversation } from './run.js';

export const BUCKET_NAMES: Record<Bucket, string> = {
  bothComply: 'passed → passed',
  onlyFirst: 'passed → failed',
  onlySecond: 'failed → passed',
  bothFail: 'failed → failed',
  undecided: "can't tell in one or both",
};

const OUTCOME_NAMES: Record<string, string> = { passed: 'passed', failed: 'failed', cantTell: "can't tell" };

/** Every scenario of the comparison, page after page (500 a page). */
async function compareAll(first: string, second: string): Promise<Comparison> {
  const path = (offset: number) => `/v1/audits/compare${query({ first, second, limit: 500, offset })}`;
  const comparison = await getJson<Comparison>(path(0));
  while (comparison.scenarios.items.length < comparison.scenarios.total) {
    const next = await getJson<Comparison>(path(comparison.scenarios.items.length));
    if (next.scenarios.items.length === 0) break;
    comparison.scenarios.items.push(...next.scenarios.items);
  }
  return comparison;
}

/** Every deciding result of a run, by scenario. */
async function resultsOf(run: string): Promise<Map<string, AuditResult>> {
  const results = new Map<string, AuditResult>();
  for (let offset = 0; ; ) {
    const page = await getJson<Page<AuditResult>>(`/v1/audits/${enc(run)}/results?limit=500&offset=${offset}`);
    for (const r of page.items) results.set(r.scenario, r);
    offset += page.items.length;
    if (page.items.length === 0 || offset >= page.total) return results;
  }
}

/** What a scenario asks: its last user message. */
function question(result: AuditResult | undefined): string {
  const asked = result?.messages.filter((m) => m.role === 'user').at(-1)?.content;
  return asked ?? '';
}

/** One run's side of a scenario: its outcome, the grader's reason, and the conversation with its answer. */
function Side({ name, outcome, result }: { name: string; outcome: string; result: AuditResult | undefined }) {
  return (
    <div>
      <h4>
        {name}: <span class={`badge ${outcome}`}>{OUTCOME_NAMES[outcome] ?? outcome}</span>
      </h4>
      {result && (
        <>
          <p class="reason">{result.reason}</p>
          <details>
            <summary>The conversation and the answer ({name.toLowerCase()})</summary>
            <Conversation messages={result.messages} answer={result.response} />
          </details>
        </>
      )}
    </div>
  );
}

function runName(run: AuditRun): string {
  return `${new Date(run.startedAt).toLocaleString()} · ${run.stage} · ${run.model}`;
}

function Changes({ id, title, changes, first, second }: { id: string; title: string; changes: RuleChange[]; first: string; second: string }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {title} ({changes.length})
      </h2>
      {changes.length === 0 ? (
        <p>None.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col" class="num">Failed in the first run</th>
              <th scope="col" class="num">Failed in the second run</th>
              <th scope="col">Results</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((c) => (
              <tr key={c.rule}>
                <th scope="row">
                  <RuleLink rule={c.rule} />
                </th>
                <td class="num">
                  {c.failedBefore} of {c.scenariosBefore}
                </td>
                <td class="num">
                  {c.failedAfter} of {c.scenariosAfter}
                </td>
                <td>
                  <a href={href.run(first, { rule: c.rule })} aria-label={`first run's results for ${nameOf(c.rule)}`}>
                    first
                  </a>
                  {' · '}
                  <a href={href.run(second, { rule: c.rule })} aria-label={`second run's results for ${nameOf(c.rule)}`}>
                    second
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function CompareView({ params }: { params: URLSearchParams }) {
  const policy = params.get('policy') ?? '';
  const first = params.get('first') ?? '';
  const second = params.get('second') ?? '';
  const bucket = (params.get('bucket') ?? '') as Bucket | '';
  const runs = useLoad(`runs ${policy}`, () =>
    Promise.all([policy ? getJson<PolicyAudits>(`/v1/policies/${enc(policy)}/audits?limit=500`) : Promise.resolve(null), policy ? policyTitle(policy) : Promise.resolve(null)]),
  );
  const comparison = useLoad(`compare ${first} ${second}`, () => (first && second && first !== second ? compareAll(first, second) : Promise.resolve(null)));
  // The answers are read only once a bucket is opened.
  const answers = useLoad(`answers ${first} ${second} ${bucket ? 'yes' : 'no'}`, () =>
    bucket && first && second && first !== second ? Promise.all([resultsOf(first), resultsOf(second)]) : Promise.resolve(null),
  );
  const pick = (name: 'first' | 'second' | 'bucket') => (value: string) => go(href.compare({ policy, first, second, bucket: bucket || undefined, [name]: value || undefined }));
  return (
    <Await loaded={runs} what="the runs">
      {([audits, title]) => {
        const options = (audits?.runs.items ?? []).map((r): [string, string] => [r.run, runName(r)]);
        const known = new Map((audits?.runs.items ?? []).map((r) => [r.run, r]));
        return (
          <>
            {policy && <PolicyTabs policy={policy} title={title} current="audits" />}
            <h1>Two runs side by side</h1>
            <form class="filters" aria-label="Runs to compare" onSubmit={(e) => e.preventDefault()}>
              <FilterSelect id="compare-first" label="First run" value={first} options={[['', 'choose a run'], ...options]} onPick={pick('first')} />
              <FilterSelect id="compare-second" label="Second run" value={second} options={[['', 'choose a run'], ...options]} onPick={pick('second')} />
            </form>
            {first && second && first === second && <p role="alert">Choose two different runs.</p>}
            <Await loaded={comparison} what="the comparison">
              {(c) =>
                !c ? (
                  <p>Choose two runs of the policy.</p>
                ) : (
                  <>
                    <p>
                      {c.shared} scenarios ran in both: <When at={known.get(c.first)?.startedAt} /> and <When at={known.get(c.second)?.startedAt} />.
                    </p>
                    <ul class="cards" aria-label="Buckets">
                      {BUCKETS.map((b) => (
                        <li key={b}>
                          <a href={href.compare({ policy, first, second, bucket: b })} aria-current={bucket === b ? 'true' : undefined}>
                            <span class="card-number">{c.buckets[b]}</span> <span class="card-label">{BUCKET_NAMES[b]}</span>
                          </a>
                        </li>
                      ))}
                    </ul>
                    <Changes id="regressions-heading" title="Rules that regressed" changes={c.regressions} first={c.first} second={c.second} />
                    <Changes id="improvements-heading" title="Rules that improved" changes={c.improvements} first={c.first} second={c.second} />
                    {bucket && (
                      <section aria-labelledby="bucket-heading">
                        <h2 id="bucket-heading">Scenarios {BUCKET_NAMES[bucket]}</h2>
                        {(() => {
                          const shown = c.scenarios.items.filter((s) => s.bucket === bucket);
                          return (
                            <>
                              <p role="status" class="count">
                                {shown.length} scenarios
                              </p>
                              <Await loaded={answers} what="the answers">
                                {(both) => (
                                  <ol class="results">
                                    {shown.map((s) => {
                                      const [a, b] = [both?.[0].get(s.scenario), both?.[1].get(s.scenario)];
                                      return (
                                        <li key={s.scenario} class="result">
                                          <h3 title={s.scenario}>{question(b ?? a) || nameOf(s.scenario)}</h3>
                                          <p>
                                            Tests:{' '}
                                            {(b ?? a)?.rules.map((x, i) => (
                                              <span key={x}>
                                                {i > 0 && ', '}
                                                <RuleLink rule={x} />
                                              </span>
                                            ))}
                                          </p>
                                          <div class="side-by-side">
                                            <Side name="First run" outcome={s.first} result={a} />
                                            <Side name="Second run" outcome={s.second} result={b} />
                                          </div>
                                        </li>
                                      );
                                    })}
                                  </ol>
                                )}
                              </Await>
                            </>
                          );
                        })()}
                      </section>
                    )}
                  </>
                )
              }
            </Await>
          </>
        );
      }}
    </Await>
  );
}
