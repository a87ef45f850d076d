/**
 * Accuracy of `studio ingest` without an LLM against a hand-annotated text:
 * precision and recall of provision detection, of each modality, and of
 * exceptions. The annotation (a .gold.jsonl beside the document) has one line
 * per provision: a quote that appears once in the document, the kind
 * (Obligation, Prohibition, Permission, Recommendation, Definition, or
 * Exception for an exception that states no rule of its own), and the
 * exception cue when the provision carries one ("unless"), else null.
 *
 * A detected provision matches an annotated one when its text contains the
 * quote; each is matched at most once, in document order. Exceptions found
 * inside a rule's sentence are scored with their rule, not as provisions.
 *
 *   npx tsx scripts/bench/ingest-accuracy.ts [document.md ...]   (default examples/ingest/kestrel-guidelines.md)
 */

import { readFile } from 'node:fs/promises';
import { ingest } from '../../src/ingest/ingest.js';
import type { DraftProvision, ProvisionKind } from '../../src/ingest/provisions.js';
import { formatTable } from '../../src/cli/output.js';

export interface GoldProvision {
  readonly quote: string;
  readonly kind: ProvisionKind;
  readonly exception: string | null;
}

export interface Score {
  readonly precision: number;
  readonly recall: number;
  readonly tp: number;
  readonly detected: number;
  readonly gold: number;
}

export interface Accuracy {
  readonly provisions: Score;
  /** Per kind: a true positive is a matched pair whose kinds are both this kind. */
  readonly kinds: Record<string, Score>;
  /** Modality right among the matched pairs. */
  readonly kindAccuracy: number;
  readonly exceptions: Score;
  /** Annotated provisions not found, and detections that match nothing: what to look at. */
  readonly missed: readonly GoldProvision[];
  readonly spurious: readonly DraftProvision[];
}

const score = (tp: number, detected: number, gold: number): Score => ({
  precision: detected === 0 ? 0 : tp / detected, recall: gold === 0 ? 0 : tp / gold, tp, detected, gold,
});

export async function readGold(file: string): Promise<GoldProvision[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as GoldProvision);
}

/** Scores the provisions found in a document against its annotation. */
export function accuracy(found: readonly DraftProvision[], gold: readonly GoldProvision[]): Accuracy {
  // An exception inside a rule, or inside the lead-in of a list whose items are the rules, is scored with its rules.
  const spans = found.filter((r) => r.kind !== 'Exception').flatMap((r) => (r.leadIn ? [r, r.leadIn] : [r]));
  const inside = (e: DraftProvision) => spans.some((r) => r !== e && r.start <= e.start && e.end <= r.end);
  const detected = found.filter((p) => !(p.kind === 'Exception' && inside(p)));
  const pairs: [GoldProvision, DraftProvision][] = [];
  const used = new Set<DraftProvision>();
  for (const g of gold) {
    const hit = detected.find((p) => !used.has(p) && p.text.includes(g.quote));
    if (hit) {
      used.add(hit);
      pairs.push([g, hit]);
    }
  }
  const kinds: Record<string, Score> = {};
  for (const kind of ['Obligation', 'Prohibition', 'Permission', 'Recommendation', 'Definition', 'Exception']) {
    const tp = pairs.filter(([g, p]) => g.kind === kind && p.kind === kind).length;
    kinds[kind] = score(tp, detected.filter((p) => p.kind === kind).length, gold.filter((g) => g.kind === kind).length);
  }
  const hasException = (p: DraftProvision) => p.exceptions.length > 0 && p.kind !== 'Exception';
  const exceptionTp = pairs.filter(([g, p]) => g.exception && hasException(p)).length;
  return {
    provisions: score(pairs.length, detected.length, gold.length),
    kinds,
    kindAccuracy: pairs.length === 0 ? 0 : pairs.filter(([g, p]) => g.kind === p.kind).length / pairs.length,
    exceptions: score(exceptionTp, pairs.filter(([, p]) => hasException(p)).length, pairs.filter(([g]) => g.exception).length),
    missed: gold.filter((g) => !pairs.some(([x]) => x === g)),
    spurious: detected.filter((p) => !used.has(p)),
  };
}

/** Ingests a document and scores it against the .gold.jsonl beside it. */
export async function documentAccuracy(document: string): Promise<Accuracy> {
  const result = await ingest(document);
  return accuracy(result.provisions, await readGold(document.replace(/\.[^.]+$/, '.gold.jsonl')));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const documents = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['examples/ingest/kestrel-guidelines.md'];
  for (const document of documents) {
    const a = await documentAccuracy(document);
    const row = (name: string, s: Score) => [name, s.gold, s.detected, s.tp, pct(s.precision), pct(s.recall)];
    process.stdout.write(`${document}: modality right on ${pct(a.kindAccuracy)} of the matched provisions\n`);
    process.stdout.write(formatTable(['what', 'annotated', 'detected', 'matched', 'precision', 'recall'], [
      row('provisions', a.provisions),
      ...Object.entries(a.kinds).filter(([, s]) => s.gold + s.detected > 0).map(([k, s]) => row(k.toLowerCase(), s)),
      row('exceptions (on matched rules)', a.exceptions),
    ]) + '\n');
    if (process.env.SHOW) {
      for (const g of a.missed) process.stdout.write(`missed: ${g.kind} ${g.quote}\n`);
      for (const p of a.spurious) process.stdout.write(`spurious: ${p.kind} ${p.text}\n`);
    }
  }
}
