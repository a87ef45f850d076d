/** studio stats: rules by kind, section and policy. */

import type { Command } from 'commander';
import type { GraphStore, LoadedPolicy } from '../../store/graph-store.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { formatTable, printJson } from '../output.js';

/** The counts stats prints, every one traceable to the rule-summary named query. */
export interface Stats {
  readonly policies: readonly (LoadedPolicy & { readonly rules: number })[];
  readonly byKind: readonly { policy: string; kind: string; rules: number }[];
  readonly bySection: readonly { policy: string; section: string; number: string | null; title: string | null; kind: string; rules: number }[];
}

export function registerStats(program: Command): void {
  storeOptions(
    program.command('stats').description('count the loaded rules by policy, kind and section').option('--json', 'print the counts as JSON'),
  ).action(async (options: StoreOptions & { json?: boolean }) => {
    const store = await openStore(options);
    try {
      const stats = await collectStats(store);
      if (options.json) printJson(stats);
      else process.stdout.write(formatStats(stats));
    } finally {
      await store.close();
    }
  });
}

export async function collectStats(store: GraphStore): Promise<Stats> {
  const rows = await store.namedQuery('rule-summary');
  const bySection = rows.map((r) => ({
    policy: String(r.policy),
    section: String(r.section),
    number: r.sectionNumber === null ? null : String(r.sectionNumber),
    title: r.sectionTitle === null ? null : String(r.sectionTitle),
    kind: String(r.kind),
    rules: Number(r.rules),
  }));
  const kinds = new Map<string, { policy: string; kind: string; rules: number }>();
  for (const row of bySection) {
    const key = `${row.policy} ${row.kind}`;
    const entry = kinds.get(key) ?? { policy: row.policy, kind: row.kind, rules: 0 };
    entry.rules += row.rules;
    kinds.set(key, entry);
  }
  const byKind = [...kinds.values()];
  const policies = (await store.listPolicies()).map((p) => ({
    ...p,
    rules: byKind.filter((k) => k.policy === p.policy).reduce((sum, k) => sum + k.rules, 0),
  }));
  return { policies, byKind, bySection };
}

export function formatStats(stats: Stats): string {
  if (stats.policies.length === 0) return "No policies loaded. Load some with 'studio load policies/'.\n";
  const out: string[] = [];
  out.push('Policies', formatTable(['policy', 'title', 'rules', 'triples', 'source'], stats.policies.map((p) => [p.policy, p.title ?? '', p.rules, p.triples, p.source])), '');
  out.push('Rules by kind', formatTable(['policy', 'kind', 'rules'], stats.byKind.map((k) => [k.policy, k.kind, k.rules])), '');
  const sections = new Map<string, { policy: string; section: string; Obligation: number; Prohibition: number; Permission: number }>();
  for (const row of stats.bySection) {
    const label = [row.number, row.title].filter(Boolean).join(' ') || row.section;
    const key = `${row.policy} ${row.section}`;
    const entry = sections.get(key) ?? { policy: row.policy, section: label, Obligation: 0, Prohibition: 0, Permission: 0 };
    if (row.kind === 'Obligation' || row.kind === 'Prohibition' || row.kind === 'Permission') entry[row.kind] += row.rules;
    sections.set(key, entry);
  }
  const sorted = [...sections.values()].sort((a, b) => a.policy.localeCompare(b.policy) || a.section.localeCompare(b.section, undefined, { numeric: true }));
  out.push(
    'Rules by section',
    formatTable(
      ['policy', 'section', 'obligations', 'prohibitions', 'permissions'],
      sorted.map((s) => [s.policy, s.section, s.Obligation, s.Prohibition, s.Permission]),
    ),
    '',
  );
  return out.join('\n');
}
