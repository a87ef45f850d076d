/**
 * A policy's rules: its sections as a tree beside the rule list, and filters
 * for kind, section, bearer, action, coverage and failing. Every filter goes
 * to GET /v1/rules, which pages the list (100 a page, by its cursor) and gives
 * each rule's actions, coverage gaps and failures (details=true).
 */

import { getJson, query } from '../api.js';
import { useLoad } from '../load.js';
import { Await, FilterSelect, PolicyTabs, RuleLink } from '../parts.js';
import { COVERAGE_GAPS, nameOf, type Section } from '../policy-data.js';
import { policyOutline } from '../policy-outline.js';
import { policyTitle } from '../policy-title.js';
import { go, href } from '../router.js';
import type { Page, RuleSummary } from '../types.js';

const KINDS = ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] as const;
export const RULE_FILTERS = ['kind', 'section', 'bearer', 'action', 'coverage', 'failing'] as const;
type Filters = Partial<Record<(typeof RULE_FILTERS)[number], string>>;
const PAGE = 100;

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

/** The query of GET /v1/rules for the view's filters. */
function rulesQuery(policy: string, filters: Filters, after: string | undefined): string {
  const failing = filters.failing === 'failing' ? 'true' : filters.failing === 'not-failing' ? 'false' : undefined;
  return query({ policy, kind: filters.kind, section: filters.section, bearer: filters.bearer, action: filters.action, coverage: filters.coverage, failing, details: 'true', limit: PAGE, after });
}

export function RulesView({ policy, params }: { policy: string; params: URLSearchParams }) {
  const filters = filtersOf(params);
  const after = params.get('after') ?? undefined;
  const data = useLoad(`outline ${policy}`, () => Promise.all([policyOutline(policy), policyTitle(policy)]));
  const path = `/v1/rules${rulesQuery(policy, filters, after)}`;
  const rules = useLoad(path, () => getJson<Page<RuleSummary>>(path));
  // A changed filter starts at the first page again.
  const pick = (name: keyof Filters) => (value: string) => go(href.rules(policy, { ...filters, [name]: value || undefined }));
  return (
    <Await loaded={data} what="the policy">
      {([outline, title]) => {
        const labels = outline.labels;
        const section = filters.section ? outline.sectionsById.get(filters.section) : undefined;
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
                <SectionTree sections={outline.sections} policy={policy} filters={filters} />
              </nav>
              <section aria-labelledby="rule-list-heading" class="grow">
                <h2 id="rule-list-heading" class="visually-hidden">
                  Rule list
                </h2>
                <form class="filters" aria-label="Filter rules" onSubmit={(e) => e.preventDefault()}>
                  <FilterSelect id="filter-kind" label="Kind" value={filters.kind ?? ''} options={[['', 'any kind'], ...KINDS.map((k): [string, string] => [k, k])]} onPick={pick('kind')} />
                  <FilterSelect id="filter-bearer" label="Bearer" value={filters.bearer ?? ''} options={[['', 'any bearer'], ...outline.roles]} onPick={pick('bearer')} />
                  <FilterSelect id="filter-action" label="Action" value={filters.action ?? ''} options={[['', 'any action'], ...outline.actions]} onPick={pick('action')} />
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
                    options={[['', outline.audited ? 'any result' : 'no audit run yet'], ['failing', 'failing'], ['not-failing', 'not failing']]}
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
                  {({ items, total, next }) => (
                    <>
                      <p role="status" class="count">
                        {total} of {outline.rules} rules
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
                          {items.map((r) => (
                            <tr key={r.rule}>
                              <th scope="row">
                                <RuleLink rule={r.rule} label={r.label} />
                              </th>
                              <td>
                                <span class={`kind kind-${r.kind.toLowerCase()}`}>{r.kind}</span>
                              </td>
                              <td>{nameOf(r.section, labels)}</td>
                              <td>{nameOf(r.bearer, labels)}</td>
                              <td>{(r.actions ?? []).map((a) => nameOf(a, labels)).join(', ')}</td>
                              <td>{(r.gaps ?? []).length === 0 ? 'covered' : (r.gaps ?? []).map((g) => COVERAGE_GAPS[g as keyof typeof COVERAGE_GAPS] ?? g).join('; ')}</td>
                              <td>{r.failed === null || r.failed === undefined ? 'not audited' : r.failed > 0 ? <span class="badge failed">failing ({r.failed})</span> : 'not failing'}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                      {(after || next) && (
                        <nav aria-label="Rule pages" class="pager">
                          {after && <a href={href.rules(policy, filters)}>First page</a>}
                          {next && <a href={href.rules(policy, { ...filters, after: next })}>Next {PAGE} rules</a>}
                        </nav>
                      )}
                    </>
                  )}
                </Await>
              </section>
            </div>
          </>
        );
      }}
    </Await>
  );
}
