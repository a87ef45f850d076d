/**
 * A policy's rules: its sections as a tree beside the rule list, and filters
 * for kind, section, bearer, action, coverage and failing. Kind, section and
 * bearer go to GET /v1/rules; the others are read from the policy's data.
 */

import { useLoad } from '../load.js';
import { Await, FilterSelect, PolicyTabs, RuleLink } from '../parts.js';
import { allRules, COVERAGE_GAPS, nameOf, policyData, type CoverageGap, type PolicyData, type Section } from '../policy-data.js';
import { policyTitle } from '../policy-title.js';
import { go, href } from '../router.js';
import type { RuleSummary } from '../types.js';

const KINDS = ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] as const;
export const RULE_FILTERS = ['kind', 'section', 'bearer', 'action', 'coverage', 'failing'] as const;
type Filters = Partial<Record<(typeof RULE_FILTERS)[number], string>>;

function filtersOf(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const name of RULE_FILTERS) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

function SectionTree({ sections, policy, filters, labelledBy }: { sections: Section[]; policy: string; filters: Filters; labelledBy?: string }) {
  return (
    <ul aria-labelledby={labelledBy}>
      {sections.map((s) => (
        <li key={s.section}>
          <a href={href.rules(policy, { ...filters, section: s.section })} aria-current={filters.section === s.section ? 'true' : undefined}>
            {s.number && <span class="section-number">{s.number}</span>} {s.title ?? nameOf(s.section)}
          </a>
          {s.children.length > 0 && <SectionTree sections={s.children} policy={policy} filters={filters} />}
        </li>
      ))}
    </ul>
  );
}

/** Whether a rule passes the filters the API does not apply. */
function passes(rule: RuleSummary, filters: Filters, data: PolicyData): boolean {
  if (filters.action && !(data.actions.get(rule.rule) ?? []).includes(filters.action)) return false;
  const gaps = data.gaps.get(rule.rule) ?? [];
  if (filters.coverage === 'covered' && gaps.length > 0) return false;
  if (filters.coverage === 'any-gap' && gaps.length === 0) return false;
  if (filters.coverage && filters.coverage in COVERAGE_GAPS && !gaps.includes(filters.coverage as CoverageGap)) return false;
  if (filters.failing === 'failing' && !data.failing.has(rule.rule)) return false;
  if (filters.failing === 'not-failing' && data.failing.has(rule.rule)) return false;
  return true;
}

/** Distinct values, as [value, label] sorted by label. */
function choices(values: Iterable<string>, labels: Map<string, string>): [string, string][] {
  return [...new Set(values)].map((v): [string, string] => [v, nameOf(v, labels)]).sort((a, b) => a[1].localeCompare(b[1]));
}

export function RulesView({ policy, params }: { policy: string; params: URLSearchParams }) {
  const filters = filtersOf(params);
  const apiFilters = { policy, kind: filters.kind, section: filters.section, bearer: filters.bearer };
  const data = useLoad(`data ${policy}`, () => Promise.all([policyData(policy), policyTitle(policy)]));
  const rules = useLoad(`rules ${JSON.stringify(apiFilters)}`, () => allRules(apiFilters));
  const pick = (name: keyof Filters) => (value: string) => go(href.rules(policy, { ...filters, [name]: value || undefined }));
  return (
    <Await loaded={data} what="the policy">
      {([policyData, title]) => {
        const labels = policyData.labels;
        const bearers = choices(policyData.rules.flatMap((r) => (r.bearer ? [r.bearer] : [])), labels);
        const actions = choices(policyData.rules.flatMap((r) => policyData.actions.get(r.rule) ?? []), labels);
        const section = filters.section ? policyData.sectionsById.get(filters.section) : undefined;
        return (
          <>
            <PolicyTabs policy={policy} title={title} current="rules" />
            <h1>Rules</h1>
            <div class="split">
              <nav class="section-tree" aria-labelledby="sections-heading">
                <h2 id="sections-heading">Sections</h2>
                <a href={href.rules(policy, { ...filters, section: undefined })} aria-current={filters.section ? undefined : 'true'}>
                  All sections
                </a>
                <SectionTree sections={policyData.sections} policy={policy} filters={filters} />
              </nav>
              <section aria-labelledby="rule-list-heading" class="grow">
                <h2 id="rule-list-heading" class="visually-hidden">
                  Rule list
                </h2>
                <form class="filters" aria-label="Filter rules" onSubmit={(e) => e.preventDefault()}>
                  <FilterSelect id="filter-kind" label="Kind" value={filters.kind ?? ''} options={[['', 'any kind'], ...KINDS.map((k): [string, string] => [k, k])]} onPick={pick('kind')} />
                  <FilterSelect id="filter-bearer" label="Bearer" value={filters.bearer ?? ''} options={[['', 'any bearer'], ...bearers]} onPick={pick('bearer')} />
                  <FilterSelect id="filter-action" label="Action" value={filters.action ?? ''} options={[['', 'any action'], ...actions]} onPick={pick('action')} />
                  <FilterSelect
                    id="filter-coverage"
                    label="Coverage"
                    value={filters.coverage ?? ''}
                    options={[['', 'any coverage'], ['covered', 'fully covered'], ['any-gap', 'any gap'], ...Object.entries(COVERAGE_GAPS)]}
                    onPick={pick('coverage')}
                  />
                  <FilterSelect
                    id="filter-failing"
                    label="Latest audit"
                    value={filters.failing ?? ''}
                    options={[['', policyData.latestRun ? 'any result' : 'no audit run yet'], ['failing', 'failing'], ['not-failing', 'not failing']]}
                    onPick={pick('failing')}
                  />
                  {section && (
                    <p class="chip">
                      Section: {[section.number, section.title].filter(Boolean).join(' ')}{' '}
                      <a href={href.rules(policy, { ...filters, section: undefined })}>Clear section</a>
                    </p>
                  )}
                </form>
                <Await loaded={rules} what="the rules">
                  {({ items }) => {
                    const shown = items.filter((r) => passes(r, filters, policyData));
                    return (
                      <>
                        <p role="status" class="count">
                          {shown.length} of {policyData.rules.length} rules
                        </p>
                        <table class="rules">
                          <caption class="visually-hidden">Rules matching the filters</caption>
                          <thead>
                            <tr>
                              <th scope="col">Rule</th>
                              <th scope="col">Kind</th>
                              <th scope="col">Section</th>
                              <th scope="col">Bearer</th>
                              <th scope="col">Action</th>
                              <th scope="col">Coverage</th>
                              <th scope="col">Latest audit</th>
                            </tr>
                          </thead>
                          <tbody>
                            {shown.map((r) => {
                              const gaps = policyData.gaps.get(r.rule) ?? [];
                              const failed = policyData.failing.get(r.rule);
                              return (
                                <tr key={r.rule}>
                                  <th scope="row">
                                    <RuleLink rule={r.rule} label={r.label} />
                                  </th>
                                  <td>
                                    <span class={`kind kind-${r.kind.toLowerCase()}`}>{r.kind}</span>
                                  </td>
                                  <td>{nameOf(r.section, labels)}</td>
                                  <td>{nameOf(r.bearer, labels)}</td>
                                  <td>{(policyData.actions.get(r.rule) ?? []).map((a) => nameOf(a, labels)).join(', ')}</td>
                                  <td>{gaps.length === 0 ? 'covered' : gaps.map((g) => COVERAGE_GAPS[g]).join('; ')}</td>
                                  <td>{!policyData.latestRun ? 'not audited' : failed ? <span class="badge failed">failing ({failed})</span> : 'not failing'}</td>
                                </tr>
                              );
                            })}
                          </tbody>
                        </table>
                      </>
                    );
                  }}
                </Await>
              </section>
            </div>
          </>
        );
      }}
    </Await>
  );
}
