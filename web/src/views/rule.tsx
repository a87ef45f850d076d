/**
 * One rule: its text, its structured fields as links, exceptions and
 * cross-references, its conflicts with their resolution and reason, the items
 * generated from it by family, its audit history, and what is stale.
 */

import { enc, getJson } from '../api.js';
import { useLoad } from '../load.js';
import { Await, PolicyTabs, RuleLink, Stale, When } from '../parts.js';
import { COVERAGE_GAPS, nameOf, policyData } from '../policy-data.js';
import { policyTitle } from '../policy-title.js';
import { href } from '../router.js';
import type { Page, RuleDetail } from '../types.js';

/** The fields a rule's context lists, in the order a reader wants them, and whether each links to a rule filter. */
const FIELDS: readonly { relation: string; name: string; filter?: 'bearer' | 'action' | 'section' }[] = [
  { relation: 'bearer', name: 'Bearer', filter: 'bearer' },
  { relation: 'action', name: 'Action', filter: 'action' },
  { relation: 'target', name: 'Target' },
  { relation: 'counterparty', name: 'Counterparty' },
  { relation: 'condition', name: 'Conditions' },
  { relation: 'channel', name: 'Channel' },
  { relation: 'behaviour', name: 'Expected behaviour' },
  { relation: 'section', name: 'Section', filter: 'section' },
  { relation: 'definition', name: 'Definitions' },
];

interface StaleResult {
  run: string;
  scenario: string;
  rule: string;
  reason: string;
}

async function readRule(rule: string) {
  const detail = await getJson<RuleDetail>(`/v1/rules/${enc(rule)}`);
  const policy = detail.policy!;
  const [title, stale] = await Promise.all([
    policyTitle(policy),
    detail.audits.length > 0 ? getJson<Page<StaleResult>>(`/v1/policies/${enc(policy)}/audits/stale?limit=500`) : Promise.resolve(null),
  ]);
  return { detail, policy, title, staleResults: (stale?.items ?? []).filter((s) => s.rule === rule) };
}

export function RuleView({ rule }: { rule: string }) {
  const loaded = useLoad(`rule ${rule}`, () => readRule(rule));
  // The policy's data (other rules' labels, coverage gaps, the latest run) adds to the page when it comes; the rule does not wait for it.
  const policy = loaded.state === 'done' ? loaded.value.policy : '';
  const extra = useLoad(`rule data ${policy}`, () => (policy ? policyData(policy) : Promise.resolve(null)));
  const data = extra.state === 'done' ? extra.value : null;
  return (
    <Await loaded={loaded} what="the rule">
      {({ detail, policy, title, staleResults }) => {
        const context = (relation: string) => detail.context.filter((c) => c.relation === relation);
        const labels = data?.labels ?? new Map(detail.context.flatMap((c): [string, string][] => (c.label ? [[c.value, c.label]] : [])));
        const gaps = data?.gaps.get(rule) ?? [];
        const failed = data?.failing.get(rule);
        return (
          <>
            <PolicyTabs policy={policy} title={title} current="rules" />
            <nav aria-label="Breadcrumb" class="crumbs">
              <a href={href.rules(policy)}>Rules</a> › <span aria-current="page">{detail.label ?? nameOf(rule)}</span>
            </nav>
            <h1>
              {detail.label ?? nameOf(rule)} <span class={`kind kind-${detail.kind.toLowerCase()}`}>{detail.kind}</span>
            </h1>
            <p class="iri">{rule}</p>
            <p>
              <a href={href.ruleGraph(rule)}>See in the graph</a> (its exceptions, references, conflicts and terms)
            </p>
            {detail.text && <blockquote class="rule-text">{detail.text}</blockquote>}

            <section aria-labelledby="fields-heading">
              <h2 id="fields-heading">Fields</h2>
              <dl class="fields">
                {FIELDS.filter((f) => context(f.relation).length > 0).map((f) => (
                  <div key={f.relation}>
                    <dt>{f.name}</dt>
                    <dd>
                      <ul class="inline">
                        {context(f.relation).map((c) => (
                          <li key={c.value}>
                            {f.filter ? (
                              <a href={href.rules(policy, { [f.filter]: c.value })} title={`Rules with this ${f.name.toLowerCase()}`}>
                                {c.label ?? nameOf(c.value, labels)}
                              </a>
                            ) : (
                              <span title={c.value}>{c.label ?? nameOf(c.value, labels)}</span>
                            )}
                          </li>
                        ))}
                      </ul>
                    </dd>
                  </div>
                ))}
              </dl>
            </section>

            <section aria-labelledby="exceptions-heading">
              <h2 id="exceptions-heading">Exceptions and cross-references</h2>
              {['exception', 'refersTo', 'overrides'].every((r) => context(r).length === 0) ? (
                <p>None.</p>
              ) : (
                <dl class="fields">
                  {(
                    [
                      ['exception', 'Exceptions'],
                      ['refersTo', 'Refers to'],
                      ['overrides', 'Overrides'],
                    ] as const
                  )
                    .filter(([r]) => context(r).length > 0)
                    .map(([relation, name]) => (
                      <div key={relation}>
                        <dt>{name}</dt>
                        <dd>
                          <ul>
                            {context(relation).map((c) => (
                              <li key={c.value}>{relation === 'exception' ? <span title={c.value}>{c.label ?? nameOf(c.value)}</span> : <RuleLink rule={c.value} label={c.label} />}</li>
                            ))}
                          </ul>
                        </dd>
                      </div>
                    ))}
                </dl>
              )}
            </section>

            <section aria-labelledby="conflicts-heading">
              <h2 id="conflicts-heading">
                Conflicts <Stale stale={detail.conflictsRecorded?.stale} what="The recorded conflicts" />
              </h2>
              {!detail.conflictsRecorded ? (
                <p>
                  Conflicts were never recorded for this policy (<code>studio conflicts</code>). <a href={href.conflicts(policy)}>See them detected now</a>.
                </p>
              ) : detail.conflicts.length === 0 ? (
                <p>
                  No conflict recorded (<When at={detail.conflictsRecorded.writtenAt} />
                  ).
                </p>
              ) : (
                <table>
                  <caption class="visually-hidden">Conflicts of this rule</caption>
                  <thead>
                    <tr>
                      <th scope="col">With</th>
                      <th scope="col">Certainty</th>
                      <th scope="col">Principle</th>
                      <th scope="col">Winner</th>
                      <th scope="col">Reason</th>
                      <th scope="col">Documented</th>
                    </tr>
                  </thead>
                  <tbody>
                    {detail.conflicts.map((c) => (
                      <tr key={c.conflict}>
                        <th scope="row">
                          <RuleLink rule={c.other} label={labels.get(c.other)} />
                        </th>
                        <td>{c.certainty}</td>
                        <td>{c.principle ?? <span class="badge failed">unresolved</span>}</td>
                        <td>{c.winner ? c.winner === rule ? 'this rule' : <RuleLink rule={c.winner} label={labels.get(c.winner)} /> : '—'}</td>
                        <td>{c.reason ?? '—'}</td>
                        <td>{c.documented ? nameOf(c.documented) : 'no'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>

            <section aria-labelledby="generated-heading">
              <h2 id="generated-heading">
                Generated items <Stale stale={detail.generated?.stale} what="The generated data" />
              </h2>
              {!detail.generated ? (
                <p>No data was generated for this policy yet (<code>studio generate</code>, or a generation job).</p>
              ) : (
                <>
                  <p>
                    {detail.generated.items} items derive from this rule (generated <When at={detail.generated.writtenAt} />
                    ). {!data ? '' : gaps.length === 0 ? 'Nothing is missing.' : `Missing: ${gaps.map((g) => COVERAGE_GAPS[g]).join('; ')}.`}
                  </p>
                  <table>
                    <caption class="visually-hidden">Generated items by family</caption>
                    <thead>
                      <tr>
                        <th scope="col">Family</th>
                        <th scope="col">Scenario label</th>
                        <th scope="col" class="num">Items</th>
                      </tr>
                    </thead>
                    <tbody>
                      {detail.generated.byFamily.map((g) => (
                        <tr key={`${g.family} ${g.label}`}>
                          <th scope="row">{g.family}</th>
                          <td>{g.label ?? '—'}</td>
                          <td class="num">{g.items}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </section>

            <section aria-labelledby="audits-heading">
              <h2 id="audits-heading">Audit history</h2>
              {detail.audits.length === 0 ? (
                <p>No audit run has tested this rule.</p>
              ) : (
                <>
                  {failed && <p class="badge failed">Failing in the latest run: {failed} scenarios.</p>}
                  <table>
                    <caption class="visually-hidden">Audit runs that tested this rule</caption>
                    <thead>
                      <tr>
                        <th scope="col">Run</th>
                        <th scope="col">Stage</th>
                        <th scope="col">Model</th>
                        <th scope="col" class="num">Scenarios</th>
                        <th scope="col" class="num">Passed</th>
                        <th scope="col" class="num">Failed</th>
                        <th scope="col" class="num">Can't tell</th>
                      </tr>
                    </thead>
                    <tbody>
                      {detail.audits.map((a) => (
                        <tr key={a.run}>
                          <th scope="row">
                            <a href={href.run(a.run, { policy, rule })}>
                              <When at={a.startedAt} />
                            </a>
                          </th>
                          <td>{a.stage}</td>
                          <td>{a.model}</td>
                          <td class="num">{a.scenarios}</td>
                          <td class="num">{a.passed}</td>
                          <td class="num">{a.failed}</td>
                          <td class="num">{a.cantTell}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
              {staleResults.length > 0 && (
                <>
                  <h3>Stale results</h3>
                  <ul>
                    {staleResults.map((s) => (
                      <li key={`${s.run} ${s.scenario}`}>
                        {nameOf(s.scenario)}: {s.reason} since <a href={href.run(s.run, { policy, rule })}>its run</a>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>
          </>
        );
      }}
    </Await>
  );
}
