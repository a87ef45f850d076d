/**
 * What the rule, coverage, conflicts and run views of one policy need besides
 * their own answers, read once per policy and tab: its sections (a tree), the
 * labels of its rules and terms, each rule's coverage gaps, and the rules
 * failing in its latest audit run. (The rule list reads less: policy-outline.ts.)
 */

import { enc, getJson, query } from './api.js';
import type { Coverage, Page, PolicyAudits, QueryAnswer, RuleSummary } from './types.js';

export interface Section {
  section: string;
  number: string | null;
  title: string | null;
  parent: string | null;
  children: Section[];
}

/** The coverage a rule may lack: instruction data, or a scenario of a label (GET /v1/rules names them so). */
export const COVERAGE_GAPS = {
  instructions: 'no instruction data',
  Compliant: 'no compliant scenario',
  NonCompliant: 'no non-compliant scenario',
  Ambiguous: 'no ambiguous scenario',
} as const;
export type CoverageGap = keyof typeof COVERAGE_GAPS;

export interface PolicyData {
  policy: string;
  /** Top-level sections, each with its subsections. */
  sections: Section[];
  sectionsById: Map<string, Section>;
  /** Every rule of the policy, in IRI order. */
  rules: RuleSummary[];
  /** Labels of the policy's rules and terms, and of the vocabulary's terms. */
  labels: Map<string, string>;
  /** Each rule's coverage gaps. */
  gaps: Map<string, CoverageGap[]>;
  /** The latest audit run, and how many of its scenarios each failing rule failed. */
  latestRun: string | null;
  failing: Map<string, number>;
}

/** Every item of an offset-paged list (at most 500 a page). */
async function allOffsetPages<T>(page: (offset: number) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const answer = await page(items.length);
    items.push(...answer.items);
    if (answer.items.length === 0 || items.length >= answer.total) return items;
  }
}

/** Every rule the filters select, page after page (the API's cursor). */
async function allRules(filters: Record<string, string | undefined>): Promise<{ items: RuleSummary[]; total: number }> {
  const items: RuleSummary[] = [];
  let after: string | undefined;
  let total = 0;
  do {
    const page = await getJson<Page<RuleSummary>>(`/v1/rules${query({ ...filters, limit: 500, after })}`);
    items.push(...page.items);
    total = page.total;
    after = page.next ?? undefined;
  } while (after);
  return { items, total };
}

export function sectionTree(rows: QueryAnswer['rows']): { roots: Section[]; byId: Map<string, Section> } {
  const byId = new Map<string, Section>();
  for (const row of rows) {
    const id = String(row.section);
    if (!byId.has(id)) byId.set(id, { section: id, number: row.number ?? null, title: row.title ?? null, parent: row.parent ?? null, children: [] });
  }
  const roots: Section[] = [];
  for (const section of byId.values()) {
    const parent = section.parent ? byId.get(section.parent) : undefined;
    (parent ? parent.children : roots).push(section);
  }
  const byNumber = (a: Section, b: Section) => (a.number ?? '').localeCompare(b.number ?? '', 'en', { numeric: true }) || a.section.localeCompare(b.section);
  for (const section of byId.values()) section.children.sort(byNumber);
  roots.sort(byNumber);
  return { roots, byId };
}

async function readPolicyData(policy: string): Promise<PolicyData> {
  const p = enc(policy);
  const [rules, sections, terms, coverage, audits] = await Promise.all([
    allRules({ policy }),
    getJson<QueryAnswer>(`/v1/queries/generation-sections?policy=${p}`),
    getJson<QueryAnswer>(`/v1/queries/generation-terms?policy=${p}`),
    getJson<Coverage>(`/v1/policies/${p}/coverage?limit=500`),
    getJson<PolicyAudits>(`/v1/policies/${p}/audits?limit=500`),
  ]);
  const tree = sectionTree(sections.rows);
  const labels = new Map<string, string>();
  for (const row of terms.rows) if (row.term && row.label) labels.set(row.term, row.label);
  for (const rule of rules.items) if (rule.label) labels.set(rule.rule, rule.label);
  for (const section of tree.byId.values()) labels.set(section.section, [section.number, section.title].filter(Boolean).join(' '));
  const gaps = new Map<string, CoverageGap[]>();
  const addGap = (rule: string, gap: CoverageGap) => gaps.set(rule, [...(gaps.get(rule) ?? []), gap]);
  const withoutInstructions = coverage.rulesWithoutInstructions.total > coverage.rulesWithoutInstructions.items.length
    ? await allOffsetPages((offset) => getJson<Coverage>(`/v1/policies/${p}/coverage?limit=500&offset=${offset}`).then((c) => c.rulesWithoutInstructions))
    : coverage.rulesWithoutInstructions.items;
  const withoutScenarios = coverage.rulesWithoutScenarios.total > coverage.rulesWithoutScenarios.items.length
    ? await allOffsetPages((offset) => getJson<Coverage>(`/v1/policies/${p}/coverage?limit=500&offset=${offset}`).then((c) => c.rulesWithoutScenarios))
    : coverage.rulesWithoutScenarios.items;
  for (const row of withoutInstructions) addGap(row.rule, 'instructions');
  for (const row of withoutScenarios) if (row.missing in COVERAGE_GAPS) addGap(row.rule, row.missing as CoverageGap);
  // Runs come oldest first: the latest is the last of all pages.
  const runs = audits.runs.total > audits.runs.items.length ? (await getJson<PolicyAudits>(`/v1/policies/${p}/audits?limit=1&offset=${audits.runs.total - 1}`)).runs.items : audits.runs.items;
  const latestRun = runs[runs.length - 1]?.run ?? null;
  const failing = new Map<string, number>();
  if (latestRun) {
    const rows = await allOffsetPages((offset) => getJson<Page<{ rule: string; failed: number }>>(`/v1/audits/${enc(latestRun)}/failing-rules?limit=500&offset=${offset}`));
    for (const row of rows) failing.set(row.rule, row.failed);
  }
  return { policy, rules: rules.items, sections: tree.roots, sectionsById: tree.byId, labels, gaps, latestRun, failing };
}

const cache = new Map<string, Promise<PolicyData>>();

/** The policy's data, read once per tab (a failed read is tried again next time). */
export function policyData(policy: string): Promise<PolicyData> {
  let data = cache.get(policy);
  if (!data) {
    data = readPolicyData(policy);
    data.catch(() => cache.delete(policy));
    cache.set(policy, data);
  }
  return data;
}

/** A readable name for an IRI: its label when known, else what follows its last # or /. */
export function nameOf(iri: string | null | undefined, labels?: Map<string, string>): string {
  if (!iri) return '';
  return labels?.get(iri) ?? iri.replace(/^.*[#/]/, '') ?? iri;
}
