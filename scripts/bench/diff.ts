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

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { checkTurtleSyntax, parseTurtle, readTurtle } from '../../src/rdf/turtle.js';
import { fastDiff } from '../../src/evolution/fast-diff.js';
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

/** Wall time, and the CPU time of this process (user + system): the machine may be shared, and CPU time says what the work costs. */
const time = async <T>(work: () => T | Promise<T>): Promise<[T, number, number]> => {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return [result, performance.now() - started, (used.user + used.system) / 1000];
};
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const [[oldQuads, newQuads], parseMs, parseCpu] = await time(async () => [parseTurtle(await readTurtle(oldFile)), parseTurtle(await readTurtle(newFile))]);
const [diff, diffMs, diffCpu] = await time(() => diffPolicies(oldQuads, newQuads));
const found = { reworded: diff.rules.changed.filter((c) => c.changes.some((f) => f.field === 'text')).length, conditioned: diff.rules.changed.filter((c) => c.changes.some((f) => f.field === 'condition')).length, renamed: diff.rules.renamed.length, removed: diff.rules.removed.length };
// What the command does without the shapes: check the old file's syntax, then read only what differs (evolution/fast-diff.ts).
const [oldSource, newSource] = [await readTurtle(oldFile), await readTurtle(newFile)];
const [, syntaxMs, syntaxCpu] = await time(() => checkTurtleSyntax(oldSource)); // the new text's changed statements are parsed by fastDiff, the rest are the old text's
const [fast, fastMs, fastCpu] = await time(() => fastDiff(oldSource.text, newSource.text, (why) => process.stderr.write(`fastDiff gave up: ${why}\n`)));
const fastSame = fast !== undefined && JSON.stringify(fast) === JSON.stringify(diff);
const exact = JSON.stringify(found) === JSON.stringify(planted) && diff.rules.added.length === 0 && diff.rules.changed.length === planted.reworded + planted.conditioned;

// The whole command as a user runs it, its CPU time read from GNU time where there is one.
const command = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'diff', oldFile, newFile, '--no-validate'];
const timed = existsSync('/usr/bin/time');
const [cliCpu, cliMs] = await time(() => {
  const child = spawnSync(timed ? '/usr/bin/time' : command[0]!, timed ? ['-f', '%U %S', ...command] : command.slice(1), { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (child.status !== 1) throw new Error(`studio diff exited ${child.status}: ${child.stderr}`); // 1: changes found, as planted
  const [user, system] = (child.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return timed ? ((user ?? 0) + (system ?? 0)) * 1000 : NaN;
});

process.stdout.write(
  `${rules} rules, ${oldQuads.length} and ${newQuads.length} triples, ${changed.length} rules changed\n` +
    `wall (cpu): parse both ${s(parseMs)} (${s(parseCpu)}); diffPolicies ${s(diffMs)} (${s(diffCpu)}); studio diff --no-validate, the whole command: ${s(cliMs)} (${s(cliCpu)})\n` +
    `wall (cpu): check the old file's syntax ${s(syntaxMs)} (${s(syntaxCpu)}); fastDiff ${s(fastMs)} (${s(fastCpu)}), ${fastSame ? 'the same diff as diffPolicies' : 'NOT the same diff as diffPolicies'}\n` +
    `load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores\n` +
    `planted ${JSON.stringify(planted)}, found ${JSON.stringify(found)}: ${exact ? 'exact' : 'DIFFERENT'}\n`,
);
if (!exact || !fastSame) process.exitCode = 1;
