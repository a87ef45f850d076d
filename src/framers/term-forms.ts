/**
 * The forms a sentence needs of a term: an action's label is a verb phrase
 * ("accept a bribe"), said as a gerund ("accepting a bribe") or in the third
 * person ("accepts a bribe"); a role's or asset's label is a noun phrase,
 * said in the plural ("complaint handlers"). The compromise library
 * conjugates the phrase's head word and pluralises nouns; an author who
 * disagrees writes the form on the term (studio:gerund, studio:thirdPerson,
 * studio:plural), which wins.
 *
 * compromise takes about a second to load, so it is loaded once, when a
 * template library is (loadTermForms), not when the CLI starts.
 */

import indefinite from 'indefinite';
import { TemplateError } from '../errors.js';
import { echoes } from './text-lint.js';

type Nlp = typeof import('compromise/three').default;
let nlp: Nlp | undefined;

/** Loads the NLP library; the templates' form helpers need it. */
export async function loadTermForms(): Promise<void> {
  nlp ??= (await import('compromise/three')).default;
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

/** The head of a noun phrase: its last word before a bracket, a comma or a preposition. */
function headOf(label: string): string {
  const words = label.replace(/\s*\(.*$/, '').split(/\s+/);
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
 * personalised advice on an investment product", "install software on a company device"); "involving"
 * where none is known, which is vague but never false.
 */
const PREPOSITION_BY_WORD: Readonly<Record<string, string>> = {
  advice: 'on', review: 'of', summary: 'of', assessment: 'of', comparison: 'of', movement: 'of', application: 'for', report: 'about', request: 'about', enquiry: 'about', complaint: 'about', question: 'about', questions: 'about', meeting: 'about',
  human: 'about', person: 'about', investors: 'about', analysts: 'about', agreement: 'covering', software: 'on', controls: 'on', protection: 'for', marketing: 'using',
};

const PREPOSITION_BY_VERB: Readonly<Record<string, string>> = { use: 'with', communicate: 'about', hand: 'about', answer: 'about', refer: 'about' };

/** "trade secret": "a trade secret"; "customer data", "business records", "Kestrel-owned code", "the user's data" stay bare; "identity of a person": "the identity of a person". */
export function objectPhrase(label: string): string {
  const words = label.split(/\s+/);
  const first = words[0] ?? '';
  if (DETERMINER.test(first) || /^[A-Z]/.test(first)) return label;
  // "competitor's confidential information", "former employer's data": the owner takes the article; the user is someone definite.
  const owner = words.findIndex((w) => /'s?$/.test(w));
  if (owner >= 0) return words[owner] === "user's" ? `the ${label}` : indefinite(label);
  const headAt = words.findIndex((w, i) => i > 0 && (ENDS_OBJECT.has(w.toLowerCase()) || w.endsWith(',')));
  const head = (headAt < 0 ? words.at(-1)! : words[headAt - 1]!).replace(/,$/, '').toLowerCase();
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

/**
 * An act and its object as a sentence says them, never with the object in brackets:
 * - the act's words already name the object: the act alone ("publish a product comparison");
 * - a verb alone: the object after it ("disclose a trade secret", "safeguard the identity of a reporter");
 * - a verb and a phrase of place or purpose: the object between them ("use the CRM system for personal purposes",
 *   "describe the savings account as free");
 * - the act names the object's kind ("destroy records", "accept a gift", `kindOf` the rule's own object the
 *   item narrows, or one of `kinds`: the object's broader terms and its own IRI's name): the object in its
 *   place ("destroy business records", "accept a meal", "recommend a mortgage");
 * - otherwise the object after a preposition the act's words take ("give personalised advice on an investment
 *   product"), or "involving".
 */
export function actPhrase(action: string, object: string | undefined, kindOf?: string, kinds: readonly string[] = []): string {
  if (!object) return action;
  const key = `${action}\u0000${object}\u0000${kindOf ?? ''}\u0000${kinds.join('\u0000')}`;
  let said = acts.get(key);
  if (said === undefined) acts.set(key, (said = deriveActPhrase(action, object, kindOf, kinds)));
  return said;
}
const acts = new Map<string, string>();

function deriveActPhrase(action: string, object: string, kindOf: string | undefined, kinds: readonly string[]): string {
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
  // The act's own object: the words after the verb up to a preposition, a determiner first if any.
  const end = words.findIndex((w, i) => i > 0 && ENDS_OBJECT.has(w.toLowerCase()));
  const stop = end < 0 ? words.length : end;
  const determiner = DETERMINER.test(next) ? next.toLowerCase() : undefined;
  const start = determiner ? 2 : 1;
  const own = words.slice(start, stop);
  if (own.length > 0) {
    const head = own.at(-1)!;
    const objectWords = object.split(/\s+/);
    const comma = objectWords.findIndex((w) => w.endsWith(','));
    const objectEnd = objectWords.findIndex((w, i) => i > 0 && ENDS_OBJECT.has(w.toLowerCase()));
    const objectHead = (comma >= 0 ? objectWords[comma]! : objectEnd < 0 ? objectWords.at(-1)! : objectWords[objectEnd - 1]!).replace(/,$/, '');
    // The rule's own object must be the head of the act's ("a personal data breach" is no kind of personal data).
    const namesKind = (k: string) => k !== object && actNames(own.join(' '), k) && alike(head, headOf(k));
    // A broader term of the object, or its own name, that the act names: "recommend a product" of a mortgage
    // (a credit product, a product) is "recommend a mortgage"; "reveal a credential" of lum:Credential, labelled
    // "password, key or token", is "reveal a password, key or token".
    const kind = (kindOf !== undefined && namesKind(kindOf)) || alike(head, objectHead) || own.every((w, i) => alike(w, objectWords[i] ?? '')) || kinds.some(namesKind);
    if (kind) {
      const said = determiner && determiner !== 'a' && determiner !== 'an' && !DETERMINER.test(objectWords[0]!) && !/'s?$/.test(objectWords[0]!) ? `${determiner} ${object}` : objectPhrase(object);
      return [verb, said, ...words.slice(stop)].join(' ');
    }
  }
  const preposition = words.slice(1).reduce<string | undefined>((found, w) => PREPOSITION_BY_WORD[w.toLowerCase()] ?? found, undefined) ?? (PREPOSITION_BY_VERB[verb.toLowerCase()] ?? 'involving');
  return `${action} ${preposition} ${objectPhrase(object)}`;
}
