/**
 * Benchmark: `studio diff` of two versions of a synthetic policy
 * (synthetic-policy.ts) differing in 1% of their rules: a quarter reworded,
 * a quarter given a condition more, a quarter renamed (new IRI, same
 * content), a quarter removed. Prints the time to parse both versions, the
 * time of diffPolicies itself, and the whole command (parse, no shapes, diff,
 * table) as a user runs it; checks the diff found exactly the planted changes.
 *
 *   npx tsx scripts/bench/diff.ts [rules]   (default 100000)
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseTurtle, readTurtle } from '../../src/rdf/turtle.js';
import { diffPolicies } from '../../src/evolution/diff.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const rules = Number(process.argv[2] ?? 100_000);
const oldFile = `bench-out/diff-${rules}-old.ttl`;
const newFile = `bench-out/diff-${rules}-new.ttl`;

if (!existsSync(oldFile)) await writeSyntheticPolicy(rules, oldFile);
// Every 100th rule changes, the kind of change rotating: 1% of the rules.
const changed = Array.from({ length: Math.floor(rules / 100) }, (_, i) => i * 100 + 50);
let text = await readFile(oldFile, 'utf8');
const planted = { reworded: 0, conditioned: 0, renamed: 0, removed: 0 };
for (const [i, r] of changed.entries()) {
  const label = `syn:rule-${r} a `;
  const start = text.indexOf(label);
  const end = text.indexOf(' .\n', start) + 3;
  const block = text.slice(start, end);
  let next: string;
  switch (i % 4) {
    case 0:
      next = block.replace('studio:text "', 'studio:text "As amended, ');
      planted.reworded++;
      break;
    case 1:
      next = block.replace(`rdfs:label "rule ${r}" ;`, `rdfs:label "rule ${r}" ;\n    studio:condition syn:cond-approved ;`);
      planted.conditioned++;
      break;
    case 2:
      next = block.replace(label, `syn:rule-${r}-renumbered a `);
      planted.renamed++;
      break;
    default:
      next = '';
      planted.removed++;
  }
  text = text.slice(0, start) + next + text.slice(end);
}
await writeFile(newFile, text);

const time = async <T>(work: () => T | Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
};
const [[oldQuads, newQuads], parseMs] = await time(async () => [parseTurtle(await readTurtle(oldFile)), parseTurtle(await readTurtle(newFile))]);
const [diff, diffMs] = await time(() => diffPolicies(oldQuads, newQuads));
const found = { reworded: diff.rules.changed.filter((c) => c.changes.some((f) => f.field === 'text')).length, conditioned: diff.rules.changed.filter((c) => c.changes.some((f) => f.field === 'condition')).length, renamed: diff.rules.renamed.length, removed: diff.rules.removed.length };
const exact = JSON.stringify(found) === JSON.stringify(planted) && diff.rules.added.length === 0 && diff.rules.changed.length === planted.reworded + planted.conditioned;

const [, cliMs] = await time(() => {
  try {
    execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'diff', oldFile, newFile, '--no-validate'], { stdio: 'ignore' });
  } catch (error) {
    if ((error as { status?: number }).status !== 1) throw error; // 1: changes found, as planted
  }
});

process.stdout.write(
  `${rules} rules, ${oldQuads.length} and ${newQuads.length} triples, ${changed.length} rules changed\n` +
    `parse both: ${(parseMs / 1000).toFixed(2)} s; diffPolicies: ${(diffMs / 1000).toFixed(2)} s; studio diff --no-validate (whole command): ${(cliMs / 1000).toFixed(2)} s\n` +
    `planted ${JSON.stringify(planted)}, found ${JSON.stringify(found)}: ${exact ? 'exact' : 'DIFFERENT'}\n`,
);
if (!exact) process.exitCode = 1;
