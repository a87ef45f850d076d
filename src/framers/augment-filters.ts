/**
 * What an LLM paraphrase of a generated item must keep, and the checks that
 * drop one that does not. A paraphrase replaces the user's turns but keeps
 * the item's label, expectations and reference answer, so a paraphrase that
 * changes the facts makes a mislabelled example. The checks lean towards
 * dropping: a lost paraphrase costs one request, a wrong label poisons a
 * training set and an evaluation suite.
 *
 * The facts an item carries in its text are the policy terms it names (the
 * bearer, action, target, counterparty, channel, places and periods), its
 * numbers (amounts at a threshold's edge, dates, section numbers), whether
 * each term is negated ("the check has not been completed"), and whether the user
 * says they do not know something (the ambiguous scenarios).
 */

/** Why a paraphrase was dropped. */
export const FILTER_REASONS = ['malformed', 'too-short', 'too-long', 'lost-fact', 'added-fact', 'flipped', 'near-duplicate'] as const;
export type FilterReason = (typeof FILTER_REASONS)[number];

/** The verdict on one paraphrase; `detail` says what was missing or changed, for a reviewer. */
export type Verdict = { readonly keep: true } | { readonly keep: false; readonly reason: FilterReason; readonly detail: string };

/**
 * Two texts sharing this much of their (stemmed) word sets are the same
 * sentence with a word or two swapped or reordered: as training data they
 * add a duplicate, not diversity. 0.8 lets through paraphrases that keep the
 * names and numbers (which must stay) but reword the rest.
 */
export const NEAR_DUPLICATE_JACCARD = 0.8;
/**
 * Per user turn, a paraphrase under half the original's length has almost
 * always dropped a fact, and one over twice its length has added some (or
 * answered the question); both bounds leave room for terse and chatty tones.
 */
export const MIN_LENGTH_RATIO = 0.5;
export const MAX_LENGTH_RATIO = 2;
/** A turn shorter than this says nothing. */
export const MIN_TURN_CHARS = 8;
/**
 * A negation governs the nearest term starting at most this many words after
 * it ("not from a vendor", "there is no X"), or else the nearest
 * ending at most two words before it ("a vendor is not involved"), in the
 * same clause.
 */
const NEGATION_REACH_AFTER = 4;
const NEGATION_REACH_BEFORE = 2;
/** "not" before these says the user lacks a fact (the uncertainty check), not that a term is negated. */
const UNCERTAIN_AFTER_NOT: ReadonlySet<string> = new Set(['know', 'sure', 'certain', 'clear', 'tell', 'be', 'aware'].map((w) => stem(w)));

const STOPWORDS = new Set(['a', 'an', 'the', 'of', 'to', 'for', 'in', 'on', 'at', 'by', 'with', 'or', 'and', 'from', 'my', 'your', 'our', 'their', 'any', 'some']);
/** Compared as stems, like every word ("outside" is "outsid"). */
const STOPWORD_STEMS: ReadonlySet<string> = new Set([...STOPWORDS].map((w) => stem(w)));
/** Auxiliary verbs a clause puts between a term's words: "claims have been substantiated". */
const AUXILIARY_STEMS: ReadonlySet<string> = new Set(['is', 'are', 'was', 'were', 'be', 'been', 'being', 'has', 'have', 'had', 'do', 'does', 'did', 'will', 'would', 'can', 'could', 'should', 'may', 'might', 'must'].map((w) => stem(w)));
const NEGATIONS: ReadonlySet<string> = new Set(['not', 'no', 'never', 'without', 'outside', 'neither', 'nor', 'none', 'nobody', 'nothing'].map((w) => stem(w)));
/** The user saying they lack a fact, on text with "n't" spelled "not". */
const UNCERTAINTY = /\b(?:not|never) (?:know|sure|certain|clear|tell|be sure)\b|\bunsure\b|\buncertain\b|\bunclear\b|\bno idea\b|\bnot aware (?:of )?whether\b/;

/** A word the user's text names, with its place. */
interface Token {
  readonly stem: string;
  readonly clause: number;
}

/** What an item's user turns state, as the filters compare it. */
export interface ItemFacts {
  readonly turns: readonly string[];
  /** Policy term labels the turns name. */
  readonly terms: readonly string[];
  /** Per term label: whether a negation governs it. */
  readonly negated: ReadonlyMap<string, boolean>;
  readonly numbers: ReadonlySet<string>;
  readonly uncertain: boolean;
  readonly words: ReadonlySet<string>;
}

/** The facts of an item's user turns; `labels` are the policy's term labels (only those the turns name count). */
export function factsOf(turns: readonly string[], labels: readonly string[]): ItemFacts {
  const text = turns.join('\n');
  const tokens = tokenize(text);
  const stems = new Set(tokens.map((t) => t.stem));
  const terms = [...new Set(labels.map(usableLabel).filter((label) => label !== '' && labelStems(label).every((s) => stems.has(s))))].sort();
  return {
    turns,
    terms,
    negated: negatedTerms(tokens, terms),
    numbers: numbersOf(tokens),
    uncertain: UNCERTAINTY.test(normalise(text)),
    words: stems,
  };
}

/**
 * Judges one paraphrase (its user turns, in order) against the original's
 * facts and the paraphrases of the same item kept so far.
 */
export function judgeParaphrase(original: ItemFacts, candidate: readonly string[], kept: readonly ReadonlySet<string>[]): Verdict {
  if (candidate.length !== original.turns.length) {
    return { keep: false, reason: 'malformed', detail: `${candidate.length} user turn(s) for ${original.turns.length}` };
  }
  for (const [i, turn] of candidate.entries()) {
    const length = turn.trim().length;
    const before = original.turns[i]!.length;
    if (length < MIN_TURN_CHARS || length < before * MIN_LENGTH_RATIO) return { keep: false, reason: 'too-short', detail: `turn ${i + 1}: ${length} characters for ${before}` };
    if (length > before * MAX_LENGTH_RATIO) return { keep: false, reason: 'too-long', detail: `turn ${i + 1}: ${length} characters for ${before}` };
  }
  // Facts before similarity: a paraphrase that changed a fact is reported as such, however close it is.
  const tokens = tokenize(candidate.join('\n'));
  const words = new Set(tokens.map((t) => t.stem));
  const lost = original.terms.filter((label) => !labelStems(label).every((s) => words.has(s)));
  const numbers = numbersOf(tokens);
  const lostNumbers = [...original.numbers].filter((n) => !numbers.has(n));
  if (lost.length > 0 || lostNumbers.length > 0) return { keep: false, reason: 'lost-fact', detail: `lost ${[...lost.map((l) => `'${l}'`), ...lostNumbers].join(', ')}` };
  const added = [...numbers].filter((n) => !original.numbers.has(n));
  if (added.length > 0) return { keep: false, reason: 'added-fact', detail: `added the number(s) ${added.join(', ')}` };
  const negated = negatedTerms(tokens, original.terms);
  const flippedTerms = original.terms.filter((label) => negated.get(label) !== original.negated.get(label));
  if (flippedTerms.length > 0) {
    return { keep: false, reason: 'flipped', detail: flippedTerms.map((l) => `'${l}' ${original.negated.get(l) ? 'no longer negated' : 'now negated'}`).join(', ') };
  }
  const uncertain = UNCERTAINTY.test(normalise(candidate.join('\n')));
  if (uncertain !== original.uncertain) return { keep: false, reason: 'flipped', detail: original.uncertain ? 'the user no longer says what they do not know' : 'the user now says they do not know something' };
  const similar = [original.words, ...kept].map((other) => jaccard(words, other)).reduce((a, b) => Math.max(a, b), 0);
  if (similar >= NEAR_DUPLICATE_JACCARD) return { keep: false, reason: 'near-duplicate', detail: `${Math.round(similar * 100)}% of its words shared with the original or a kept paraphrase` };
  return { keep: true };
}

/** The stemmed word set of a paraphrase, for the near-duplicate check of the next ones. */
export function wordsOf(turns: readonly string[]): ReadonlySet<string> {
  return new Set(tokenize(turns.join('\n')).map((t) => t.stem));
}

/** Jaccard similarity of two sets. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Lower case, curly apostrophes straightened, "n't" spelled "not" (so "isn't" negates like "is not"). */
function normalise(text: string): string {
  return text.toLowerCase().replace(/[’‘]/g, "'").replace(/\bcan't\b/g, 'can not').replace(/\bwon't\b/g, 'will not').replace(/n't\b/g, ' not');
}

/** Words and numbers in order, each with its clause (clauses end at . ? ! ; and line breaks). */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  normalise(text)
    .split(/[.?!;\n]+(?=\s|$)|\n/)
    .forEach((clause, index) => {
      for (const word of clause.match(/\d+(?:[.,]\d+)*|[a-z]+/g) ?? []) tokens.push({ stem: /^\d/.test(word) ? numberKey(word) : stem(word), clause: index });
    });
  return tokens;
}

/** A number as a canonical string: 50, 50.0 and 50.00 are one amount; 1,000 is 1000. */
function numberKey(word: string): string {
  const plain = word.includes('.') ? word.replace(/,/g, '') : word.replace(/,(?=\d{3}\b)/g, '');
  const value = Number(plain);
  return Number.isFinite(value) ? `#${value}` : `#${plain}`;
}

function numbersOf(tokens: readonly Token[]): Set<string> {
  return new Set(tokens.filter((t) => t.stem.startsWith('#')).map((t) => t.stem.slice(1)));
}

/**
 * A light stemmer, not Porter's: enough that a paraphrase may conjugate an
 * action or change a number ("accept" / "accepting", "gift" / "gifts",
 * "share" / "shared", "travel" / "travelling") without being taken for
 * dropping the word. Both sides go through it, so it only has to be consistent.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && /(?:s|x|z|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  else if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  if (w.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** A label as the text names it: a channel's "Compliance mailbox (compliance@...)" is named "Compliance mailbox". */
function usableLabel(label: string): string {
  return label.split(' (')[0]!.trim();
}

function labelStems(label: string): string[] {
  const words = normalise(label).match(/\d+(?:[.,]\d+)*|[a-z]+/g) ?? [];
  const content = words.filter((w) => !STOPWORDS.has(w));
  return (content.length > 0 ? content : words).map((w) => (/^\d/.test(w) ? numberKey(w) : stem(w)));
}

/** Per term label: whether a negation governs one of its occurrences (see NEGATION_REACH_AFTER). */
function negatedTerms(all: readonly Token[], labels: readonly string[]): Map<string, boolean> {
  // Distances count content words: "not from a vendor" puts the vendor one word from the negation.
  const tokens = all.filter((t) => !STOPWORD_STEMS.has(t.stem));
  const negated = new Map(labels.map((label) => [label, false]));
  // Each occurrence of a label: where it starts and ends (its words in a row). A negation may sit between
  // its words, and then governs it: "comparative claims have not been substantiated" says the circumstance
  // "comparative claims substantiated" fails.
  const occurrences: { label: string; start: number; end: number }[] = [];
  for (const label of labels) {
    const stems = labelStems(label);
    tokens.forEach((_, i) => {
      let at = i;
      let inside = false;
      for (const [k, s] of stems.entries()) {
        // Between its words, a clause may put a verb's auxiliaries and a negation: "claims have not been substantiated".
        let skip = at;
        while (k > 0 && skip - at < 4 && tokens[skip]?.stem !== s && (AUXILIARY_STEMS.has(tokens[skip]?.stem ?? '') || NEGATIONS.has(tokens[skip]?.stem ?? ''))) skip += 1;
        if (tokens[skip]?.stem !== s) return;
        if (tokens.slice(at, skip).some((t) => NEGATIONS.has(t.stem))) inside = true;
        at = skip;
        at += 1;
      }
      occurrences.push({ label, start: i, end: at - 1 });
      if (inside) negated.set(label, true);
    });
  }
  tokens.forEach((token, j) => {
    if (!NEGATIONS.has(token.stem) || UNCERTAIN_AFTER_NOT.has(tokens[j + 1]?.stem ?? '')) return;
    const same = occurrences.filter((o) => tokens[o.start]!.clause === token.clause);
    const after = same.filter((o) => o.start > j && o.start - j <= NEGATION_REACH_AFTER);
    const before = same.filter((o) => o.end < j && j - o.end <= NEGATION_REACH_BEFORE);
    const nearest = after.length > 0 ? Math.min(...after.map((o) => o.start)) : before.length > 0 ? Math.max(...before.map((o) => o.end)) : undefined;
    if (nearest === undefined) return;
    for (const o of after.length > 0 ? after.filter((o) => o.start === nearest) : before.filter((o) => o.end === nearest)) negated.set(o.label, true);
  });
  return negated;
}
