/** A diff said compactly, one line per change, for tests to compare with a list written by hand. */

import type { PolicyDiff } from '../../src/evolution/diff.js';

/** "rules changed small-gifts condition", "terms renamed gift -> present", "policy changed version" ... */
export function diffLines(d: PolicyDiff, local: (iri: string) => string): string[] {
  const out = d.policy.map((f) => `policy changed ${f.field}`);
  for (const kind of ['rules', 'sections', 'terms'] as const) {
    const c = d[kind];
    out.push(...c.added.map((i) => `${kind} added ${local(i)}`), ...c.removed.map((i) => `${kind} removed ${local(i)}`));
    for (const r of c.renamed) out.push(`${kind} renamed ${local(r.from)} -> ${local(r.to)}${r.changes.map((f) => ` ${f.field}`).join('')}`);
    for (const ch of c.changed) out.push(...ch.changes.map((f) => `${kind} changed ${local(ch.iri)} ${f.field}`));
  }
  return out;
}
