/**
 * Which rules lack test coverage: rules without instruction data, without a
 * scenario of each label, exception sides without a scenario, rules never
 * audited, rules failing in the latest run, and terms no item uses. Every
 * number filters the list to its rows; every rule opens its page.
 */

import { enc, getJson } from '../api.js';
import { useLoad } from '../load.js';
import { Await, FilterSelect, PolicyTabs, RuleLink, Stale, When } from '../parts.js';
import { nameOf, policyData } from '../policy-data.js';
import { policyTitle } from '../policy-title.js';
import { go, href } from '../router.js';
import type { Coverage, QueryAnswer } from '../types.js';

const GAPS = [
  ['instructions', 'No instruction data'],
  ['Compliant', 'No compliant scenario'],
  ['NonCompliant', 'No non-compliant scenario'],
  ['Ambiguous', 'No ambiguous scenario'],
  ['exception', 'Exception side without a scenario'],
  ['never-audited', 'Never audited'],
  ['failing', 'Failing in the latest run'],
  ['unused-term', 'Term no item uses'],
] as const;
type Gap = (typeof GAPS)[number][0];

interface Row {
  subject: string;
  kind: 'rule' | 'exception' | 'term';
  gap: Gap;
  detail?: string;
}

async function readCoverage(policy: string) {
  const p = enc(policy);
  const [coverage, data, title, neverAudited] = await Promise.all([
    getJson<Coverage>(`/v1/policies/${p}/coverage?limit=500`),
    policyData(policy),
    policyTitle(policy),
    getJson<QueryAnswer>(`/v1/queries/audit-rules-never-audited?policy=${p}`),
  ]);
  const rows: Row[] = [
    ...coverage.rulesWithoutInstructions.items.map((r): Row => ({ subject: r.rule, kind: 'rule', gap: 'instructions' })),
    ...coverage.rulesWithoutScenarios.items.map((r): Row => ({ subject: r.rule, kind: 'rule', gap: r.missing as Gap })),
    ...coverage.exceptionsWithoutBoundaryPairs.items.map((r): Row => ({ subject: r.exception, kind: 'exception', gap: 'exception', detail: `missing the ${r.missing} side` })),
    ...neverAudited.rows.map((r): Row => ({ subject: String(r.rule), kind: 'rule', gap: 'never-audited' })),
    ...[...data.failing].map(([rule, failed]): Row => ({ subject: rule, kind: 'rule', gap: 'failing', detail: `${failed} scenarios failed` })),
    ...coverage.unusedTerms.items.map((r): Row => ({ subject: r.term, kind: 'term', gap: 'unused-term', detail: r.type })),
  ];
  const counts: Record<Gap, number> = {
    instructions: coverage.summary.rulesWithoutInstructions,
    Compliant: coverage.summary.rulesWithoutScenarios.Compliant ?? 0,
    NonCompliant: coverage.summary.rulesWithoutScenarios.NonCompliant ?? 0,
    Ambiguous: coverage.summary.rulesWithoutScenarios.Ambiguous ?? 0,
    exception: coverage.summary.exceptionSidesWithoutScenario,
    'never-audited': neverAudited.count,
    failing: data.failing.size,
    'unused-term': coverage.summary.unusedTerms,
  };
  return { coverage, data, title, rows, counts };
}

export function CoverageView({ policy, params }: { policy: string; params: URLSearchParams }) {
  const gap = (params.get('gap') ?? '') as Gap | '';
  const loaded = useLoad(`coverage ${policy}`, () => readCoverage(policy));
  return (
    <Await loaded={loaded} what="the coverage">
      {({ coverage, data, title, rows, counts }) => {
        const shown = rows.filter((r) => !gap || r.gap === gap);
        const gapName = (g: Gap) => GAPS.find(([v]) => v === g)![1];
        return (
          <>
            <PolicyTabs policy={policy} title={title} current="coverage" />
            <h1>Coverage</h1>
            {coverage.generated ? (
              <p>
                Measured against the data generated <When at={coverage.generated.writtenAt} /> <Stale stale={coverage.generated.stale} what="The generated data" /> for {coverage.rules} rules.{' '}
                {coverage.summary.fullyCovered ? 'Every rule has instruction data and a scenario of each label.' : 'Some rules are not fully covered.'}
                {data.latestRun ? '' : ' No audit run yet.'}
              </p>
            ) : (
              <p>No data was generated for this policy yet: every rule lacks coverage until <code>studio generate</code> runs.</p>
            )}
            <ul class="cards" aria-label="Gaps">
              {GAPS.map(([g, name]) => (
                <li key={g}>
                  <a href={href.coverage(policy, { gap: g })} aria-current={gap === g ? 'true' : undefined}>
                    <span class="card-number">{counts[g]}</span> <span class="card-label">{name}</span>
                  </a>
                </li>
              ))}
            </ul>
            <form class="filters" aria-label="Filter gaps" onSubmit={(e) => e.preventDefault()}>
              <FilterSelect id="filter-gap" label="Gap" value={gap} options={[['', 'every gap'], ...GAPS]} onPick={(v) => go(href.coverage(policy, { gap: v || undefined }))} />
            </form>
            <p role="status" class="count">
              {shown.length} {shown.length === 1 ? 'gap' : 'gaps'}
              {gap ? ` of kind "${gapName(gap)}"` : ''}
            </p>
            {shown.length > 0 && (
              <table>
                <caption class="visually-hidden">Coverage gaps</caption>
                <thead>
                  <tr>
                    <th scope="col">What</th>
                    <th scope="col">Gap</th>
                    <th scope="col">Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <tr key={`${r.subject} ${r.gap}`}>
                      <th scope="row">{r.kind === 'rule' ? <RuleLink rule={r.subject} label={data.labels.get(r.subject)} /> : <span title={r.subject}>{nameOf(r.subject, data.labels)}</span>}</th>
                      <td>{gapName(r.gap)}</td>
                      <td>{r.detail ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        );
      }}
    </Await>
  );
}
