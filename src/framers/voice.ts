/**
 * Who a phrase means, said by whoever speaks. Conditions and acts are
 * written in the policy's third person ("the customer appears coerced",
 * "send the user's data to an address found in content", "the user
 * sincerely asks whether Lumen is an AI"); in a conversation the user is
 * "I" and the assistant "you", and in the assistant's answer the other way
 * round. A phrase naming the user's own role (or a broader one, or "the
 * user"), definitely, is said in the first or second person, its verb
 * agreeing; a phrase naming the assistant (its label, a mode's, or the name
 * its persona gives it) likewise. An indefinite mention ("a user", "a
 * customer") is someone else and stays.
 *
 * Templates paste facts and acts between markers (spoken()); build() then
 * says each marked phrase in the voice of the turn it landed in.
 */

import { STUDIO } from '../vocabulary.js';
import type { Hierarchy } from './hierarchy.js';
import type { PolicyContext } from './policy-context.js';
import { isParticiple, isThirdPerson, nounStarts, verbBase } from './term-forms.js';

const OPEN = '\uE001';
const CLOSE = '\uE002';
const MARKED = /\uE001([^\uE002]*)\uE002/g;

/** A phrase to be said in the voice of the turn it lands in. */
export function spoken(text: string): string {
  return `${OPEN}${text}${CLOSE}`;
}

/** The text without markers, its phrases said by `say`. */
export function resolveSpoken(text: string, say: (phrase: string) => string): string {
  return text.includes(OPEN) ? text.replace(MARKED, (_, phrase: string) => say(phrase)) : text;
}

/** Without its markers, if it starts with one: for helpers that look at a phrase's first letter. */
export function leadingMarker(text: string): [string, string] {
  return text.startsWith(OPEN) ? [OPEN, text.slice(1)] : ['', text];
}

type Person = 'first' | 'second';
const WORDS: Record<Person, { subject: string; object: string; owner: string }> = {
  first: { subject: 'I', object: 'me', owner: 'my' },
  second: { subject: 'you', object: 'you', owner: 'your' },
};
const AGREE: Record<Person, Record<string, string>> = {
  first: { is: 'am', "isn't": 'am not', are: 'am', "aren't": 'am not', was: 'was', were: 'was', "weren't": "wasn't", has: 'have', "hasn't": "haven't", does: 'do', "doesn't": "don't" },
  second: { is: 'are', "isn't": "aren't", was: 'were', "wasn't": "weren't", has: 'have', "hasn't": "haven't", does: 'do', "doesn't": "don't" },
};
/** "they" for the subject a phrase said in the first or second person ("the customer asks about credit they hold"). */
const THEY_SAID: Record<Person, Record<string, string>> = {
  first: { they: 'I', their: 'my', them: 'me', themselves: 'myself' },
  second: { they: 'you', their: 'your', them: 'you', themselves: 'yourself' },
};

/** After these a noun phrase begins a clause, as its subject. */
const CLAUSE_OPENERS = new Set(['and', 'but', 'or', 'that', 'whether', 'when', 'if', 'because', 'while', 'once', 'unless', 'so', 'where', 'whenever', 'after', 'before', 'until']);
/** Too general to mean the user: "the person" may be anyone. */
const TOO_GENERAL = new Set(['person', 'people', 'someone', 'party']);

/** Names of the parties of one item, and the item's phrases said by each speaker. */
export class Voice {
  private readonly user: RegExp | undefined;
  private readonly assistant: RegExp | undefined;

  private readonly others: readonly string[];

  /**
   * `userNames`: labels that mean the user; `assistantNames`: labels and names that mean the assistant;
   * `otherNames`: labels of other parties, which a shorter name must not be read into ("the official superior").
   */
  constructor(userNames: Iterable<string>, assistantNames: Iterable<string>, otherNames: Iterable<string> = []) {
    this.user = pattern(userNames);
    this.assistant = pattern(assistantNames);
    this.others = [...otherNames].map((n) => n.toLowerCase());
  }

  /** Phrases already said, by speaker: the same acts and facts recur in many items. */
  private readonly said = { user: new Map<string, string>(), assistant: new Map<string, string>(), developer: new Map<string, string>() };

  /** The phrase as the user says it: the user is "I", the assistant "you". */
  byUser(phrase: string): string {
    return this.memo('user', phrase, () => selfSeen(this.say(this.say(phrase, this.user, 'first'), this.assistant, 'second'), /^[A-Z]/.test(phrase)));
  }

  /** The phrase as the assistant says it to the user: the user is "you", the assistant "I". */
  byAssistant(phrase: string): string {
    return this.memo('assistant', phrase, () => this.say(this.say(phrase, this.user, 'second'), this.assistant, 'first'));
  }

  /** The phrase as the developer says it to the assistant: the assistant is "you", the user stays "the user". */
  byDeveloper(phrase: string): string {
    return this.memo('developer', phrase, () => this.say(phrase, this.assistant, 'second'));
  }

  private memo(speaker: keyof Voice['said'], phrase: string, derive: () => string): string {
    const cache = this.said[speaker];
    let said = cache.get(phrase);
    if (said === undefined) cache.set(phrase, (said = derive()));
    return said;
  }

  /** True when the phrase names the user definitely (a fact about themselves, which they would not be unsure of). */
  namesUser(phrase: string): boolean {
    if (!this.user) return false;
    this.user.lastIndex = 0;
    for (const m of phrase.matchAll(this.user)) if (m[1] || opensClause(phrase, m.index)) return true;
    return false;
  }

  private say(phrase: string, names: RegExp | undefined, person: Person): string {
    if (!names) return phrase;
    names.lastIndex = 0;
    if (!names.test(phrase)) return phrase;
    names.lastIndex = 0;
    let nouns: ReadonlySet<number> | undefined;
    let subject = false;
    const said = phrase.replace(names, (match: string, the: string | undefined, _name: string, owner: string | undefined, offset: number, whole: string) => {
      // "a customer" is someone else; a bare name ("customer asks ...", "Lumen is ...") counts where a clause opens.
      const at = whole.slice(offset + (the?.length ?? 0)).toLowerCase();
      if (this.others.some((o) => o.length > _name.length && at.startsWith(o))) return match;
      const start = opensClause(whole, offset);
      if (!the && !start && !/^[A-Z]/.test(_name)) return match;
      if (!start && !owner) {
        // Before a noun, the name says which one: "enrol in the employee share plan" is no plan of mine.
        const gap = /^\s+(?=[a-z])/.exec(whole.slice(offset + match.length));
        if (gap && (nouns ??= nounStarts(whole)).has(offset + match.length + gap[0].length)) return match;
      }
      if (start && !owner) subject = true;
      const words = WORDS[person];
      const capital = /^[A-Z]/.test(match) && offset === 0;
      const word = owner ? words.owner : start ? words.subject : words.object;
      return capital ? word.charAt(0).toUpperCase() + word.slice(1) : word;
    });
    // The subject said as "I" or "you", a later "they" means it too: "I ask about credit I already hold".
    const own = subject ? said.replace(/\b(they|their|them|themselves)\b/g, (pronoun: string) => THEY_SAID[person][pronoun]!) : said;
    return own.replace(person === 'first' ? /\b(I)((?:\s+\w+ly)?)\s+([\w']+)/g : /\b([Yy]ou)((?:\s+\w+ly)?)\s+([\w']+)/g, (match: string, pronoun: string, adverb: string, verb: string) => {
      // (A sentence may begin with the pronoun: "You appear coerced".)
      const agreed = agree(verb, person);
      return agreed === verb ? match : `${pronoun}${adverb} ${agreed}`;
    });
  }
}

/**
 * How the user looks to others, said by the user: a person does not say "I appear coerced" or "I appear to
 * be a minor" of themselves, but "it may look as if I'm being coerced", "... as if I'm a minor". `capital`: the
 * phrase began a sentence.
 */
function selfSeen(text: string, capital: boolean): string {
  if (!/\bI (?:appear|seem)\b/.test(text)) return text;
  const said = text
    .replace(/\bI (?:appear|seem) to be\b/g, "it may look as if I'm")
    .replace(/\bI (?:appear|seem) to\b/g, 'it may look as if I')
    .replace(/\bI (?:appear|seem) ([a-z]+ed)\b/g, "it may look as if I'm being $1")
    .replace(/\bI (?:appear|seem)\b/g, "it may look as if I'm");
  return capital && said.startsWith('it ') ? `I${said.slice(1)}` : said;
}

/** Who does an act said in a sentence: the speaker, the one addressed, the assistant ("it") or someone else ("they"). */
export type Doer = 'first' | 'second' | 'it' | 'they';

/**
 * The doer of an act said at the end of `before` (the text up to it): the nearest subject of its sentence ("I
 * ...", "you ...", "someone on my team ...", "an assistant ..."), or, with none, the one a turn addresses: an answer
 * tells the user ("you"), the user speaks of themselves ("I"). `assistantNames`: the names that make a
 * third-person subject the assistant, "it" rather than "they".
 */
export function doerOf(before: string, speaker: 'user' | 'assistant' | 'developer' | 'none', assistantNames: readonly string[] = []): Doer {
  const sentence = before.split(/[.?!:;]\s/).at(-1)!;
  // A noun phrase counts as a subject next to its verb ("an employee may", "can an employee"), not as an object.
  const subjects = [
    ...sentence.matchAll(
      /\b(?:(I|me|you|they|them|someone|somebody|he|she|colleague)\b|(?:can|may|must|should|could|would|will|does|is) (an? [a-z]+(?: [a-z]+)?) \w|(an? [a-z]+(?: [a-z]+)?) (?:may|must|can|could|should|would|will|is|wants|plans|needs|has|asks)\b)/gi,
    ),
  ];
  const nearest = subjects.map((m) => m[1] ?? m[2] ?? m[3]).at(-1)?.toLowerCase();
  // The assistant by a name ("must Lumen report ..."), when it comes after any other subject.
  const lastAt = subjects.at(-1)?.index ?? -1;
  const lower = sentence.toLowerCase();
  for (const name of assistantNames) {
    const at = lower.lastIndexOf(name.toLowerCase());
    if (at > lastAt && /^\W?$/.test(lower.charAt(at - 1)) && /^\W?$/.test(lower.charAt(at + name.length))) return 'it';
  }
  if (nearest === undefined) return speaker === 'user' ? 'first' : speaker === 'assistant' || speaker === 'developer' ? 'second' : 'they';
  if (/^(?:i|me)$/.test(nearest)) return 'first';
  if (nearest === 'you') return 'second';
  const subject = nearest;
  return subject.split(/\s+/).some((w) => ASSISTANT_WORDS.has(w)) || assistantNames.some((n) => subject.includes(n.toLowerCase())) ? 'it' : 'they';
}

/**
 * The doer "one" of acts, as their labels write it ("say one is unsure", "report the actions one took"): "one"
 * before the rest of such a label, the verb captured. Only these, so that "the later one replaces ..." stays.
 */
export function doerOne(actionLabels: Iterable<string>): RegExp | undefined {
  const tails = new Set<string>();
  for (const label of actionLabels) {
    for (const m of label.matchAll(/\bone ([a-z']+)((?: [\w'-]+)*)/gi)) {
      const verb = m[1]!.toLowerCase();
      if (SUBJECT_VERBS.has(verb) || isThirdPerson(verb) || isParticiple(verb)) tails.add(`${m[1]}${m[2]}`.toLowerCase());
    }
  }
  if (tails.size === 0) return undefined;
  const alternatives = [...tails].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`\\bone (?=(?:${alternatives.join('|')})(?![\\w-]))([a-z']+)`, 'gi');
}
/** Verbs a subject "one" takes in an act's label ("one is", "one cannot"). */
const SUBJECT_VERBS = new Set(['is', "isn't", 'was', "wasn't", 'has', "hasn't", 'does', "doesn't", 'cannot', "can't", 'can', 'could', 'may', 'might', 'must', 'should', 'will', 'would']);

/** What a turn knows of the doer of its acts. */
export interface DoerHints {
  /** The names that make a third-person subject the assistant. */
  readonly assistantNames?: readonly string[];
  /** "one" as the doer of the policy's acts (doerOne). */
  readonly one?: RegExp;
  /** The assistant does the item's act (the rule binds it): "you" in the user's turns, "I" in its own. */
  readonly assistantActs?: boolean;
}

/**
 * The doer of an act, written "one" in its label ("approve one's own expense claim", "take an opportunity for
 * oneself", "say one is unsure": `hints.one`, from doerOne), said for whoever does it in the sentence (doerOf):
 * "my own", "your own", "their own", "its own"; "say you are unsure", "say I am unsure", "say it is unsure". When
 * the assistant does the act, it is "you" to the user and "I" to itself, unless the sentence names it in the third
 * person ("must an assistant say it is unsure").
 */
export function sayOneself(text: string, speaker: 'user' | 'assistant' | 'developer' | 'none', hints: DoerHints = {}): string {
  const { assistantNames = [], one, assistantActs = false } = hints;
  const owns = /\bone(?:'s|self)\b/.test(text);
  if (one) one.lastIndex = 0;
  if (!owns && !(one && one.test(text))) return text;
  const doerAt = (before: string): Doer => {
    const doer = doerOf(before, speaker, assistantNames);
    if (!assistantActs || doer === 'it') return doer;
    return speaker === 'assistant' ? 'first' : 'second';
  };
  let said = owns ? text.replace(/\bone's\b|\boneself\b/g, (match: string, offset: number) => (match === 'oneself' ? SELF : OWNER)[doerAt(text.slice(0, offset))]) : text;
  if (one) {
    const before = said;
    one.lastIndex = 0;
    said = before.replace(one, (_match: string, verb: string, offset: number) => {
      const doer = doerAt(before.slice(0, offset));
      if (doer === 'first' || doer === 'second') return `${WORDS[doer].subject} ${agree(verb, doer)}`;
      if (doer === 'it') return `it ${verb}`;
      return `they ${THEY[verb.toLowerCase()] ?? (isThirdPerson(verb) ? verbBase(verb) : verb)}`;
    });
  }
  return said;
}
const OWNER: Record<Doer, string> = { first: 'my', second: 'your', it: 'its', they: 'their' };
const SELF: Record<Doer, string> = { first: 'myself', second: 'yourself', it: 'itself', they: 'themselves' };
const THEY: Readonly<Record<string, string>> = { is: 'are', "isn't": "aren't", was: 'were', "wasn't": "weren't", has: 'have', "hasn't": "haven't", does: 'do', "doesn't": "don't" };
/** Words of a subject that make it the assistant: "an assistant", "an agent mode", "an AI". */
const ASSISTANT_WORDS = new Set(['assistant', 'ai', 'mode', 'agent', 'chatbot', 'bot']);

/** The verb after "I" or "you": "asks" becomes "ask", "is" "am" or "are". */
function agree(verb: string, person: Person): string {
  const lower = verb.toLowerCase();
  const known = AGREE[person][lower];
  if (known) return known;
  return /s$/.test(lower) && isThirdPerson(lower) ? verbBase(lower) : verb;
}

function opensClause(text: string, offset: number): boolean {
  const before = text.slice(0, offset).trimEnd();
  if (before === '') return true;
  if (/[,;:.]$/.test(before)) return true;
  const last = before.split(/\s+/).at(-1)!.toLowerCase();
  return CLAUSE_OPENERS.has(last);
}

/** "(the )?(name one|name two)('s)?" as a whole word, longest name first. */
function pattern(names: Iterable<string>): RegExp | undefined {
  const list = [...new Set([...names].map((n) => n.trim()).filter((n) => n.length > 1 && !TOO_GENERAL.has(n.toLowerCase())))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return undefined;
  const escaped = list.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`\\b(the\\s+)?(${escaped.join('|')})('s|’s)?(?![\\w-])`, 'gi');
}

const ASSISTANT = `${STUDIO}Assistant`;
const PERSON = `${STUDIO}Person`;

/** The names an assistant goes by in a policy: the labels of the assistant and its modes, and the name its personas give it ("You are Lumen, ..."). */
export function assistantNames(context: PolicyContext, hierarchy: Hierarchy): string[] {
  const names = [...context.terms.values()].filter((t) => hierarchy.isUnder(t.iri, ASSISTANT)).map((t) => t.label);
  for (const persona of context.personas) {
    const name = /\bYou are ([A-Z][\w-]*),/.exec(persona)?.[1];
    if (name) names.push(name);
  }
  return names;
}

/** The names that mean a user who speaks as `role`: its label, its broader roles' (below Person), their head nouns, and "user". */
export function userNames(role: string | undefined, hierarchy: Hierarchy): string[] {
  const names = ['user'];
  if (!role) return names;
  for (const term of [role, ...hierarchy.ancestors(role)]) {
    if (term === PERSON || term === ASSISTANT || !hierarchy.isUnder(term, PERSON)) continue;
    const label = hierarchy.label(term);
    names.push(label, label.split(/\s+/).at(-1)!);
  }
  return names;
}
