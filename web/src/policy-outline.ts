/**
 * What the rule list needs of a policy besides the rules GET /v1/rules pages:
 * its sections as a tree, the labels of its sections and terms, the roles and
 * actions to filter by (its own and the vocabulary's), how many rules it states
 * and whether it was ever audited. Small answers, read once per policy and tab;
 * the filters themselves run on the server.
 */

import { enc, getJson } from './api.js';
import { sectionTree, type Section } from './policy-data.js';
import type { Page, PolicyAudits, QueryAnswer, RuleSummary } from './types.js';

export interface PolicyOutline {
  sections: Section[];
  sectionsById: Map<string, Section>;
  labels: Map<string, string>;
  /** [IRI, label] of the roles and actions, sorted by label. */
  roles: [string, string][];
  actions: [string, string][];
  rules: number;
  audited: boolean;
}

async function readOutline(policy: string): Promise<PolicyOutline> {
  const p = enc(policy);
  const [sections, terms, rules, audits] = await Promise.all([
    getJson<QueryAnswer>(`/v1/queries/generation-sections?policy=${p}`),
    getJson<QueryAnswer>(`/v1/queries/generation-terms?policy=${p}`),
    getJson<Page<RuleSummary>>(`/v1/rules?policy=${p}&limit=1`),
    getJson<PolicyAudits>(`/v1/policies/${p}/audits?limit=1`),
  ]);
  const tree = sectionTree(sections.rows);
  const labels = new Map<string, string>();
  const roles = new Map<string, string>();
  const actions = new Map<string, string>();
  for (const row of terms.rows) {
    if (!row.term) continue;
    const label = row.label ?? row.term.replace(/^.*[#/]/, '');
    labels.set(row.term, label);
    if (row.type === 'Role') roles.set(row.term, label);
    if (row.type === 'Action') actions.set(row.term, label);
  }
  for (const section of tree.byId.values()) labels.set(section.section, [section.number, section.title].filter(Boolean).join(' '));
  const sorted = (m: Map<string, string>) => [...m].sort((a, b) => a[1].localeCompare(b[1]));
  return { sections: tree.roots, sectionsById: tree.byId, labels, roles: sorted(roles), actions: sorted(actions), rules: rules.total, audited: audits.runs.total > 0 };
}

const cache = new Map<string, Promise<PolicyOutline>>();

/** The policy's outline, read once per tab (a failed read is tried again next time). */
export function policyOutline(policy: string): Promise<PolicyOutline> {
  let outline = cache.get(policy);
  if (!outline) {
    outline = readOutline(policy);
    outline.catch(() => cache.delete(policy));
    cache.set(policy, outline);
  }
  return outline;
}
