/**
 * A policy's conflicts as detected now and resolved by the configured
 * precedence: certainty, the principle that decided, the winner and why, and
 * whether a documented conflict agrees; then its documented conflicts and its
 * exception defects.
 */

import { useState } from 'preact/hooks';
import { enc, getJson, postJson, query } from '../api.js';
import { session } from '../session.js';
import { useLoad } from '../load.js';
import { Await, FilterSelect, PolicyTabs, RuleLink, Stale, When } from '../parts.js';
import { nameOf, policyData } from '../policy-data.js';
import { policyTitle } from '../policy-title.js';
import { go, href } from '../router.js';
import type { Conflicts } from '../types.js';

export function ConflictsView({ policy, params }: { policy: string; params: URLSearchParams }) {
  const certainty = params.get('certainty') ?? '';
  const unresolved = params.get('unresolved') ?? '';
  const filters = { certainty: certainty || undefined, unresolved: unresolved || undefined };
  // Bumped after a recording, to read the conflicts again.
  const [version, setVersion] = useState(0);
  const [recorded, setRecorded] = useState<{ message: string; failed: boolean } | null>(null);
  const loaded = useLoad(`conflicts ${policy} ${certainty} ${unresolved} ${version}`, () =>
    Promise.all([getJson<Conflicts>(`/v1/policies/${enc(policy)}/conflicts${query({ ...filters, limit: 500 })}`), policyData(policy), policyTitle(policy), session()]),
  );
  const pick = (name: 'certainty' | 'unresolved') => (value: string) => go(href.conflicts(policy, { ...filters, [name]: value || undefined }));
  return (
    <>
      {recorded && (
        <p role={recorded.failed ? 'alert' : 'status'} class={recorded.failed ? 'error notice' : 'notice'}>
          {recorded.message}
        </p>
      )}
    <Await loaded={loaded} what="the conflicts">
      {([answer, data, title, who]) => {
        const rule = (iri: string | null | undefined) => (iri ? <RuleLink rule={iri} label={data.labels.get(iri)} /> : '—');
        const s = answer.summary;
        return (
          <>
            <PolicyTabs policy={policy} title={title} current="conflicts" />
            <h1>Conflicts</h1>
            <p>
              {s.conflicts} conflicts ({s.definite} definite, {s.possible} possible), {s.unresolved} unresolved; {s.documentedAsIntended} of {s.documented} documented conflicts resolved as intended;{' '}
              {s.defectErrors} defect errors and {s.defectNotices} notices. Precedence: {answer.precedence.join(' › ')}.{' '}
              {s.failing ? <span class="badge failed">studio conflicts would fail</span> : <span class="badge passed">studio conflicts would pass</span>}
            </p>
            <p>
              {answer.recorded ? (
                <>
                  Last recorded in the graph: <When at={answer.recorded.writtenAt} /> <Stale stale={answer.recorded.stale} what="The recorded conflicts" />
                </>
              ) : (
                'Never recorded in the graph: rule pages show no conflicts until they are (studio conflicts).'
              )}
            </p>
            {who.may.changePolicies && <RecordConflicts
                policy={policy}
                onDone={(outcome) => {
                  setRecorded(outcome);
                  if (!outcome.failed) setVersion((v) => v + 1);
                }}
              />}
            <form class="filters" aria-label="Filter conflicts" onSubmit={(e) => e.preventDefault()}>
              <FilterSelect id="filter-certainty" label="Certainty" value={certainty} options={[['', 'any certainty'], ['definite', 'definite'], ['possible', 'possible']]} onPick={pick('certainty')} />
              <FilterSelect id="filter-unresolved" label="Resolution" value={unresolved} options={[['', 'resolved or not'], ['true', 'unresolved only']]} onPick={pick('unresolved')} />
            </form>
            <p role="status" class="count">
              {answer.conflicts.total} conflicts shown
            </p>
            <table>
              <caption class="visually-hidden">Conflicts</caption>
              <thead>
                <tr>
                  <th scope="col">Prohibition</th>
                  <th scope="col">Permissive rule</th>
                  <th scope="col">Certainty</th>
                  <th scope="col">Principle</th>
                  <th scope="col">Winner</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Documented</th>
                </tr>
              </thead>
              <tbody>
                {answer.conflicts.items.map((c) => (
                  <tr key={c.iri}>
                    <td>{rule(c.prohibition)}</td>
                    <td>{rule(c.permissive)}</td>
                    <td>{c.certainty}</td>
                    <td>{c.principle ?? <span class="badge failed">unresolved</span>}</td>
                    <td>{rule(c.winner)}</td>
                    <td>{c.reason ?? '—'}</td>
                    <td>{c.documented ? `${c.documented.label ?? nameOf(c.documented.iri)} (${c.documented.status})` : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>

            <h2>Documented conflicts</h2>
            {answer.documented.items.length === 0 ? (
              <p>The policy documents no conflict.</p>
            ) : (
              <table>
                <caption class="visually-hidden">Documented conflicts</caption>
                <thead>
                  <tr>
                    <th scope="col">Conflict</th>
                    <th scope="col">Rules</th>
                    <th scope="col">Intended winner</th>
                    <th scope="col">Intended principle</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {answer.documented.items.map((d) => (
                    <tr key={d.iri}>
                      <th scope="row">{d.label ?? nameOf(d.iri)}</th>
                      <td>
                        <ul class="inline">
                          {d.rules.map((r) => (
                            <li key={r}>{rule(r)}</li>
                          ))}
                        </ul>
                      </td>
                      <td>{rule(d.intendedWinner)}</td>
                      <td>{d.intendedPrinciple ?? '—'}</td>
                      <td>
                        <span class={`badge ${d.status === 'agrees' ? 'passed' : 'failed'}`}>{d.status}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}

            <h2>Exception defects</h2>
            {answer.defects.items.length === 0 ? (
              <p>None.</p>
            ) : (
              <ul>
                {answer.defects.items.map((d, i) => (
                  <li key={i}>
                    <strong>{d.severity}</strong> {(d.defect ?? '').replace(/-/g, ' ')}:{' '}
                    {[d.subject, d.related, d.detail]
                      .filter((v): v is string => !!v)
                      .map((v, j) => (
                        <span key={j}>
                          {j > 0 && ', '}
                          {/^[a-z]+:/.test(v) ? <RuleLinkOrName iri={v} labels={data.labels} /> : v}
                        </span>
                      ))}
                  </li>
                ))}
              </ul>
            )}
          </>
        );
      }}
    </Await>
    </>
  );
}

function RuleLinkOrName({ iri, labels }: { iri: string; labels: Map<string, string> }) {
  return labels.has(iri) ? <RuleLink rule={iri} label={labels.get(iri)} /> : <span title={iri}>{nameOf(iri)}</span>;
}

/** The one write of this view, shown only to a token whose roles may change policies (engineer, admin). */
function RecordConflicts({ policy, onDone }: { policy: string; onDone: (outcome: { message: string; failed: boolean }) => void }) {
  const [busy, setBusy] = useState(false);
  const record = async () => {
    setBusy(true);
    try {
      const answer = await postJson<{ summary: { conflicts: number } }>(`/v1/policies/${enc(policy)}/conflicts`);
      onDone({ message: `Recorded ${answer.summary.conflicts} conflicts in the graph.`, failed: false });
    } catch (error) {
      onDone({ message: `Not recorded: ${(error as Error).message}`, failed: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="actions">
      <button type="button" onClick={record} disabled={busy}>
        {busy ? 'Recording…' : 'Record conflicts in the graph'}
      </button>
    </div>
  );
}
