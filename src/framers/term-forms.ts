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
    const doc = library()(head);
    doc.tag('Infinitive'); // a label's first word is its verb, even one that is also a noun ("trade", "report")
    const conjugated = doc.verbs().conjugate()[0] as { Gerund?: string; PresentTense?: string } | undefined;
    forms = {
      base: phrase,
      gerund: `${conjugated?.Gerund ?? `${head}ing`}${tail}`,
      thirdPerson: `${conjugated?.PresentTense ?? `${head}s`}${tail}`,
    };
    verbs.set(phrase, forms);
  }
  return forms;
}

/** The plural of a noun phrase ("company secretary": "company secretaries"). */
export function pluralOf(noun: string): string {
  let plural = plurals.get(noun);
  if (plural === undefined) {
    const doc = library()(noun);
    doc.tag('Noun');
    const derived: string = doc.nouns().toPlural().text() || `${noun}s`;
    plurals.set(noun, derived);
    return derived;
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
const OBJECT_FIRST_VERBS = new Set(['use', 'forward', 'enter', 'copy', 'remove', 'access', 'post', 'upload', 'send', 'share', 'store', 'move', 'transfer', 'save', 'paste', 'bring', 'put', 'download', 'export', 'discuss', 'disclose', 'take', 'email', 'print']);
const PLACE_OR_PURPOSE = new Set(['to', 'into', 'for', 'from', 'on', 'onto', 'in', 'at', 'outside', 'with', 'via', 'through']);

/**
 * An act and its object as a sentence says them: the object goes between a verb and the phrase after it
 * ("use the CRM system for personal purposes", "describe the savings account as free"); where the act's
 * words already name the object it is left out ("publish a product comparison", never "(product)");
 * otherwise it follows in brackets ("disclose account details (account balance)"), which names it without
 * guessing the preposition.
 */
export function actPhrase(action: string, object: string | undefined): string {
  if (!object || echoes(action, object)) return action;
  const [verb, next, ...rest] = action.split(/\s+/);
  // "describe as free", "present as guaranteed": a verb and the complement "as ..." of its object, whatever the verb.
  const complement = next?.toLowerCase() === 'as' && rest.length > 0;
  if (verb && next && (complement || (OBJECT_FIRST_VERBS.has(verb.toLowerCase()) && PLACE_OR_PURPOSE.has(next.toLowerCase())))) {
    const determined = /^(?:a|an|the|their|your|my|our|its|this|these|those|any|every|all)\s/i.test(object) || /'s?\s/.test(object);
    return [verb, determined ? object : `the ${object}`, next, ...rest].join(' ');
  }
  return `${action} (${object})`;
}
