/**
 * Exception defects and duplicate rules, from the exception-defects named
 * query. An exception to an exception is a notice (it reinstates the base
 * rule, often on purpose); every other defect is an error to fix.
 */

import type { GraphStore } from '../store/graph-store.js';

export const DEFECT_KINDS = ['exception-to-nothing', 'broader-than-rule', 'cycle', 'exception-to-exception', 'fully-shadowed', 'duplicate-rule'] as const;
export type DefectKind = (typeof DEFECT_KINDS)[number];

export interface Defect {
  readonly defect: DefectKind;
  /** The exception or rule at fault. */
  readonly subject: string;
  /** The rule or exception it concerns (see sparql/exception-defects.rq per kind). */
  readonly related: string | null;
  readonly detail: string | null;
  readonly severity: 'error' | 'notice';
}

/** The defects of one policy, or of all when policy is omitted. */
export async function findDefects(store: GraphStore, policy?: string): Promise<Defect[]> {
  const rows = await store.namedQuery('exception-defects', { byPolicy: policy ?? '' });
  return rows.map((r) => {
    const defect = String(r.defect) as DefectKind;
    return {
      defect,
      subject: String(r.subject),
      related: r.related === null ? null : String(r.related),
      detail: r.detail === null ? null : String(r.detail),
      severity: defect === 'exception-to-exception' ? 'notice' : 'error',
    };
  });
}

/** A sentence per defect, for the CLI. */
export function describeDefect(d: Defect, short: (iri: string) => string): string {
  const related = d.related ? short(d.related) : '';
  switch (d.defect) {
    case 'exception-to-nothing':
      return `${short(d.subject)} is an exception to ${related || 'nothing'}, which is no rule or exception`;
    case 'broader-than-rule':
      return `${short(d.subject)} names a ${d.detail} outside that of ${related}, the rule it excepts`;
    case 'cycle':
      return `${short(d.subject)} reaches itself through studio:${d.detail}`;
    case 'exception-to-exception':
      return `${short(d.subject)} is an exception to ${d.detail ? short(d.detail) : 'an exception'}: when both apply, ${related} applies again`;
    case 'fully-shadowed':
      return `${short(d.subject)} never applies: ${d.detail} (${related})`;
    case 'duplicate-rule':
      return `${short(d.subject)} and ${related} are duplicates: ${d.detail}`;
  }
}
