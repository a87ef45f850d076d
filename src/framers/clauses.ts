/**
 * A circumstance's label as clauses a person would write: that it is the
 * case, and that it is not. Authors label circumstances in many shapes, and
 * each shape has its own way into a sentence:
 *
 *   "the concern is serious"             the concern is serious / the concern is not serious
 *   "when a legal hold is in force"      a legal hold is in force / a legal hold is not in force
 *   "customer asks for a person"         the customer asks for a person / the customer does not ask for a person
 *   "suitability check completed"        the suitability check has been completed / ... has not been completed
 *   "with written approval from Legal"   we have written approval from Legal / we don't have ...
 *   "under a pre-approved trading plan"  this happens under ... / this does not happen under ...
 *   "approved by IT Security"            it is approved by IT Security / it is not approved ...
 *   "documented business need"           there is a documented business need / there is no documented business need
 *
 * Verbs are recognised and conjugated with compromise (term-forms.ts loads
 * it); articles come from the indefinite library.
 */

import indefinite from 'indefinite';
// Nouns said without "a" ("there is cash") are term-forms.ts MASS_NOUNS, the one list.
import { isAdjective, isParticiple, isThirdPerson, MASS_NOUNS, PERSON_STATES, verbBase } from './term-forms.js';

export interface Clauses {
  readonly holds: string;
  readonly fails: string;
}

/** Verbs whose perfect has no "been": "the retention period has expired". */
const INTRANSITIVE = new Set(['expired', 'lapsed', 'ended', 'elapsed', 'occurred', 'happened', 'arisen', 'arrived', 'begun', 'started', 'failed', 'gone', 'closed']);
/** The past forms a label uses for something done: regular "-ed" forms, and the irregular ones compromise knows. */
function isPastForm(word: string): boolean {
  return isParticiple(word) && (/(ed|en|t)$/.test(word) || /^(made|sought|held|paid|done|given|shown|seen|taken|kept|met|sent|set|told|found|brought|bought|caught|thought|left|lost|won|built|written|spent|put|laid|led|read|run|struck|hung)$/.test(word));
}

const SUBORDINATORS = /^(?:when|where|while|once|if|whenever)\s+/i;
const PREPOSITIONS = new Set(['in', 'on', 'at', 'under', 'after', 'before', 'as', 'about', 'because', 'to', 'during', 'outside', 'for', 'from', 'by', 'within', 'through', 'via', 'per', 'following', 'between', 'into', 'upon', 'over', 'against']);
const AUXILIARIES = new Set(['is', 'are', 'was', 'were', 'has', 'have', 'had', 'can', 'could', 'will', 'would', 'should', 'may', 'might', 'must', 'does', 'do', 'did']);
const DETERMINERS = new Set(['the', 'a', 'an', 'each', 'every', 'no', 'this', 'that', 'these', 'those', 'his', 'her', 'their', 'its', 'our', 'your', 'my', 'some', 'any', 'all', 'both']);
const PRONOUNS = new Set(['it', 'them', 'him', 'her', 'us', 'me', 'you', 'himself', 'herself', 'themselves']);

/** The clauses of a circumstance label. */
export function circumstanceClauses(label: string): Clauses {
  const text = label.trim().replace(SUBORDINATORS, '');
  const words = text.split(/\s+/);
  const lower = words.map((w) => w.toLowerCase());
  const first = lower[0] ?? '';

  if (first === 'without') {
    const rest = words.slice(1).join(' ');
    return /ing$/i.test(words[1] ?? '') ? { holds: `this happens without ${rest}`, fails: `this happens with ${rest}` } : { holds: `we don't have ${rest}`, fails: `we have ${rest}` };
  }
  if (first === 'with') {
    const rest = words.slice(1).join(' ');
    return { holds: `we have ${rest}`, fails: `we don't have ${rest}` };
  }
  if (first === 'not') {
    const rest = words.slice(1).join(' ');
    return { holds: `it is not ${rest}`, fails: `it is ${rest}` };
  }
  if (PREPOSITIONS.has(first)) return { holds: `this happens ${text}`, fails: `this does not happen ${text}` };

  // "unsure whether it is a breach", "worried about how it will be received": the person asking is so.
  if (lower[1] && /^(whether|about|that)$/.test(lower[1]) && (isAdjective(first) || isPastForm(first))) return { holds: `I'm ${text}`, fails: `I'm not ${text}` };

  // Already a clause: a subject, then a verb.
  const verbAt = clauseVerb(words);
  if (verbAt > 0) return clauseForms(words, verbAt);

  if (first === 'no') {
    const rest = words.slice(1).join(' ');
    return { holds: `there is no ${rest}`, fails: `there is ${nounPhrase(rest)}` };
  }

  // "dissatisfied with data handling": a person is so, and the person is the user (said "I" in the user's turns).
  if (PERSON_STATES.has(first) && (words.length === 1 || PREPOSITIONS.has(lower[1]!) || lower[1] === 'with')) {
    return { holds: `the user is ${text}`, fails: `the user is not ${text}` };
  }
  // "approved by IT Security", "open to the public": the thing in question is so.
  if (words.length === 1 ? isParticiple(first) : (isParticiple(first) || (isAdjective(first) && !MASS_NOUNS.has(first))) && (PREPOSITIONS.has(lower[1]!) || lower[1] === 'with')) {
    return { holds: `it is ${text}`, fails: `it is not ${text}` };
  }
  if (lower[1] && PREPOSITIONS.has(lower[1]) && /^(open|closed|subject|due|available|liable|exempt)$/.test(first)) {
    return { holds: `it is ${text}`, fails: `it is not ${text}` };
  }

  // "suitability check completed", "information publicly disclosed": something has been done.
  // A word between the thing and its participle: an adverb ("publicly"), or a negation ("not yet").
  for (let i = 1; i < words.length; i++) {
    if (words[i]!.startsWith('(') || PREPOSITIONS.has(lower[i]!) || lower[i] === 'with') break;
    if (isPastForm(lower[i]!) && !DETERMINERS.has(lower[i + 1] ?? '')) {
      let start = i;
      while (start > 0 && /ly$|^not$|^yet$/.test(lower[start - 1]!)) start--;
      const subject = words.slice(0, start).join(' ');
      const last = lower[start - 1];
      if (!subject || last === undefined || isPastForm(last)) break;
      const negated = lower.slice(start, i).includes('not');
      const between = words.slice(start, i).filter((w) => !/^(not|yet)$/i.test(w));
      const rest = [...between, ...words.slice(i)].join(' ');
      const has = isPlural(subject) ? 'have' : 'has';
      const been = INTRANSITIVE.has(lower[i]!) ? '' : ' been';
      const noun = withThe(subject);
      const yes = `${noun} ${has}${been} ${rest}`;
      const no = `${noun} ${has} not${been} ${rest}`;
      return negated ? { holds: no, fails: yes } : { holds: yes, fails: no };
    }
  }

  // "affiliation with Kestrel disclosed": the past form at the end, after a prepositional phrase.
  const last = lower.at(-1)!;
  if (words.length > 2 && isPastForm(last) && !isPastForm(lower[0]!) && lower.at(-2) !== 'be' && !text.includes('(')) {
    const subject = words.slice(0, -1).join(' ');
    const has = isPlural(subject) ? 'have' : 'has';
    const been = INTRANSITIVE.has(last) ? '' : ' been';
    return { holds: `${withThe(subject)} ${has}${been} ${words.at(-1)}`, fails: `${withThe(subject)} ${has} not${been} ${words.at(-1)}` };
  }

  // A noun phrase: there is one, or there is none.
  const plural = isPlural(text);
  return plural ? { holds: `there are ${text}`, fails: `there are no ${text}` } : { holds: `there is ${nounPhrase(text)}`, fails: `there is no ${text}` };
}

/** The index of a clause's finite verb (after its subject), or -1. */
function clauseVerb(words: readonly string[]): number {
  const lower = words.map((w) => w.toLowerCase());
  const limit = Math.min(words.length - 1, 8);
  let afterPreposition = false;
  for (let i = 1; i <= limit; i++) {
    const w = lower[i]!;
    if (w.startsWith('(')) return -1;
    if (PREPOSITIONS.has(w) || w === 'with') {
      afterPreposition = true;
      continue;
    }
    if (AUXILIARIES.has(w)) return i;
    // Past a preposition, a word ending in -s is the preposition's object ("from Investor Relations"), not a verb.
    if (afterPreposition) continue;
    // "customer asks for", "the host attends": a verb in the third person after a noun, not itself followed by a noun.
    const next = lower[i + 1];
    // ("comparative claims", "modest refreshments": a plural noun after its adjective, not a verb.)
    const before = lower[i - 1]!;
    const nounAfterAdjective = (next === undefined || isParticiple(next)) && (isAdjective(before) || /ing$/.test(before));
    const verbLike = !nounAfterAdjective && !PREPOSITIONS.has(before);
    if (verbLike && isThirdPerson(w) && (next === undefined || PREPOSITIONS.has(next) || next === 'with' || DETERMINERS.has(next) || /ly$/.test(next) || isParticiple(next) || next === 'whether' || next === 'to')) return i;
    // "customer declined a handoff": a verb in the past followed by its object.
    if (isParticiple(w) && next !== undefined && (DETERMINERS.has(next) || PRONOUNS.has(next))) return i;
    if (/ly$/.test(w)) continue;
  }
  return -1;
}

/** A clause and its opposite, the verb at `verbAt`. */
function clauseForms(words: readonly string[], verbAt: number): Clauses {
  const lower = words.map((w) => w.toLowerCase());
  const subject = words.slice(0, verbAt).join(' ');
  const noun = withThe(subject);
  const after = words.slice(verbAt + 1);
  const verb = words[verbAt]!;
  const v = lower[verbAt]!;
  const positive = [noun, ...words.slice(verbAt)].join(' ');
  // "no legal hold is in force" is not the case when a legal hold is.
  if (/^no\s/i.test(subject)) return { holds: positive, fails: [nounPhrase(subject.replace(/^no\s+/i, '')), ...words.slice(verbAt)].join(' ') };
  // Already negative further on ("would rather not"): the opposite drops the negation.
  const notAt = after.findIndex((w) => w.toLowerCase() === 'not');
  if (AUXILIARIES.has(v) && notAt > 0 && notAt <= 1) return { holds: positive, fails: [noun, verb, ...after.slice(0, notAt), ...after.slice(notAt + 1)].join(' ') };
  // "has an interest": have as the main verb.
  if (/^(has|have|had)$/.test(v) && after[0] !== undefined && after[0].toLowerCase() !== 'not' && !isPastForm(after[0].toLowerCase())) {
    const does = v === 'had' ? 'did' : v === 'has' ? 'does' : 'do';
    return { holds: positive, fails: [noun, does, 'not', 'have', ...after].join(' ') };
  }
  if (AUXILIARIES.has(v)) {
    // Already negative: "the host does not attend" is the case when the host attends.
    if ((after[0] ?? '').toLowerCase() === 'not') {
      const rest = after.slice(1);
      if (v === 'does' || v === 'do' || v === 'did') {
        const main = rest[0] ?? '';
        const conjugated = v === 'did' ? main : v === 'does' ? thirdPersonOf(main) : main;
        return { holds: positive, fails: [noun, conjugated, ...rest.slice(1)].join(' ') };
      }
      return { holds: positive, fails: [noun, verb, ...rest].join(' ') };
    }
    return { holds: positive, fails: [noun, v === 'can' ? `${verb}not` : verb, ...(v === 'can' ? [] : ['not']), ...after].join(' ') };
  }
  // "customer explicitly consents": the adverb stays before the verb.
  const adverbs: string[] = [];
  const head = words.slice(0, verbAt);
  while (head.length > 1 && /ly$/i.test(head.at(-1)!)) adverbs.unshift(head.pop()!);
  const subjectOnly = withThe(head.join(' '));
  const past = isParticiple(v) && !isThirdPerson(v);
  const does = past ? 'did' : isPlural(head.join(' ')) ? 'do' : 'does';
  return { holds: positive, fails: [subjectOnly, does, 'not', ...adverbs, verbBase(v), ...after].join(' ') };
}

function thirdPersonOf(base: string): string {
  return base.endsWith('s') ? base : `${verbBase(base) === base ? base : base}s`.replace(/(sh|ch|x|z|o)s$/, '$1es').replace(/([^aeiou])ys$/, '$1ies');
}

/** "customer" becomes "the customer"; "the concern", "fees", "Kestrel" stay. */
function withThe(subject: string): string {
  const first = subject.split(/\s+/)[0] ?? '';
  const single = !/\s/.test(subject);
  if (DETERMINERS.has(first.toLowerCase()) || /^[A-Z]/.test(first) || isPlural(subject) || (single && MASS_NOUNS.has(first.toLowerCase()))) return subject;
  return `the ${subject}`;
}

/** "documented business need" becomes "a documented business need"; "cash", "processing" stay bare. */
function nounPhrase(phrase: string): string {
  const head = headNoun(phrase);
  if (MASS_NOUNS.has(head.toLowerCase()) || /ing$/i.test(head) || DETERMINERS.has(phrase.split(/\s+/)[0]!.toLowerCase())) return phrase;
  return indefinite(phrase);
}

/** The head noun: the last word before the first preposition or bracket. */
function headNoun(phrase: string): string {
  const words = phrase.split(/\s+/);
  const end = words.findIndex((w, i) => i > 0 && (PREPOSITIONS.has(w.toLowerCase()) || w.startsWith('(') || w.toLowerCase() === 'of'));
  return words[(end < 0 ? words.length : end) - 1] ?? phrase;
}

function isPlural(phrase: string): boolean {
  const head = headNoun(phrase).toLowerCase();
  return /[^s]s$/.test(head) && !/(ss|us|is|news)$/.test(head) && !/^(ethics|politics|economics|physics|statistics|analytics)$/.test(head) && !MASS_NOUNS.has(head);
}

/** "a", "a and b", "a, b and c" (or with "or"). */
export function joinClauses(clauses: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  const list = clauses.filter((c) => c.length > 0);
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} ${conjunction} ${list.at(-1)}`;
}
