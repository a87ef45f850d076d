/**
 * Benchmark: revalidating a one-rule edit of a synthetic policy, as the API
 * does when a policy it validated is uploaded again (PolicyValidator.revalidateParsed).
 * The policy is validated whole once; then each edit is revalidated from
 * the version before it and undone again, as a knowledge engineer's uploads
 * come, and its findings are checked against a whole validation of the
 * edited text. Each figure is the median of `runs` revalidations of the
 * edit; CPU is user + system time.
 *
 *   npx tsx scripts/bench/revalidate.ts [rules] [runs]     (default 10000 5)
 */

import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { readTurtle, parseTurtle, type TurtleSource } from '../../src/rdf/turtle.js';
import { PolicyValidator } from '../../src/validation/validator.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const rules = Number(process.argv[2] ?? 10000);
const runs = Number(process.argv[3] ?? 5);
const file = `bench-out/synthetic-${rules}.ttl`;
if (!existsSync(file)) await writeSyntheticPolicy(rules, file);
const original = await readTurtle(file);
const validator = await PolicyValidator.create();

const middle = Math.floor(rules / 2);
const EDITS: [string, (text: string) => string][] = [
  ['a rule\'s text reworded', (text) => text.replace(`rdfs:label "rule ${middle}" ;`, `rdfs:label "rule ${middle}, reworded" ;`)],
  ['a rule given an undeclared bearer (1 violation)', (text) => afterRule(text, middle, (rest) => rest.replace(/studio:bearer syn:role-\d+/, 'studio:bearer syn:nobody'))],
  ['a rule removed', (text) => afterRule(text, middle + 1, (rest) => rest.slice(rest.indexOf('\nsyn:') + 1))],
];

const started = performance.now();
const base = await validator.revalidateParsed(original, parseTurtle(original));
const wholeMs = performance.now() - started;
let current = base;

const rows: string[] = [];
for (const [label, edit] of EDITS) {
  const text = edit(original.text);
  if (text === original.text) throw new Error(`the edit "${label}" changed nothing`);
  const source: TurtleSource = { ...original, text };
  const wall: number[] = [];
  const cpu: number[] = [];
  let result: Awaited<ReturnType<PolicyValidator['revalidateParsed']>> | undefined;
  for (let run = 0; run < runs; run++) {
    const cpuBefore = process.cpuUsage();
    const t = performance.now();
    // What the API does with an upload: parse it, then revalidate from the validation it kept.
    result = await validator.revalidateParsed(source, parseTurtle(source), current.kept);
    wall.push(performance.now() - t);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
    current = await validator.revalidateParsed(original, parseTurtle(original), result.kept);
  }
  const whole = await validator.validateParsed(source, parseTurtle(source));
  const same = isDeepStrictEqual(result!.violations, whole);
  rows.push(`| ${label} | ${Math.round(median(wall))} | ${Math.round(median(cpu))} | ${result!.revalidated} | ${result!.violations.length} | ${same ? 'yes' : 'NO'} |`);
}

process.stdout.write(
  [
    `${rules.toLocaleString('en')} rules; whole validation with parsing ${Math.round(wholeMs)} ms (${base.revalidated.toLocaleString('en')} focus nodes); median of ${runs} runs`,
    '',
    '| edit | revalidate with parsing, ms | CPU ms | focus nodes validated | violations | same as a whole validation |',
    '|---|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n') + '\n',
);

/** Edits the text from a rule's first line on. */
function afterRule(text: string, rule: number, edit: (rest: string) => string): string {
  const start = text.indexOf(`\nsyn:rule-${rule} a `) + 1;
  return text.slice(0, start) + edit(text.slice(start));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
