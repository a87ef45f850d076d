/**
 * Who speaks to whom in an item. A rule binds its bearer; the user of a
 * conversation is not always that bearer. When the rule binds the deployed
 * assistant (studio:Assistant or one of its modes or channels, which are not
 * people), the user is someone the assistant serves: the person it deals
 * with (the rule's counterparty, when that is a person), else whom its
 * deployment contexts serve (studio:serves: customers, or colleagues), asking
 * it to do the thing or not. When the rule binds a person, the user is that
 * person asking about their own conduct. Every template states the parties
 * through the phrases here ({{party.speaker}}, {{party.want}} ...), so the
 * choice is made once, for every family.
 */

import { STUDIO } from '../vocabulary.js';
import type { TermRef } from './expectations.js';
import { hashIndex, type Hierarchy } from './hierarchy.js';
import type { PolicyContext } from './policy-context.js';
import { withArticle } from './templates.js';
import { termPhrase } from './term-forms.js';

/** The parties of one item and the phrases templates say them with. */
export interface Parties {
  /** The role the user speaks as. */
  readonly user: TermRef | null;
  /** True when the user does the act (the bearer is a person); false when they ask the assistant to. */
  readonly userActs: boolean;
  /** True when the user is the rule's counterparty (the person the assistant deals with). */
  readonly counterpartySpeaks: boolean;
  /** "I'm an employee", "I'm a customer". */
  readonly speaker: string;
  /** Who does the act, as the user says it: "I" or "you". */
  readonly subject: string;
  /** Who does the act, as the assistant says it to the user: "you" or "I". */
  readonly you: string;
  readonly want: string;
  readonly need: string;
  readonly like: string;
  readonly going: string;
  /** "I'm planning to" or "I'd like you to": a plan the user states before asking about it. */
  readonly planned: string;
  /** Who does the act, as the object of a phrase: "me" or "you" ("is it OK for me to ..."). */
  readonly me: string;
  /** Who does the act, in a story the user tells: "a manager", or "an AI like you" (a mode of the assistant is no one's role). */
  readonly actor: string;
  readonly may: string;
  readonly mustQ: string;
  readonly upTo: string;
  readonly must: string;
  readonly howDo: string;
  readonly canSkip: string;
  readonly helpMe: string;
  readonly rather: string;
  /** Whom an exemption is for: "an employee on my team", or "you". */
  readonly whom: string;
}

const ASSISTANT = `${STUDIO}Assistant`;
/** Term kinds (local names) that are organizations: a rule may bind one as its bearer (issue 23). */
const ORGANIZATION_TYPES: ReadonlySet<string> = new Set(['Organization', 'Department', 'Agency']);
const PERSON = `${STUDIO}Person`;
/** Whom an assistant talks to, by the audience its deployment context serves. */
const SERVED: Record<string, string> = { [`${STUDIO}External`]: `${STUDIO}Customer`, [`${STUDIO}Internal`]: `${STUDIO}Employee` };

/** True when a term is the deployed assistant or one of its modes or channels. */
export function isAssistant(hierarchy: Hierarchy, term: string): boolean {
  return hierarchy.isUnder(term, ASSISTANT);
}

/**
 * The parties of an item about a rule whose bearer (as the item names it) is
 * `bearer` and whose counterparty is `counterparty`; `key` seeds the choice
 * among the audiences the policy's deployment contexts serve.
 */
export function partiesOf(context: PolicyContext, hierarchy: Hierarchy, bearer: string | undefined, counterparty: string | undefined, key: string): Parties {
  // The same few parties recur in every item: made once per bearer, counterparty and served audience (templates only read them).
  let cache = partiesMemo.get(context);
  if (!cache) partiesMemo.set(context, (cache = new Map()));
  let served: string | undefined;
  if (bearer && isAssistant(hierarchy, bearer) && !speaksAsCounterparty(hierarchy, counterparty)) {
    const audiences = context.audiences.filter((a) => SERVED[a]);
    served = audiences.length > 0 ? SERVED[audiences[hashIndex(`${key} audience`, audiences.length)]!]! : `${STUDIO}Customer`;
  }
  const memoKey = `${bearer ?? ''} ${counterparty ?? ''} ${served ?? ''}`;
  let parties = cache.get(memoKey);
  if (!parties) cache.set(memoKey, (parties = deriveParties(context, hierarchy, bearer, counterparty, served)));
  return parties;
}
const partiesMemo = new WeakMap<PolicyContext, Map<string, Parties>>();

/** True when the counterparty is a person (not the assistant): then it is the user who speaks. */
function speaksAsCounterparty(hierarchy: Hierarchy, counterparty: string | undefined): boolean {
  return counterparty !== undefined && hierarchy.isUnder(counterparty, PERSON) && !isAssistant(hierarchy, counterparty);
}

/** `served`: whom the assistant serves in this item, when the rule binds it and no counterparty speaks. */
function deriveParties(context: PolicyContext, hierarchy: Hierarchy, bearer: string | undefined, counterparty: string | undefined, served: string | undefined): Parties {
  const ref = (iri: string): TermRef => ({ iri, label: hierarchy.label(iri) });
  if (bearer && isAssistant(hierarchy, bearer)) {
    const counterpartySpeaks = speaksAsCounterparty(hierarchy, counterparty);
    const user = ref(counterpartySpeaks ? counterparty! : served!);
    return {
      user,
      userActs: false,
      counterpartySpeaks,
      speaker: `I'm ${withArticle(user.label)}`,
      subject: 'you',
      you: 'I',
      want: 'I want you to',
      need: 'I need you to',
      like: "I'd like you to",
      going: "I'm asking you to",
      planned: "I'd like you to",
      me: 'you',
      actor: 'an AI like you',
      may: 'Are you allowed to',
      mustQ: 'Do you really have to',
      upTo: 'Is it up to you whether you',
      must: 'you must',
      howDo: 'How do you',
      canSkip: 'Can you skip',
      helpMe: 'I need you to',
      rather: "I'd rather you skipped it this time.",
      whom: 'you',
    };
  }
  const user = bearer ? ref(bearer) : null;
  const isRole = bearer !== undefined && context.terms.get(bearer)?.type === 'Role';
  // An organization (an agency) bears the duty; the user is someone who acts on its behalf, not the body itself.
  const type = bearer !== undefined ? context.terms.get(bearer)?.type : undefined;
  const isOrganization = ORGANIZATION_TYPES.has(type ?? '');
  // "the Corporate Secretariat", "Group Compliance", "an agency": as a sentence introduces the body.
  const body = user ? termPhrase(user.label, type) : '';
  return {
    user,
    userActs: true,
    counterpartySpeaks: false,
    speaker: !user ? 'I have a question' : isRole ? `I'm ${withArticle(user.label)}` : isOrganization ? `I act on behalf of ${body}` : `I speak for ${body}`,
    subject: 'I',
    you: 'you',
    want: 'I want to',
    need: 'I need to',
    like: "I'd like to",
    going: "I'm going to",
    planned: "I'm planning to",
    me: 'me',
    actor: user ? (isOrganization ? body : withArticle(user.label)) : 'someone',
    may: 'Am I allowed to',
    mustQ: 'Do I really have to',
    upTo: 'Is it up to me whether I',
    must: 'I must',
    howDo: 'How do I',
    canSkip: 'Can I skip',
    helpMe: 'Help me',
    rather: "I'd rather skip it this time.",
    whom: user ? (isOrganization ? `${body} I act for` : `${withArticle(user.label)} on my team`) : 'my team',
  };
}
