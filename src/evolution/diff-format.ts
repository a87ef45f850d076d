/** A policy diff as people read it: an aligned table for the terminal, or Markdown for a pull request. */

import { formatTable } from '../cli/output.js';
import type { EntityChanges, FieldChange, PolicyDiff } from './diff.js';
import { localName } from './snapshot.js';

export const DIFF_FORMATS = ['table', 'json', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

const KINDS = [
  ['rules', 'Rules'],
  ['sections', 'Sections'],
  ['terms', 'Terms'],
] as const;

/** One line per change: what, how, which, the field, before and after. */
interface Line {
  readonly kind: string;
  readonly change: 'added' | 'removed' | 'renamed' | 'changed';
  readonly iri: string;
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

function lines(diff: PolicyDiff): Line[] {
  const out: Line[] = [];
  for (const change of diff.policy) out.push({ kind: 'policy', change: 'changed', iri: short(diff.new.policy ?? ''), field: change.field, before: values(change.before), after: values(change.after) });
  for (const [kind] of KINDS) {
    const c: EntityChanges = diff[kind];
    for (const iri of c.added) out.push({ kind, change: 'added', iri: short(iri), field: '', before: '', after: '' });
    for (const iri of c.removed) out.push({ kind, change: 'removed', iri: short(iri), field: '', before: '', after: '' });
    for (const r of c.renamed) {
      out.push({ kind, change: 'renamed', iri: `${short(r.from)} -> ${short(r.to)}`, field: '', before: '', after: '' });
      for (const f of r.changes) out.push(fieldLine(kind, 'renamed', short(r.to), f));
    }
    for (const ch of c.changed) for (const f of ch.changes) out.push(fieldLine(kind, 'changed', short(ch.iri), f));
  }
  return out;
}

function fieldLine(kind: string, change: Line['change'], iri: string, f: FieldChange): Line {
  // A list that only lost values shows them as "- ..."; one that only gained, "+ ..."; otherwise the values before and after.
  if (f.before.length > 1 || f.after.length > 1) {
    if (f.added.length === 0) return { kind, change, iri, field: f.field, before: `- ${values(f.removed)}`, after: '' };
    if (f.removed.length === 0) return { kind, change, iri, field: f.field, before: '', after: `+ ${values(f.added)}` };
  }
  return { kind, change, iri, field: f.field, before: values(f.before), after: values(f.after) };
}

/** The totals, one line. */
export function diffSummary(diff: PolicyDiff): string {
  const part = (name: string, c: EntityChanges) => `${name}: ${c.added.length} added, ${c.removed.length} removed, ${c.renamed.length} renamed, ${c.changed.length} changed`;
  return [part('rules', diff.rules), part('sections', diff.sections), part('terms', diff.terms)].join('; ') + (diff.policy.length > 0 ? `; policy: ${diff.policy.map((f) => f.field).join(', ')} changed` : '');
}

/** The diff in the format asked for, ending with a newline. */
export function formatDiff(diff: PolicyDiff, format: DiffFormat): string {
  if (format === 'json') return JSON.stringify(diff, null, 2) + '\n';
  const all = lines(diff);
  const header = `${short(diff.old.policy ?? 'no policy')} (${diff.old.provisions} provisions, ${diff.old.sections} sections, ${diff.old.terms} terms) -> ${short(diff.new.policy ?? 'no policy')} (${diff.new.provisions} provisions, ${diff.new.sections} sections, ${diff.new.terms} terms)`;
  if (format === 'markdown') {
    const out = [`# Policy diff`, '', header, '', diffSummary(diff), ''];
    if (all.length === 0) out.push('No changes.', '');
    else {
      out.push('| kind | change | provision, section or term | field | before | after |', '| --- | --- | --- | --- | --- | --- |');
      for (const l of all) out.push(`| ${[l.kind, l.change, l.iri, l.field, l.before, l.after].map(cell).join(' | ')} |`);
      out.push('');
    }
    return out.join('\n');
  }
  const table = all.length === 0 ? 'No changes.' : formatTable(['kind', 'change', 'iri', 'field', 'before', 'after'], all.map((l) => [l.kind, l.change, l.iri, l.field, clip(l.before), clip(l.after)]));
  return [header, '', table, '', diffSummary(diff), ''].join('\n');
}

/** A list of values: IRIs by their local name, literals as they are. */
export function values(list: readonly string[]): string {
  return list.map((v) => (/^(https?|urn|file):/.test(v) ? short(v) : v)).join(', ');
}

/** An IRI by its local name (policies give their rules readable ones). */
export function short(iri: string): string {
  return /^(https?|urn|file):/.test(iri) ? localName(iri) : iri;
}

function clip(text: string): string {
  return text.length > 70 ? `${text.slice(0, 67)}...` : text;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
