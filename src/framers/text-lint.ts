/**
 * Reading generated text as a person reads it: findings a careful reader
 * would mark on an item's messages and answers. Unlike the invariants of
 * item-check.ts these are counted, not refused: scripts/lint-datasets.ts
 * reports them per 100 items, so a template change that reads worse shows.
 *
 * - article: "a" or "an" against how the next word sounds (as the indefinite library says it);
 * - form: an action, which is a verb phrase, used as a noun ("a provide weapons uplift");
 * - stilted: the generator's scaffolding left in the text ("this is the case: X", "The situation:");
 * - echo: a parenthesis repeating the words just before it ("transcripts (transcript)");
 * - doubled: the same word twice in a row;
 * - placeholder: an unfilled or stringified value ({{, undefined, null, [object Object], NaN);
 * - punctuation: a space before a comma or full stop, two spaces, two full stops;
 * - capital: a sentence that starts in lower case.
 */

import indefinite from 'indefinite';
import type { Item } from './item.js';

export const LINT_KINDS = ['article', 'form', 'stilted', 'echo', 'doubled', 'placeholder', 'punctuation', 'capital'] as const;
export type LintKind = (typeof LINT_KINDS)[number];

export interface LintFinding {
  readonly item: string;
  readonly kind: LintKind;
  /** Which text: a message's role and index, "reference" or "rejected". */
  readonly where: string;
  /** The words found, with a little context. */
  readonly excerpt: string;
}

/** Words whose article the library cannot know from spelling alone and that read fine either way. */
const ARTICLE_FREE = new Set(['a', 'an', 'the']);

export class TextLinter {
  private readonly actionAfterArticle: RegExp | undefined;

  /** `actionLabels`: the labels of the policy's actions, which templates must say as verbs. */
  constructor(actionLabels: Iterable<string> = []) {
    // Only verb phrases of two words or more: "report" alone is also a noun ("a report").
    const phrases = [...new Set([...actionLabels].map((l) => l.trim().toLowerCase()).filter((l) => /\s/.test(l)))]
      .sort((a, b) => b.length - a.length)
      .map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.actionAfterArticle = phrases.length > 0 ? new RegExp(`\\b(?:an?|the)\\s+(?:${phrases.join('|')})\\b`, 'gi') : undefined;
  }

  /** The findings on one item, every text of it. */
  lint(item: Item): LintFinding[] {
    // An obfuscated red-team prompt is meant to read oddly.
    if (item.attack === 'Obfuscation') return [];
    const texts: [string, string][] = item.messages.map((m, i) => [`${m.role}[${i}]`, m.content]);
    texts.push(['reference', item.reference]);
    if (item.rejected) texts.push(['rejected', item.rejected]);
    const findings: LintFinding[] = [];
    for (const [where, text] of texts) {
      for (const [kind, excerpt] of this.lintText(text)) findings.push({ item: item.iri, kind, where, excerpt });
    }
    return findings;
  }

  /** [kind, excerpt] for each finding in one text. */
  lintText(text: string): [LintKind, string][] {
    const found: [LintKind, string][] = [];
    const at = (index: number, length: number) => text.slice(Math.max(0, index - 20), index + length + 20).trim();
    for (const m of text.matchAll(/\b(a|an|A|An)\s+([A-Za-z0-9][\w-]*)/g)) {
      const next = m[2]!;
      if (ARTICLE_FREE.has(next.toLowerCase())) continue;
      const expected = indefinite(next, { articleOnly: true });
      if (expected !== m[1]!.toLowerCase()) found.push(['article', at(m.index, m[0].length)]);
    }
    if (this.actionAfterArticle) for (const m of text.matchAll(this.actionAfterArticle)) found.push(['form', at(m.index, m[0].length)]);
    for (const m of text.matchAll(/\b(?:this is (?:not )?the case:|whether this is the case:|The situation:)/gi)) found.push(['stilted', at(m.index, m[0].length)]);
    for (const m of text.matchAll(/((?:[\w-]+\s+){0,3}[\w-]+)\s+\(([^()]+)\)/g)) {
      if (echoes(m[1]!, m[2]!)) found.push(['echo', m[0]]);
    }
    for (const m of text.matchAll(/\b([A-Za-z]+)\s+\1\b/gi)) {
      // "that that" and "had had" are English.
      if (!/^(that|had)$/i.test(m[1]!)) found.push(['doubled', at(m.index, m[0].length)]);
    }
    for (const m of text.matchAll(/\{\{|\}\}|\bundefined\b|\[object Object\]|\bNaN\b|\bnull\b/g)) found.push(['placeholder', at(m.index, m[0].length)]);
    for (const m of text.matchAll(/ [,.;:](?!\d)|\S {2,}\S|[^.]\.\.(?!\.)|,\.|\.,/g)) found.push(['punctuation', at(m.index, m[0].length)]);
    for (const m of text.matchAll(/(?<!\b(?:e\.g|i\.e|etc|vs|no|approx))[.?!]\s+([a-z])/g)) found.push(['capital', at(m.index, m[0].length)]);
    return found;
  }
}

/** True when every word of `inside` is among the words of `before` ("product comparison", "product"). */
export function echoes(before: string, inside: string): boolean {
  const words = before.toLowerCase().split(/\s+/).map(stem);
  return inside.toLowerCase().split(/\s+/).map(stem).every((w) => words.includes(w));
}

/** A crude singular: "transcripts" and "transcript" are the same word for an echo. */
function stem(word: string): string {
  return word.replace(/[^\w-]/g, '').replace(/(?<=\w{3})s$/, '');
}

/** Findings per 100 items, by kind, for a table. */
export function perHundred(items: number, counts: ReadonlyMap<string, number>, kinds: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of kinds) out[kind] = items === 0 ? 0 : Math.round(((counts.get(kind) ?? 0) * 10_000) / items) / 100;
  return out;
}
