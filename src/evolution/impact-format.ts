/** The impact of a change as people read it: counts, then the changed rules, their dependents and the conflicts that moved. */

import { formatTable } from '../cli/output.js';
import { diffSummary, short, type DiffFormat } from './diff-format.js';
import type { ConflictState, PolicyImpact } from './impact.js';

/** The impact in the format asked for, ending with a newline. */
export function formatImpact(impact: PolicyImpact, format: DiffFormat): string {
  if (format === 'json') return JSON.stringify(impact, null, 2) + '\n';
  const c = impact.counts;
  const counts = `${c.changedRules} rules changed; ${c.dependents} rules depend on them; conflicts: ${c.conflictsAppeared} appeared, ${c.conflictsDisappeared} disappeared, ${c.conflictsChanged} resolve otherwise`;
  const dependents = impact.dependents.map((d) => [short(d.rule), d.via, short(d.on), d.depth]);
  const conflicts = impact.conflicts.map((x) => [x.change, x.kind, short(x.prohibition), short(x.permissive), state(x.before), state(x.after)]);
  if (format === 'markdown') {
    const table = (head: string[], rows: (string | number)[][]) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map((v) => String(v).replace(/\|/g, '\\|')).join(' | ')} |`)];
    return [
      '# Impact of the change',
      '',
      counts,
      '',
      diffSummary(impact.diff),
      '',
      '## Changed rules',
      '',
      ...(impact.changedRules.length ? impact.changedRules.map((r) => `- ${short(r)}`) : ['None.']),
      '',
      '## Rules that depend on them',
      '',
      ...(dependents.length ? table(['rule', 'depends by', 'on', 'depth'], dependents) : ['None.']),
      '',
      '## Conflicts',
      '',
      ...(conflicts.length ? table(['change', 'kind', 'prohibition', 'against', 'before', 'after'], conflicts) : ['None appeared, disappeared or changed.']),
      '',
    ].join('\n');
  }
  return [
    counts,
    '',
    `changed rules: ${impact.changedRules.map(short).join(', ') || 'none'}`,
    '',
    dependents.length ? formatTable(['dependent rule', 'depends by', 'on', 'depth'], dependents) : 'No rule depends on a changed rule.',
    '',
    conflicts.length ? formatTable(['conflict', 'kind', 'prohibition', 'against', 'before', 'after'], conflicts) : 'No conflict appeared, disappeared or changed.',
    '',
  ].join('\n');
}

function state(s: ConflictState | null): string {
  if (!s) return '';
  return `${s.certainty}, ${s.principle ? `${short(s.winner ?? '')} by ${s.principle}` : 'unresolved'}`;
}
