/**
 * studio conflicts: find the conflicting rules of the loaded policies,
 * resolve them by precedence, record them in the graph, and exit 1 when any
 * is unresolved or a documented conflict was not found or resolved as its
 * authors intended, so that users can gate their own CI on it.
 */

import type { Command } from 'commander';
import { resolveConfig } from '../../config.js';
import { detectConflicts, failing, unresolved, DIMENSIONS, type Conflict, type ConflictReport } from '../../conflicts/detect.js';
import { describeDefect } from '../../conflicts/defects.js';
import { writeConflicts } from '../../conflicts/conflict-graph.js';
import type { GraphStore } from '../../store/graph-store.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { formatTable, printJson } from '../output.js';

interface ConflictsOptions extends StoreOptions {
  policy?: string;
  precedence?: string;
  json?: boolean;
  write?: boolean;
}

export function registerConflicts(program: Command): void {
  storeOptions(
    program
      .command('conflicts')
      .description('find conflicting rules (prohibition against obligation or permission) and exception defects, resolve conflicts by precedence, record them in the graph; exit 1 on an unresolved conflict, a documented conflict missed or resolved otherwise, or a defect (an exception to an exception is only a notice)')
      .option('--policy <iri>', 'only this policy (default: every loaded policy)')
      .option('--precedence <principles>', 'order of principles, comma-separated (default explicitOverride,lexSuperior,lexSpecialis,lexPosterior, or STUDIO_PRECEDENCE, or "precedence" in studio.config.json); caution (the prohibition prevails) and helpfulness (the obligation or permission prevails) apply only where named')
      .option('--no-write', 'do not record the conflicts in the graph')
      .option('--json', 'print the report as JSON'),
  ).action(async (options: ConflictsOptions) => {
    const { precedence } = resolveConfig(options.precedence ? { precedence: options.precedence } : {});
    const store = await openStore(options);
    try {
      const report = await runConflicts(store, { ...(options.policy ? { policy: options.policy } : {}), precedence, write: options.write !== false });
      if (options.json) printJson(report);
      else process.stdout.write(formatConflicts(report));
      if (failing(report)) process.exitCode = 1;
    } finally {
      await store.close();
    }
  });
}

/** Detects, and records in the graph unless told not to. */
export async function runConflicts(
  store: GraphStore,
  options: { policy?: string; precedence: ConflictReport['precedence']; write: boolean },
): Promise<ConflictReport> {
  const report = await detectConflicts(store, { ...(options.policy ? { policy: options.policy } : {}), precedence: options.precedence });
  if (options.write) await writeConflicts(store, report);
  return report;
}

/** The human report: one line per conflict, then the documented conflicts, then the totals. */
export function formatConflicts(report: ConflictReport): string {
  const out: string[] = [];
  if (report.conflicts.length === 0) out.push('No conflicting rules found.');
  else {
    out.push(
      formatTable(
        ['prohibition', 'against', 'certainty', 'unknown in', 'resolved by', 'prevails', 'documented'],
        report.conflicts.map((c) => [
          short(c.prohibition),
          short(c.permissive),
          c.certainty,
          unknownIn(c),
          c.principle ?? 'UNRESOLVED',
          c.winner ? short(c.winner) : '',
          c.documented?.status ?? '',
        ]),
      ),
    );
  }
  const missed = report.documented.filter((d) => d.status !== 'agrees');
  if (missed.length > 0) {
    out.push('', 'Documented conflicts not found or not resolved as documented:');
    for (const d of missed) {
      const found = report.conflicts.find((c) => c.documented?.iri === d.iri);
      const detail =
        d.status === 'missed'
          ? 'not detected'
          : `intended ${d.intendedWinner ? short(d.intendedWinner) : 'no winner'}${d.intendedPrinciple ? ` by ${d.intendedPrinciple}` : ''}, found ${found?.winner ? `${short(found.winner)} by ${found.principle}` : 'unresolved'}`;
      out.push(`  ${short(d.iri)} (${d.rules.map(short).join(' vs ')}): ${detail}`);
    }
  }
  if (report.exceptionConflicts.length > 0) {
    out.push('', 'Exceptions against other prohibitions (not in the gate):');
    out.push(
      formatTable(
        ['prohibition', 'exception', 'through', 'certainty', 'resolved by', 'prevails'],
        report.exceptionConflicts.map((c) => [short(c.prohibition), short(c.permissive), c.bases.map(short).join(', '), c.certainty, c.principle ?? 'UNRESOLVED', c.winner ? short(c.winner) : '']),
      ),
    );
  }
  if (report.overriddenExceptions.length > 0) {
    out.push('', 'Exceptions overridden (studio:notwithstanding):');
    for (const o of report.overriddenExceptions) out.push(`  ${short(o.exception)} (to ${short(o.base)}) does not apply against ${short(o.provision)}`);
  }
  if (report.defects.length > 0) {
    out.push('', 'Exception defects and duplicate rules:');
    for (const d of report.defects) out.push(`  ${d.severity}: ${describeDefect(d, short)}`);
  }
  const count = (principle: string) => report.conflicts.filter((c) => c.principle === principle).length;
  const open = unresolved(report);
  out.push(
    '',
    `${report.conflicts.length} conflicts (${report.conflicts.filter((c) => c.certainty === 'definite').length} definite, ${report.conflicts.filter((c) => c.certainty === 'possible').length} possible); ` +
      `resolved by ${report.precedence.map((p) => `${p} ${count(p)}`).join(', ')}; unresolved ${open.length}`,
    `documented: ${report.documented.length}, of which ${report.documented.filter((d) => d.status === 'agrees').length} found and resolved as documented`,
    `defects: ${report.defects.filter((d) => d.severity === 'error').length} errors, ${report.defects.filter((d) => d.severity === 'notice').length} notices`,
    '',
  );
  return out.join('\n');
}

/** What the graph could not decide for a possible conflict: terms neither related nor disjoint, or conditions. */
function unknownIn(c: Conflict): string {
  const dimensions = DIMENSIONS.filter((d) => c.dimensions[d] === 'unknown');
  return c.certainty === 'possible' && dimensions.length === 0 ? 'conditions' : dimensions.join(', ');
}

/** A rule's local name: policies give their rules readable ones (kes:conf-001). */
function short(iri: string): string {
  const at = Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/'));
  return at >= 0 && at < iri.length - 1 && !iri.startsWith('urn:') ? iri.slice(at + 1) : iri;
}
