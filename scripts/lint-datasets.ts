/**
 * Reads the generated data as a person would, and counts what is wrong per
 * 100 items: the invariants of `studio generate --check` (entity, behaviour,
 * reference, rejected, perspective) and the text findings of
 * src/framers/text-lint.ts (article, form, stilted, echo, ...). Each policy is
 * loaded into a fresh embedded store, its conflicts recorded, and every family
 * generated with the given seed. Exit 1 when any invariant finding is left.
 *
 *   npx tsx scripts/lint-datasets.ts                                  # every policies/*.ttl
 *   npx tsx scripts/lint-datasets.ts policies/retail-bank-assistant.ttl --synthetic 1000 --examples 3
 *   npx tsx scripts/lint-datasets.ts --sample 30 --seed 7             # a seeded sample as Markdown, for the README
 */

import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedStore } from '../src/store/oxigraph-store.js';
import { readTurtle } from '../src/rdf/turtle.js';
import { detectConflicts } from '../src/conflicts/detect.js';
import { writeConflicts } from '../src/conflicts/conflict-graph.js';
import { TemplateLibrary } from '../src/framers/templates.js';
import { generateForPolicy } from '../src/framers/generation-run.js';
import { itemsOf } from '../src/framers/generate.js';
import { FINDING_KINDS, ItemChecker } from '../src/framers/item-check.js';
import { LINT_KINDS, perHundred, TextLinter, type LintFinding } from '../src/framers/text-lint.js';
import type { Item } from '../src/framers/item.js';
import { writeSyntheticPolicy } from './bench/synthetic-policy.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seed: { type: 'string', default: '1' },
    synthetic: { type: 'string' },
    sample: { type: 'string' },
    examples: { type: 'string', default: '0' },
  },
});
const seed = Number(values.seed);
const examples = Number(values.examples);
const files = positionals.length > 0 ? positionals : (await readdir('policies')).filter((f) => f.endsWith('.ttl')).sort().map((f) => `policies/${f}`);
const scratch = await mkdtemp(path.join(tmpdir(), 'studio-lint-'));
if (values.synthetic) {
  const file = path.join(scratch, `synthetic-${values.synthetic}.ttl`);
  await writeSyntheticPolicy(Number(values.synthetic), file);
  files.push(file);
}

const library = await TemplateLibrary.load();
const KINDS = [...FINDING_KINDS, ...LINT_KINDS];
const rows: string[][] = [];
const sampled: Item[] = [];
let invariants = 0;

for (const file of files) {
  const store = await EmbeddedStore.open();
  try {
    const loaded = await store.loadPolicy(await readTurtle(file));
    await writeConflicts(store, await detectConflicts(store, { policy: loaded.policy }));
    const counts = new Map<string, number>();
    const flagged = new Set<string>();
    const lintExamples = new Map<string, LintFinding[]>();
    let items = 0;
    await generateForPolicy(store, loaded.policy, library, {
      seed,
      onItems: (parts, context) => {
        const batch = itemsOf(parts);
        const checker = new ItemChecker(context);
        const terms = [...context.terms.values()];
        const linter = new TextLinter(terms.filter((t) => t.type === 'Action').map((t) => t.label), {
          labels: terms.map((t) => t.label),
          units: terms.filter((t) => ['Department', 'Organization', 'Agency', 'Jurisdiction'].includes(t.type)),
        });
        items += batch.length;
        for (const f of checker.check(batch)) {
          counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
          flagged.add(f.item);
          invariants++;
          if (examples > 0) process.stderr.write(`${f.item} (${f.template}) ${f.kind}: ${f.detail}\n`);
        }
        for (const item of batch) {
          for (const f of linter.lint(item)) {
            counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
            flagged.add(item.iri);
            const list = lintExamples.get(f.kind) ?? [];
            if (list.length < examples) lintExamples.set(f.kind, [...list, f]);
          }
        }
        if (values.sample) sampled.push(...batch);
      },
    });
    const rates = perHundred(items, counts, KINDS);
    rows.push([path.basename(file), String(items), `${Math.round((flagged.size * 1000) / Math.max(items, 1)) / 10}%`, ...KINDS.map((k) => String(rates[k]))]);
    for (const [kind, list] of lintExamples) for (const f of list) process.stderr.write(`${path.basename(file)} ${kind} ${f.where}: …${f.excerpt}…\n`);
  } finally {
    await store.close();
  }
}
await rm(scratch, { recursive: true, force: true });

if (values.sample) printSample(sampled, Number(values.sample));
else {
  process.stdout.write(`findings per 100 items (seed ${seed}); "items flagged": share of items with at least one finding\n\n`);
  process.stdout.write(`| policy | items | items flagged | ${KINDS.join(' | ')} |\n|${'---|'.repeat(KINDS.length + 3)}\n`);
  for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
}
process.exitCode = invariants > 0 ? 1 : 0;

/** N items, round-robin over the families, each family's items in a seeded order. */
function printSample(items: readonly Item[], n: number): void {
  const order = (item: Item) => createHash('sha256').update(`${seed} ${item.iri}`).digest('hex');
  const byFamily = new Map<string, Item[]>();
  for (const item of items) byFamily.set(item.family, [...(byFamily.get(item.family) ?? []), item]);
  const queues = [...byFamily.keys()].sort().map((f) => byFamily.get(f)!.sort((a, b) => (order(a) < order(b) ? -1 : 1)));
  const picked: Item[] = [];
  for (let round = 0; picked.length < n && queues.some((q) => q.length > round); round++) {
    for (const q of queues) if (q[round] && picked.length < n) picked.push(q[round]!);
  }
  for (const [i, item] of picked.entries()) {
    const rule = item.derivedFrom.map((r) => r.replace(/^.*[#/]/, '')).join(', ');
    process.stdout.write(`${i + 1}. **${item.template.id}**${item.label ? ` (${item.label})` : ''}${item.attack ? ` (${item.attack})` : ''}, from ${rule}\n`);
    // Every turn the template wrote, a developer's system turn included (the exports add the policy prompt).
    for (const m of item.messages) process.stdout.write(`   - *${m.role}*: ${m.content}\n`);
    process.stdout.write(`   - *reference*: ${item.reference}\n`);
  }
}
