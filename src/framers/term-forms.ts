/**
 * The forms a sentence needs of a term: an action's label is a verb phrase
 * ("accept a bribe"), said as a gerund ("accepting a bribe") or in the third
 * person ("accepts a bribe"); a role's or asset's label is a noun phrase,
 * said in the plural ("complaint handlers"). The compromise library
 * conjugates the phrase's head word and pluralises nouns; an author who
 * disagrees writes the form on the term (studio:gerund, studio:thirdPerson,
 * studio:plural), which wins.
 *
 * compromise takes about a second to load (its lexicon unpacked included),
 * so it is loaded once, when a template library is (loadTermForms), not
 * when the CLI starts.
 */

import indefinite from 'indefinite';
import { TemplateError } from '../errors.js';
import { echoes } from './text-lint.js';

type Nlp = typeof import('compromise/three').default;
let nlp: Nlp | undefined;

/** Loads the NLP library; the templates' form helpers need it. */
export async function loadTermForms(): Promise<void> {
  if (nlp) return;
  nlp = (await import('compromise/three')).default;
  // The library unpacks its lexicon on the first document it reads (a quarter of a second): here, with the rest of
  // its loading, rather than inside the first policy's generation.
  nlp('load').tag('Verb');
}

export interface VerbForms {
  readonly base: string;
  readonly gerund: string;
  readonly thirdPerson: string;
}

/** Forms an author wrote on a term, which win over the library's. */
export interface FormOverrides {
  readonly gerund?: string;
  readonly thirdPerson?: string;
  readonly plural?: string;
  /** An action with its object, "{object}" standing for the object as the sentence says it: "return {object}". */
  readonly withObject?: string;
}

const verbs = new Map<string, VerbForms>();
const plurals = new Map<string, string>();
const pluralHeads = new Map<string, string>();

interface WordTransforms {
  readonly verb: { conjugate(word: string, model: unknown): Record<string, string> };
  readonly noun: { toPlural(word: string, model: unknown): string; toSingular(word: string, model: unknown): string };
}
/** The library's word-level transforms (methods.two.transform): a word's forms without parsing a document, which costs milliseconds a word. */
function transforms(): WordTransforms {
  return (world().methods as { two: { transform: WordTransforms } }).two.transform;
}
function world(): { model: unknown; methods: unknown } {
  return (library() as unknown as { world(): { model: unknown; methods: unknown } }).world();
}

function library(): Nlp {
  if (!nlp) throw new TemplateError('templates', 'term forms are not loaded: call loadTermForms() (TemplateLibrary.load does) before rendering');
  return nlp;
}

/** The forms of a verb phrase whose first word is its verb ("set up a meeting": "setting up a meeting"). */
export function verbForms(phrase: string): VerbForms {
  let forms = verbs.get(phrase);
  if (!forms) {
    // Two verbs joined ("recommend or induce a trade", "buy and sell shares"): each takes the form.
    const pair = /^([a-z]+) (or|and) ([a-z]+)((?: .*)?)$/.exec(phrase.trim());
    if (pair) {
      const [, first, joiner, second, rest] = pair as unknown as [string, string, string, string, string];
      const [a, b] = [verbForms(first), verbForms(`${second}${rest}`)];
      forms = { base: phrase, gerund: `${a.gerund} ${joiner} ${b.gerund}`, thirdPerson: `${a.thirdPerson} ${joiner} ${b.thirdPerson}` };
      verbs.set(phrase, forms);
      return forms;
    }
    const [head = '', ...rest] = phrase.trim().split(/\s+/);
    const tail = rest.length > 0 ? ` ${rest.join(' ')}` : '';
    // A label's first word is its verb, even one that is also a noun ("trade", "report"): conjugated as an
    // infinitive by the library's word transforms (what doc.verbs().conjugate() ends in, without parsing a document).
    // Anything but a plain lower-case word (a capital, a hyphen) goes through a parsed document, as before.
    let conjugated: { Gerund?: string; PresentTense?: string } | undefined;
    if (/^[a-z]+$/.test(head)) conjugated = transforms().verb.conjugate(head, world().model);
    else {
      const doc = library()(head);
      doc.tag('Infinitive');
      conjugated = doc.verbs().conjugate()[0] as { Gerund?: string; PresentTense?: string } | undefined;
    }
    forms = {
      base: phrase,
      gerund: `${conjugated?.Gerund ?? `${head}ing`}${tail}`,
      thirdPerson: `${conjugated?.PresentTense ?? `${head}s`}${tail}`,
    };
    verbs.set(phrase, forms);
  }
  return forms;
}

/** Kinds of term that name an organisation or a unit of one, or a place. */
const ORGANISATIONAL = new Set(['Department', 'Organization', 'Agency', 'Jurisdiction']);
/** Head words of a unit's or place's name that take "the": "the Corporate Secretariat", "the United Kingdom". */
const UNIT_HEADS = new Set(['office', 'secretariat', 'department', 'team', 'service', 'desk', 'committee', 'board', 'unit', 'centre', 'center', 'authority', 'agency', 'commission', 'council', 'bank', 'fund', 'union', 'kingdom', 'republic', 'states', 'ombudsman', 'scheme', 'programme', 'program', 'function', 'division', 'group', 'emirates', 'netherlands', 'philippines']);

/** The head of a noun phrase: its last word before a bracket, a comma or a preposition; of "X or a Y", X's. */
function headOf(label: string): string {
  const words = label.replace(/\s*\(.*$/, '').replace(/\s+(?:or|and)\s+(?:a|an|the)\s.*$/, '').split(/\s+/);
  const end = words.findIndex((w, i) => i > 0 && (ENDS_OBJECT.has(w.toLowerCase()) || w.endsWith(',')));
  return (end < 0 ? words.at(-1)! : words[end - 1]!).replace(/,$/, '');
}

/**
 * How a sentence introduces a term: a name bare ("Group Compliance", "Kestrel"), a unit of the organisation or a
 * place by its name with "the" ("the Corporate Secretariat", "the IP team", "the United Kingdom"), a mass noun bare
 * ("third-party information"), anything else with "a" or "an" as it sounds ("an HR manager"). `type` is the
 * term's kind (Department, Organization, Role ...); without it the label is a common noun.
 */
export function termPhrase(label: string, type?: string): string {
  const key = `${label}\u0000${type ?? ''}`;
  let said = termPhrases.get(key);
  if (said === undefined) termPhrases.set(key, (said = deriveTermPhrase(label, type)));
  return said;
}
const termPhrases = new Map<string, string>();

function deriveTermPhrase(label: string, type?: string): string {
  if (label === '') return 'a ';
  const head = headOf(label);
  if (type && ORGANISATIONAL.has(type)) {
    const named = /^[A-Z]/.test(label);
    if (UNIT_HEADS.has(head.toLowerCase()) && (named || type === 'Department')) return `the ${label}`;
    if (named) return label;
    if (type === 'Department') return `the ${label}`;
  }
  if (DETERMINER.test(label.split(/\s+/)[0]!)) return label;
  if (/'s?\s/.test(label)) return objectPhrase(label);
  if (MASS_NOUNS.has(head.toLowerCase())) return label;
  return indefinite(label);
}

/** Whether a term is said without a plural: a name, or a mass noun ("Group Compliance", "third-party information"). */
export function hasNoPlural(label: string, type?: string): boolean {
  return (type !== undefined && ORGANISATIONAL.has(type) && /^[A-Z]/.test(label)) || MASS_NOUNS.has(headOf(label).toLowerCase());
}

/** The plural of a noun phrase ("company secretary": "company secretaries"); only its head changes, so "non-public" keeps its hyphen. */
export function pluralOf(noun: string, type?: string): string {
  if (hasNoPlural(noun, type)) return noun;
  let plural = plurals.get(noun);
  if (plural === undefined) {
    const head = headOf(noun);
    const at = noun.lastIndexOf(head);
    // A plain singular head through the library's word transform; a head that may be plural already through a
    // parsed document, which leaves a plural as it is ("records"), as the transform does not.
    const { noun: nouns } = transforms();
    // (A name, an acronym, a hyphenated word, a pronoun or a gerund goes through the document too; a number
    // takes "s", as the document gives it.) Worked out once per head word.
    let derived = pluralHeads.get(head);
    if (derived === undefined) {
      if (/^\d+$/.test(head)) derived = `${head}s`;
      else if (/^[a-z]{3,}$/.test(head) && !head.endsWith('ing') && nouns.toSingular(head, world().model) === head) derived = nouns.toPlural(head, world().model) || `${head}s`;
      else {
        const doc = library()(head);
        doc.tag('Noun');
        derived = doc.nouns().toPlural().text() || `${head}s`;
      }
      pluralHeads.set(head, derived);
    }
    plural = at < 0 ? derived : `${noun.slice(0, at)}${derived}${noun.slice(at + head.length)}`;
    plurals.set(noun, plural);
  }
  return plural;
}

interface Conjugation {
  readonly Infinitive?: string;
  readonly PastTense?: string;
  readonly PresentTense?: string;
  readonly Participle?: string;
}
const conjugations = new Map<string, Conjugation>();

/** A word's conjugation, read as a verb (any form of it). */
function conjugationOf(word: string): Conjugation {
  const key = word.toLowerCase();
  let conjugation = conjugations.get(key);
  if (!conjugation) {
    const doc = library()(key);
    doc.tag('Verb');
    conjugation = (doc.verbs().conjugate()[0] as Conjugation | undefined) ?? {};
    conjugations.set(key, conjugation);
  }
  return conjugation;
}

/** "completed", "sought", "written": a past participle (or simple past) of some verb. */
export function isParticiple(word: string): boolean {
  const w = word.toLowerCase();
  if (!/^[a-z]+$/.test(w) || w.length < 3) return false;
  const c = conjugationOf(w);
  return c.Infinitive !== w && (c.PastTense === w || c.Participle === w);
}

/** "asks", "competes": a verb in the third person singular. */
export function isThirdPerson(word: string): boolean {
  const w = word.toLowerCase();
  if (!/^[a-z]+s$/.test(w) || w.length < 3) return false;
  const c = conjugationOf(w);
  return c.PresentTense === w && c.Infinitive !== w;
}

/** The infinitive of a verb form ("asks", "declined": "ask", "decline"). */
export function verbBase(word: string): string {
  return conjugationOf(word).Infinitive ?? word;
}

/** Where the nouns of a text begin (character offsets), as its sentences parse: "share" in "the employee share plan". */
export function nounStarts(text: string): ReadonlySet<number> {
  const starts = new Set<number>();
  for (const sentence of library()(text).json({ offset: true }) as { terms: { offset: { start: number }; tags: string[] }[] }[]) {
    for (const term of sentence.terms) if (term.tags.includes('Noun')) starts.add(term.offset.start);
  }
  return starts;
}

const adjectives = new Map<string, boolean>();
/** "comparative", "modest": an adjective and not also a noun. */
export function isAdjective(word: string): boolean {
  const w = word.toLowerCase();
  let adjective = adjectives.get(w);
  if (adjective === undefined) {
    const doc = library()(w);
    adjective = doc.has('#Adjective') && !doc.has('#Noun');
    adjectives.set(w, adjective);
  }
  return adjective;
}

/**
 * Verbs that take their object right after them, before a phrase that says where or why: "use ... for
 * personal purposes", "forward ... to a personal account", "enter ... into a public AI tool". Any verb does
 * before "as": "describe ... as free".
 */
const OBJECT_FIRST_VERBS = new Set(['use', 'forward', 'enter', 'copy', 'remove', 'access', 'post', 'upload', 'send', 'share', 'store', 'move', 'transfer', 'save', 'paste', 'bring', 'put', 'download', 'export', 'discuss', 'disclose', 'take', 'email', 'print', 'contribute', 'release', 'submit', 'give']);
const PLACE_OR_PURPOSE = new Set(['to', 'into', 'for', 'from', 'on', 'onto', 'in', 'at', 'outside', 'with', 'via', 'through', 'across']);
/** Words that end the object of an act ("write explicit content | for a minor"). */
const ENDS_OBJECT = new Set([...PLACE_OR_PURPOSE, 'of', 'about', 'as', 'without', 'by', 'under', 'within', 'against', 'between']);
const DETERMINER = /^(?:a|an|the|their|your|my|our|its|his|her|this|these|those|any|every|all|some)$/i;
/** Words said without "a": "disclose customer data", "classify public information". */
export const MASS_NOUNS: ReadonlySet<string> = new Set(['cash', 'information', 'data', 'advice', 'consent', 'approval', 'pressure', 'travel', 'money', 'evidence', 'authorisation', 'authorization', 'clearance', 'pre-clearance', 'permission', 'guidance', 'fraud', 'harm', 'abuse', 'dissatisfaction', 'bereavement', 'hospitality', 'entertainment', 'training', 'supervision', 'code', 'software', 'firmware', 'intelligence', 'property', 'research', 'content', 'slang', 'profanity', 'violence', 'formatting', 'history', 'credit', 'marketing', 'equipment', 'material', 'infrastructure', 'correspondence', 'feedback', 'knowledge', 'news', 'furniture', 'luggage', 'personnel', 'staff', 'security', 'insurance', 'access', 'protection']);
/**
 * Adjectives that say how a person feels or stands ("dissatisfied with data handling", "unhappy with the
 * outcome"): the person is the user of the conversation, not "it".
 */
export const PERSON_STATES: ReadonlySet<string> = new Set(['dissatisfied', 'satisfied', 'unhappy', 'happy', 'worried', 'concerned', 'confused', 'upset', 'distressed', 'angry', 'anxious', 'frustrated', 'vulnerable', 'unsure', 'uncertain', 'unaware', 'aware', 'unwilling', 'willing', 'unable', 'able', 'afraid', 'scared', 'embarrassed', 'ashamed', 'eligible', 'ineligible']);
/**
 * The preposition an act takes before an object its words do not name, by a word of the act ("give
 * personalised advice on an investment product", "state fees and charges for a current account"); the last
 * such word of the act decides.
 */
const PREPOSITION_BY_WORD: Readonly<Record<string, string>> = {
  advice: 'on', review: 'of', summary: 'of', assessment: 'of', comparison: 'of', movement: 'of', application: 'for', report: 'about', request: 'about', enquiry: 'about', complaint: 'about', question: 'about', questions: 'about', meeting: 'about',
  human: 'about', person: 'about', investors: 'about', analysts: 'about', agreement: 'covering', software: 'on', controls: 'on', protection: 'for', marketing: 'using',
  fee: 'for', fees: 'for', charges: 'for', apr: 'for', figure: 'for', rights: 'for', link: 'for', settings: 'for', promotion: 'for', licence: 'for', license: 'for', verification: 'for',
  risks: 'of', cancellation: 'of', endorsement: 'of', note: 'containing', communications: 'containing', callback: 'about', decision: 'based on', intelligence: 'from',
  block: 'in', card: 'through', payment: 'through', pressure: 'to sell', materials: 'for',
};
/** The preposition by the act's verb, before any word of it: "cite a published figure from published rates". */
const PREPOSITION_BY_VERB: Readonly<Record<string, string>> = { use: 'with', communicate: 'about', hand: 'about', answer: 'about', refer: 'about', incorporate: 'into', cite: 'from' };
/**
 * Head nouns of an act that "involving" fits: an event or a piece of content that involves things ("report a
 * security incident involving a company laptop", "warn about APP scams involving a payment service"). After any
 * other act, "involving" is the generator's last resort, vague or wrong ("ask for the password involving an
 * online banking password"), and text-lint.ts counts it (kind "involving").
 */
export const INVOLVING_NOUNS: ReadonlySet<string> = new Set(['incident', 'incidents', 'breach', 'breaches', 'scam', 'scams', 'fraud', 'case', 'cases', 'dispute', 'disputes', 'accident', 'transaction', 'transactions', 'content', 'situation', 'matter', 'event', 'events']);
/** Nouns that name the same kind of object for an act: "disclose account details" of an account balance (account information). */
const SAME_OBJECT: ReadonlyMap<string, string> = new Map([['details', 'information'], ['particulars', 'information'], ['data', 'information']]);
/** Heads that add nothing to the noun before them: a credit product is credit. */
const GENERIC_HEADS = new Set(['product', 'products', 'service', 'services', 'item', 'items']);
/** A verb's particle before its object: "ask for the password", "warn about an exposed credential". */
const PARTICLES = new Set(['for', 'about', 'on', 'to', 'with', 'into', 'from', 'at', 'of']);

/** "trade secret": "a trade secret"; "customer data", "business records", "Kestrel-owned code", "the user's data" stay bare; "identity of a person": "the identity of a person". */
export function objectPhrase(label: string): string {
  const words = label.split(/\s+/);
  const first = words[0] ?? '';
  // A name is said bare ("Kestrel's laptops", "Group Compliance"); an acronym before a common noun is not a name ("an IT system").
  if (DETERMINER.test(first) || (/^[A-Z]/.test(first) && !(/^[A-Z]{2,}$/.test(first) && /^[a-z]/.test(words.at(-1) ?? '')))) return label;
  // "competitor's confidential information", "former employer's data": the owner takes the article; the user is someone definite.
  const owner = words.findIndex((w) => /'s?$/.test(w));
  if (owner >= 0) return words[owner] === "user's" ? `the ${label}` : indefinite(label);
  // "cash or a cash equivalent": two noun phrases, the first said first.
  const second = words.findIndex((w, i) => i > 0 && /^(?:or|and)$/.test(w) && DETERMINER.test(words[i + 1] ?? ''));
  const lead = second < 0 ? words : words.slice(0, second);
  const headAt = lead.findIndex((w, i) => i > 0 && (ENDS_OBJECT.has(w.toLowerCase()) || w.endsWith(',')));
  const head = (headAt < 0 ? lead.at(-1)! : lead[headAt - 1]!).replace(/,$/, '').toLowerCase();
  if (headAt > 0 && words[headAt]!.toLowerCase() === 'of') return `the ${label}`;
  if (MASS_NOUNS.has(head) || isPluralNoun(head)) return label;
  return indefinite(label);
}

/** A plural noun by its ending ("records", "findings"; not "process", "status", "analysis"). */
function isPluralNoun(word: string): boolean {
  return /[^s]s$/.test(word) && !/(ss|us|is|ics)$/.test(word);
}

const STOP_WORDS = new Set(['a', 'an', 'the', 'of', 'to', 'for', 'in', 'on', 'and', 'or', 'with', 'by', 'at', 'as']);
const SUFFIXES = new Set(['', 'e', 's', 'es', 'ed', 'd', 'ing', 'ion', 'ions', 'ation', 'er', 'ers', 'ment', 'ments']);
/** Two words alike enough to be one for naming an object: "records" and "record", "sent" and "send", "deletion" and "delete". */
function alike(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/[^\w-]/g, '');
  const y = b.toLowerCase().replace(/[^\w-]/g, '');
  if (x === y || x.replace(/s$/, '') === y.replace(/s$/, '')) return true;
  if (!/^[a-z]{3,}$/.test(x) || !/^[a-z]{3,}$/.test(y)) return false;
  const [bx, by] = [verbBase(x), verbBase(y)];
  if (bx === by) return true;
  let shared = 0;
  while (shared < bx.length && bx[shared] === by[shared]) shared++;
  return shared >= 5 && SUFFIXES.has(bx.slice(shared)) && SUFFIXES.has(by.slice(shared));
}
/** True when the act's words already name the object: every content word of the object is among them. */
function actNames(action: string, object: string): boolean {
  const words = action.split(/\s+/);
  return object.split(/[\s,]+/).filter((w) => w && !STOP_WORDS.has(w.toLowerCase())).every((w) => words.some((v) => alike(v, w)));
}

/** What is known of the act itself, beyond its label. */
export interface ActKinds {
  /** The labels of the act's broader actions ("accept a gift" of "accept paid travel"). */
  readonly kinds?: readonly string[];
  /** The rule's own action, when the item says a narrower one. */
  readonly ruleAction?: string;
  /** The author's form of the act with its object (studio:withObject): "return {object}". */
  readonly withObject?: string;
}

/**
 * An act and its object as a sentence says them, never with the object in brackets:
 * - the author wrote how the act takes an object (studio:withObject "return {object}"): that form;
 * - the act's words already name the object: the act alone ("publish a product comparison");
 * - a verb alone: the object after it ("disclose a trade secret", "safeguard the identity of a reporter");
 * - a verb and a phrase of place or purpose: the object between them ("use the CRM system for personal purposes",
 *   "describe the savings account as free");
 * - the act's own object (after its verb, or its verb's particle: "ask for the password") names the object's
 *   kind ("destroy records", "accept a gift", `kindOf` the rule's own object the item narrows, or one of `kinds`:
 *   the object's broader terms and its own IRI's name): the object in its place ("destroy business records",
 *   "accept a meal", "recommend a mortgage", "ask for the online banking password", "offer a personal loan");
 *   likewise a kind named later in the act ("pay the market value of a meal"), and an object that is a part of
 *   the act's own ("discuss the details of a concern with ...");
 * - an event that involves things: "involving" ("report a security incident involving a company laptop");
 * - an act narrower than one of the same verb that names this object's kind ("accept paid travel" under "accept
 *   a gift"): its own object is the object, said by the act alone;
 * - the object after a preposition the act's verb or words take ("give personalised advice on an investment
 *   product", "state fees and charges for a current account");
 * - an act with an object of its own, narrower than one that takes the object after its verb ("reveal a
 *   reporter's identity" under the rule's "disclose"): the act alone;
 * - "involving" as a last resort, which text-lint.ts counts.
 */
export function actPhrase(action: string, object: string | undefined, kindOf?: string, kinds: readonly string[] = [], act: ActKinds = {}): string {
  if (!object) return action;
  const key = `${action}\u0000${object}\u0000${kindOf ?? ''}\u0000${kinds.join('\u0001')}\u0000${act.kinds?.join('\u0001') ?? ''}\u0000${act.ruleAction ?? ''}\u0000${act.withObject ?? ''}`;
  let said = acts.get(key);
  if (said === undefined) acts.set(key, (said = deriveActPhrase(action, object, kindOf, kinds, act)));
  return said;
}
const acts = new Map<string, string>();

/** A noun phrase's words split at its head: [words before the head, the head]; a bracket and what follows are left out. */
function nounPhrase(words: readonly string[]): { readonly modifiers: readonly string[]; readonly head: string } | undefined {
  const end = words.findIndex((w) => w.startsWith('('));
  const kept = end < 0 ? words : words.slice(0, end);
  if (kept.length === 0) return undefined;
  return { modifiers: kept.slice(0, -1), head: kept.at(-1)!.replace(/,$/, '') };
}

/** Two nouns naming the same kind of object: alike, or "details" and "information". */
function sameNoun(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return alike(x, y) || (SAME_OBJECT.get(x) ?? x) === (SAME_OBJECT.get(y) ?? y);
}

/**
 * Whether the noun phrase `own` (an act's own object) names the kind `kind`: the act names every word of the kind
 * and their heads agree ("destroy records": "records"), or every word of the act's is the kind's and the heads
 * agree ("offer credit" of "unsecured credit", "disclose account details" of "account information"). Participles
 * before the head ("an exposed credential") say how the object stands, not what it is.
 */
function ownNames(own: { readonly modifiers: readonly string[]; readonly head: string }, kind: string): boolean {
  const kindWords = kind.split(/[\s,]+/).filter((w) => w && !STOP_WORDS.has(w.toLowerCase()));
  const kindHead = headOf(kind);
  // "offer credit" of a credit product: a kind said as a noun and a generic head is a kind of that noun.
  if (own.modifiers.length === 0 && kindWords.length === 2 && GENERIC_HEADS.has(kindHead.toLowerCase()) && sameNoun(own.head, kindWords[0]!)) return true;
  if (!sameNoun(own.head, kindHead)) return false;
  const words = [...own.modifiers, own.head];
  if (actNames(words.join(' '), kind)) return true;
  return own.modifiers.every((w) => STOP_WORDS.has(w.toLowerCase()) || isParticiple(w) || kindWords.some((k) => sameNoun(k, w)));
}

function deriveActPhrase(action: string, object: string, kindOf: string | undefined, kinds: readonly string[], act: ActKinds): string {
  if (act.withObject) return act.withObject.replace('{object}', objectPhrase(object));
  if (echoes(action, object) || actNames(action, object)) return action;
  const words = action.split(/\s+/);
  const [verb, next, ...rest] = words;
  if (!verb) return action;
  if (!next) return `${verb} ${objectPhrase(object)}`;
  // "describe as free", "present as guaranteed": a verb and the complement "as ..." of its object, whatever the verb.
  const complement = next.toLowerCase() === 'as' && rest.length > 0;
  if (complement || (OBJECT_FIRST_VERBS.has(verb.toLowerCase()) && PLACE_OR_PURPOSE.has(next.toLowerCase()))) {
    const determined = DETERMINER.test(object.split(/\s+/)[0]!) || /'s?\s/.test(object);
    // The object is the place itself, said more narrowly ("post on social media" a "corporate social media
    // account"): it takes the place's words, instead of being posted "on social media".
    const objectWords = new Set(object.toLowerCase().split(/\s+/));
    const place = rest.filter((w) => !DETERMINER.test(w));
    if (!complement && place.length > 0 && place.every((w) => objectWords.has(w.toLowerCase()))) {
      return [verb, next, determined ? object : `the ${object}`].join(' ');
    }
    return [verb, determined ? object : `the ${object}`, next, ...rest].join(' ');
  }
  // The act's own object: the words after the verb (and its particle: "ask for the password") up to a
  // preposition, a determiner first if any.
  const particle = PARTICLES.has(next.toLowerCase()) && rest.length > 0 ? 1 : 0;
  const at = 1 + particle;
  const end = words.findIndex((w, i) => i > at && ENDS_OBJECT.has(w.toLowerCase()));
  const stop = end < 0 ? words.length : end;
  const determiner = DETERMINER.test(words[at] ?? '') ? words[at]!.toLowerCase() : undefined;
  const start = determiner ? at + 1 : at;
  const own = nounPhrase(words.slice(start, stop));
  const objectWords = object.split(/\s+/);
  const kindsOfObject = [...(kindOf !== undefined ? [kindOf] : []), ...kinds];
  if (own) {
    const comma = objectWords.findIndex((w) => w.endsWith(','));
    const objectEnd = objectWords.findIndex((w, i) => i > 0 && ENDS_OBJECT.has(w.toLowerCase()));
    const objectHead = (comma >= 0 ? objectWords[comma]! : objectEnd < 0 ? objectWords.at(-1)! : objectWords[objectEnd - 1]!).replace(/,$/, '');
    const ownWords = [...own.modifiers, own.head];
    // The rule's own object must be the head of the act's ("a personal data breach" is no kind of personal data).
    // A broader term of the object, or its own name, that the act names: "recommend a product" of a mortgage
    // (a credit product, a product) is "recommend a mortgage"; "reveal a credential" of lum:Credential, labelled
    // "password, key or token", is "reveal a password, key or token".
    const kind = alike(own.head, objectHead) || ownWords.every((w, i) => alike(w, objectWords[i] ?? '')) || kindsOfObject.some((k) => k !== object && ownNames(own, k));
    if (kind) {
      // A participle the object does not have stays before it: "warn about an exposed full card PIN".
      const stance = own.modifiers.filter((w) => isParticiple(w) && !objectWords.some((o) => alike(o, w)));
      const phrase = stance.length > 0 && !DETERMINER.test(objectWords[0]!) && !/'s?$/.test(objectWords[0]!) ? `${stance.join(' ')} ${object}` : object;
      const said = determiner && determiner !== 'a' && determiner !== 'an' && !DETERMINER.test(objectWords[0]!) && !/'s?$/.test(objectWords[0]!) ? `${determiner} ${phrase}` : objectPhrase(phrase);
      return [...words.slice(0, at), said, ...words.slice(stop)].join(' ');
    }
    // The object is a part of the act's own: "discuss a concern" of the details of a concern.
    const of = objectWords.findIndex((w) => w.toLowerCase() === 'of');
    if (of > 0 && alike(objectWords.at(-1)!, own.head) && objectWords.length - of - 1 <= ownWords.length + 1) {
      return [...words.slice(0, at), objectPhrase(object), ...words.slice(stop)].join(' ');
    }
  }
  // A kind of the object named later in the act: "pay the market value of a gift" of a meal.
  for (let i = stop; i < words.length; i++) {
    if (!ENDS_OBJECT.has(words[i]!.toLowerCase())) continue;
    const from = DETERMINER.test(words[i + 1] ?? '') ? i + 2 : i + 1;
    const to = words.findIndex((w, j) => j > i && ENDS_OBJECT.has(w.toLowerCase()));
    const later = nounPhrase(words.slice(from, to < 0 ? words.length : to));
    if (later && kindsOfObject.some((k) => k !== object && ownNames(later, k))) {
      return [...words.slice(0, i + 1), objectPhrase(object), ...words.slice(to < 0 ? words.length : to)].join(' ');
    }
  }
  if (own && INVOLVING_NOUNS.has(own.head.toLowerCase())) return `${action} involving ${objectPhrase(object)}`;
  // A narrower act of the same verb whose broader act names the object or its kind: "accept paid travel" (under
  // "accept a gift") of a meal is accepting a gift already.
  const sameVerb = (broader: string) => alike(broader.split(/\s+/)[0] ?? '', verb);
  if (own && (act.kinds ?? []).some((broader) => sameVerb(broader) && [object, ...kindsOfObject].some((k) => actNames(broader, k)))) return action;
  const preposition = PREPOSITION_BY_VERB[verb.toLowerCase()] ?? words.slice(1).reduce<string | undefined>((found, w) => PREPOSITION_BY_WORD[w.toLowerCase()] ?? found, undefined);
  if (preposition) return `${action} ${preposition} ${objectPhrase(object)}`;
  // A narrower act with an object of its own, under an act that takes the object straight after its verb (the
  // rule's "disclose" of a trade secret, said "reveal a reporter's identity"): its own object is the object.
  if (own && [act.ruleAction ?? '', ...(act.kinds ?? [])].some((broader) => broader !== action && takesObjectDirectly(broader))) return action;
  return `${action} involving ${objectPhrase(object)}`;
}

/** An act with no object of its own: a verb ("disclose"), a verb and its particle ("pass on"), or a verb and a place or purpose ("use for personal gain"). */
function takesObjectDirectly(action: string): boolean {
  const [verb, next, third] = action.split(/\s+/);
  if (!verb) return false;
  if (!next) return true;
  if (OBJECT_FIRST_VERBS.has(verb.toLowerCase()) && PLACE_OR_PURPOSE.has(next.toLowerCase())) return true;
  return !third && ['on', 'up', 'out', 'off', 'over', 'back', 'down', 'away'].includes(next.toLowerCase());
}
