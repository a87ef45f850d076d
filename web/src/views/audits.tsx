/** A policy's audit runs (stage, model, outcomes) and where its audits stand. */

import { enc, getJson } from '../api.js';
import { useLoad } from '../load.js';
import { Await, PolicyTabs, When } from '../parts.js';
import { policyTitle } from '../policy-title.js';
import { href } from '../router.js';
import type { PolicyAudits } from '../types.js';

export function AuditsView({ policy }: { policy: string }) {
  const loaded = useLoad(`audits ${policy}`, () => Promise.all([getJson<PolicyAudits>(`/v1/policies/${enc(policy)}/audits?limit=500`), policyTitle(policy)]));
  return (
    <Await loaded={loaded} what="the audits">
      {([audits, title]) => (
        <>
          <PolicyTabs policy={policy} title={title} current="audits" />
          <h1>Audits</h1>
          <ul class="cards" aria-label="Where audits stand">
            <li>
              <a href={href.coverage(policy, { gap: 'never-audited' })}>
                <span class="card-number">{audits.rulesNeverAudited}</span> <span class="card-label">rules never audited</span>
              </a>
            </li>
            <li>
              <div>
                <span class="card-number">{audits.rulesWithoutTests}</span> <span class="card-label">rules no scenario tests</span>
              </div>
            </li>
            <li>
              <div>
                <span class="card-number">{audits.staleResults}</span> <span class="card-label">stale results</span>
              </div>
            </li>
          </ul>
          {audits.runs.items.length === 0 ? (
            <p>
              No audit run yet: <code>studio audit run</code>, or an audit job.
            </p>
          ) : (
            <table>
              <caption>{audits.runs.total === 1 ? '1 run' : `${audits.runs.total} runs, oldest first`}</caption>
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Model</th>
                  <th scope="col">Ended</th>
                  <th scope="col" class="num">Scenarios</th>
                  <th scope="col" class="num">Passed</th>
                  <th scope="col" class="num">Failed</th>
                  <th scope="col" class="num">Can't tell</th>
                  <th scope="col">Compare</th>
                </tr>
              </thead>
              <tbody>
                {audits.runs.items.map((run, i) => (
                  <tr key={run.run}>
                    <th scope="row">
                      <a href={href.run(run.run, { policy })}>
                        <When at={run.startedAt} />
                      </a>
                    </th>
                    <td>{run.stage}</td>
                    <td>{run.model}</td>
                    <td>
                      <When at={run.endedAt} />
                    </td>
                    <td class="num">{run.scenarios}</td>
                    <td class="num">
                      <a href={href.run(run.run, { policy, outcome: 'passed' })} aria-label={`${run.passed} passed`}>{run.passed}</a>
                    </td>
                    <td class="num">
                      <a href={href.run(run.run, { policy, outcome: 'failed' })} aria-label={`${run.failed} failed`}>{run.failed}</a>
                    </td>
                    <td class="num">
                      <a href={href.run(run.run, { policy, outcome: 'cantTell' })} aria-label={`${run.cantTell} can't tell`}>{run.cantTell}</a>
                    </td>
                    <td>{i > 0 ? <a href={href.compare({ policy, first: audits.runs.items[i - 1]!.run, second: run.run })}>with the run before</a> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Await>
  );
}
