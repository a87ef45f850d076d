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
 * - punctuation: a space before a comma or full stop, two spaces, two full stops, a full stop or comma after a quoted
 *   sentence that ends with its own ("... Kestrel.".);
 * - capital: a sentence that starts in lower case;
 * - bracket: an object in brackets after the words of an act ("accept a gift (travel expenses)"), where a
 *   sentence would say it ("accept travel expenses"); brackets an author wrote in a term's label are the author's;
 * - proper: an article or a plural on a name ("a Legal department" for the company's own, "a Group Compliance",
 *   "Group Compliances"), or a plural of a mass noun ("informations");
 * - self: a speaker telling how they appear to others ("I appear coerced", "I seem to be a minor");
 * - pronoun: "it" for a person ("it is dissatisfied with data handling"), or for the speaker or the one addressed
 *   where they do the act (voice.ts doerOf: "I", "you"): as the subject of what they say ("can you say it is
 *   unsure", "I'll say that it is an AI") or as their own ("you correct its own mistake");
 * - oneself: "one's own" or "oneself" left in an act, not said for whoever does it ("approve one's own claim"),
 *   or an act's doer "one" left ("say one is unsure", of an act labelled so: voice.ts doerOne);
 * - involving: an act of the policy, whole as its label says it, followed by "involving", when no word of the act is
 *   an event or content that involves things (term-forms.ts INVOLVING_NOUNS: "report a security incident involving
 *   a laptop" is English): the generator's last resort for an object it could not join to the act, vague or wrong
 *   ("ask for the password involving an online banking password", "accept a speaking fee involving a meal");
 * - twice: one quantity given two values in one text ("the loan amount requested is 20000 GBP and the loan amount
 *   requested is 37502 GBP"), or two spans since one event: a situation no one can be in.
 */

import indefinite from 'indefinite';
import type { Item } from './item.js';
import { INVOLVING_NOUNS, PERSON_STATES, termPhrase } from './term-forms.js';
import { doerOf, doerOne } from './voice.js';

export const LINT_KINDS = ['article', 'form', 'stilted', 'echo', 'doubled', 'placeholder', 'punctuation', 'capital', 'bracket', 'proper', 'self', 'pronoun', 'oneself', 'involving', 'twice'] as const;
export type LintKind = (typeof LINT_KINDS)[number];

export interface LintFinding {
  readonly item: string;
  readonly kind: LintKind;
  /** Which text: a message's role and index, "reference" or "rejected". */
  readonly where: string;
  /** The words found, with a little context. */
  readonly excerpt: string;
}

/** After a name, what makes it part of a longer one: "the IT Security Operations Centre", "the Investor Relations office". */
const LONGER = '(?!\\s+(?:[A-Z]|(?:office|team|desk|department|unit|intake|line|inbox|mailbox|portal|hotline|register)\\b))';

/** Words whose article the library cannot know from spelling alone and that read fine either way. */
const ARTICLE_FREE = new Set(['a', 'an', 'the']);

/** The terms a linter knows: labels that may carry brackets, and names of organisations, units and places. */
export interface LintTerms {
  /** Every term label of the policy: a bracket inside one is the author's. */
  readonly labels?: Iterable<string>;
  /** The policy's departments, organisations, agencies and places, each with its kind (term-forms.ts termPhrase says how each is introduced). */
  readonly units?: Iterable<{ readonly label: string; readonly type: string }>;
}

export class TextLinter {
  private readonly actionAfterArticle: RegExp | undefined;
  private readonly authoredBrackets: ReadonlySet<string>;
  private readonly nameMisused: RegExp | undefined;
  private readonly actInvolving: RegExp | undefined;
  private readonly doerOne: RegExp | undefined;

  /** `actionLabels`: the labels of the policy's actions, which templates must say as verbs. */
  constructor(actionLabels: Iterable<string> = [], terms: LintTerms = {}) {
    const actions = [...actionLabels];
    this.authoredBrackets = new Set([...(terms.labels ?? [])].flatMap((l) => [...l.matchAll(/\(([^()]+)\)/g)].map((m) => m[1]!.toLowerCase())));
    // "a" never goes before a unit said with "the" or a bare name; "the" never before a bare name; a name has no plural.
    const escape = (l: string) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const noA: string[] = [];
    const noThe: string[] = [];
    const noPlural: string[] = [];
    for (const { label, type } of terms.units ?? []) {
      const said = termPhrase(label, type);
      if (said.startsWith('the ') || said === label) noA.push(escape(label));
      if (said === label && /^[A-Z]/.test(label)) noThe.push(escape(label));
      if (/^[A-Z]/.test(label)) noPlural.push(escape(label));
    }
    const alternatives = [
      // (Not where the name begins a longer one: "the IT Security Operations Centre".)
      ...(noA.length > 0 ? [`\\b(?:an?|An?)\\s+(?:${noA.join('|')})(?![\\w-])${LONGER}`] : []),
      ...(noThe.length > 0 ? [`\\b(?:the|The)\\s+(?:${noThe.join('|')})(?![\\w-])${LONGER}`] : []),
      ...(noPlural.length > 0 ? [`\\b(?:${noPlural.join('|')})s\\b`] : []),
    ];
    this.nameMisused = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'g') : undefined;
    // Only verb phrases of two words or more: "report" alone is also a noun ("a report").
    const phrases = [...new Set(actions.map((l) => l.trim().toLowerCase()).filter((l) => /\s/.test(l)))]
      .sort((a, b) => b.length - a.length)
      .map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.actionAfterArticle = phrases.length > 0 ? new RegExp(`\\b(?:an?|the)\\s+(?:${phrases.join('|')})\\b`, 'gi') : undefined;
    // Every act whose words "involving" does not fit, as its label says it and as a turn's voice says "oneself" in it.
    const joined = [...new Set(actions.map((l) => l.trim().toLowerCase()))]
      .filter((l) => l !== '' && !l.split(/[\s,()]+/).some((w) => INVOLVING_NOUNS.has(w)))
      .sort((a, b) => b.length - a.length)
      .map((l) => escape(l).replace(/\boneself\b/g, '(?:oneself|myself|yourself|themselves|himself|herself)').replace(/\bone's\b/g, "(?:one's|my|your|their|his|her)"));
    this.doerOne = doerOne(actions);
    this.actInvolving = joined.length > 0 ? new RegExp(`(?<![\\w-])(?:${joined.join('|')})\\s+involving\\b`, 'gi') : undefined;
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
    for (const m of text.matchAll(/ [,.;:](?!\d)|\S {2,}\S|[^.]\.\.(?!\.)|,\.|\.,|[.!?]"[.,]/g)) found.push(['punctuation', at(m.index, m[0].length)]);
    for (const m of text.matchAll(/(?<!\b(?:e\.g|i\.e|etc|vs|no|approx))[.?!]\s+([a-z])/g)) found.push(['capital', at(m.index, m[0].length)]);
    // (Quoted text, such as a rule's label, is the author's.)
    for (const m of text.replace(/"[^"]*"/g, (q) => `"${'_'.repeat(q.length - 2)}"`).matchAll(/\b[a-z][\w'-]*\s+\(([a-z][^()]*)\)/g)) {
      // An aside ("(a bottle of wine worth 40 EUR)", "(see 3.2)") is not an object.
      const aside = /^(?:a|an|the|see|e\.g|i\.e|including|or|and|lex)\b/i.test(m[1]!) || /\d/.test(m[1]!);
      if (!aside && !this.authoredBrackets.has(m[1]!.toLowerCase()) && !echoes(m[0].split('(')[0]!, m[1]!)) found.push(['bracket', at(m.index, m[0].length)]);
    }
    if (this.nameMisused) for (const m of text.matchAll(this.nameMisused)) found.push(['proper', at(m.index, m[0].length)]);
    for (const m of text.matchAll(/\b(?:informations|datas|advices|equipments|softwares|evidences|feedbacks)\b/gi)) found.push(['proper', at(m.index, m[0].length)]);
    for (const m of text.matchAll(/\bI (?:appear|seem)\b/g)) found.push(['self', at(m.index, m[0].length)]);
    // (Not where a sentence reports what something says of itself: "must an assistant say it is unsure?", "says when it is unsure")
    for (const m of text.matchAll(/(?<!\b(?:(?:say|says|said)(?: when| whether| that)?|whether|that) )\b(?:it|It) (?:is|was|isn't|is not) ([a-z]+)/g)) if (PERSON_STATES.has(m[1]!)) found.push(['pronoun', at(m.index, m[0].length)]);
    for (const m of text.matchAll(/\bone's\b|\boneself\b/g)) found.push(['oneself', at(m.index, m[0].length)]);
    if (this.doerOne) for (const m of text.matchAll(this.doerOne)) found.push(['oneself', at(m.index, m[0].length)]);
    // The speaker or the one addressed, doing the act, said "it": "can you say it is unsure", "you correct its own mistake".
    for (const m of text.matchAll(/\b(?:say|says|saying|state|states|stating|admit|admits|admitting)(?: that)? it (?:is|isn't|was|wasn't|cannot|can't|has|hasn't)\b|\bits own\b|\bitself\b/gi)) {
      const doer = doerOf(text.slice(0, m.index), 'none');
      if (doer === 'first' || doer === 'second') found.push(['pronoun', at(m.index, m[0].length)]);
    }
    if (this.actInvolving) for (const m of text.matchAll(this.actInvolving)) found.push(['involving', at(m.index, m[0].length)]);
    // A quantity said as "the <words> is <number>", a span as "it has been <number> <unit> since <event>".
    const values = new Map<string, string>();
    for (const m of text.matchAll(/\b[Tt]he ((?:(?!is\b|the\b)[a-z][\w'-]*)(?: (?!is\b|the\b)[a-z][\w'-]*){0,5}) is (\d[\d.,]*)|\b[Ii]t has been (\d[\d.,]*) ([a-z]+ since [^,.;?!]+)/g)) {
      const [quantity, value] = m[1] !== undefined ? [m[1], m[2]!] : [m[4]!, m[3]!];
      const earlier = values.get(quantity);
      if (earlier !== undefined && earlier !== value) found.push(['twice', at(m.index, m[0].length)]);
      values.set(quantity, value);
    }
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
