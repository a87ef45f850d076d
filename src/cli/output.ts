/** Plain-text tables and JSON for the CLI's output. */

import type { Value } from '../store/graph-store.js';

/** Prints rows as an aligned table with a header. */
export function formatTable(columns: readonly string[], rows: readonly (readonly Value[])[]): string {
  const cells = [columns.map(String), ...rows.map((row) => row.map((v) => (v === null ? '' : String(v))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (typeof rows[0]?.[i] === 'number' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Prints a value as indented JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
