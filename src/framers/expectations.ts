/**
 * Checkable expectations: what an answer must do, derived from the
 * provision's studio:expectedBehaviour, studio:channel and studio:section, so
 * that grading needs no LLM wherever these suffice. A template lists tokens
 * ("rule", "help", "cite" ...) and this file turns them into expectations for
 * one provision.
 */

import { STUDIO } from '../vocabulary.js';
import type { FormOverrides } from './term-forms.js';

/** A term as items show it: its IRI and its label. */
export interface TermRef {
  readonly iri: string;
  readonly label: string;
  /** Other names it goes by: skos:altLabel and, for a channel, its studio:contactPoint values (phone, address, URL, e-mail). */
  readonly altNames?: readonly string[];
  /** Forms of the label its author wrote (studio:gerund, studio:thirdPerson, studio:plural); the rest are derived. */
  readonly forms?: FormOverrides;
}

/** A section as items cite it. */
export interface SectionRef {
  readonly iri: string;
  readonly number: string;
  readonly title: string;
}

/**
 * ShouldRecommend is advice, the expectation a recommendation (studio:Recommendation) gives: the answer must
 * not refuse or forbid what the policy encourages; recommending it is welcome, leaving it unsaid is no failure
 * (a recommendation is not a duty, so an answer is not graded down for not repeating it).
 */
export const EXPECTATION_KINDS = ['MustRefuse', 'MustWarn', 'MustHelp', 'MustAskForInformation', 'MustDirectToChannel', 'MustCiteSection', 'MustNotReveal', 'ShouldRecommend'] as const;
export type ExpectationKind = (typeof EXPECTATION_KINDS)[number];

/** One check on an answer; the channel, section or asset it names, where it names one. */
export interface Expectation {
  readonly kind: ExpectationKind;
  readonly channel?: TermRef;
  readonly section?: SectionRef;
  readonly asset?: TermRef;
}

/**
 * What a template may ask for: `rule` (everything the provision's behaviours
 * say), a fixed check (`help`, `refuse`, `warn`, `ask`, `cite`, `channel`,
 * `withhold`), or a check only when the provision asks for it too
 * (`rule-cite`, `rule-channel`, `rule-warn`).
 */
export const EXPECTATION_TOKENS = ['rule', 'help', 'refuse', 'warn', 'ask', 'cite', 'channel', 'withhold', 'rule-cite', 'rule-channel', 'rule-warn'] as const;
export type ExpectationToken = (typeof EXPECTATION_TOKENS)[number];

/** What expectations are derived from: one provision's behaviours and where it points. */
export interface ExpectationSource {
  /** Local names of studio:expectedBehaviour values: Refuse, Warn, DirectToChannel, CiteSection, AskForInformation, Inform. */
  readonly behaviours: readonly string[];
  readonly channels: readonly TermRef[];
  readonly section?: SectionRef;
  /** What must not be revealed when the provision protects it (its information targets). */
  readonly protectedAssets: readonly TermRef[];
  /** True for a recommendation: every item of it expects ShouldRecommend, and none demands a refusal. */
  readonly advice?: boolean;
}

const FROM_BEHAVIOUR: Record<string, ExpectationKind> = {
  Refuse: 'MustRefuse',
  Warn: 'MustWarn',
  Inform: 'MustHelp',
  AskForInformation: 'MustAskForInformation',
  DirectToChannel: 'MustDirectToChannel',
  CiteSection: 'MustCiteSection',
};

/** The expectations a template's tokens give for one provision, in a fixed order, without duplicates. */
export function deriveExpectations(tokens: readonly ExpectationToken[], source: ExpectationSource): Expectation[] {
  const kinds = new Set<ExpectationKind>();
  const has = (behaviour: string) => source.behaviours.includes(behaviour);
  for (const token of tokens) {
    switch (token) {
      case 'rule':
        for (const behaviour of source.behaviours) {
          const kind = FROM_BEHAVIOUR[behaviour];
          if (kind) kinds.add(kind);
        }
        if ((has('Refuse') || has('Warn')) && source.protectedAssets.length > 0) kinds.add('MustNotReveal');
        break;
      case 'help': kinds.add('MustHelp'); break;
      case 'refuse': kinds.add('MustRefuse'); break;
      case 'warn': kinds.add('MustWarn'); break;
      case 'ask': kinds.add('MustAskForInformation'); break;
      case 'cite': kinds.add('MustCiteSection'); break;
      case 'channel': kinds.add('MustDirectToChannel'); break;
      case 'withhold': kinds.add('MustNotReveal'); break;
      case 'rule-cite': if (has('CiteSection')) kinds.add('MustCiteSection'); break;
      case 'rule-channel': if (has('DirectToChannel')) kinds.add('MustDirectToChannel'); break;
      case 'rule-warn': if (has('Warn')) kinds.add('MustWarn'); break;
    }
  }
  // A template that says "help" overrides a refusal the rule alone would call for, and back:
  // an answer cannot be graded as both refusing and not refusing.
  // Advice, whatever the template: the assistant recommends, it does not require or refuse.
  if (source.advice) {
    kinds.delete('MustRefuse');
    kinds.add('ShouldRecommend');
  }
  if (tokens.includes('help')) kinds.delete('MustRefuse');
  else if (kinds.has('MustRefuse')) kinds.delete('MustHelp');
  // Checks that name nothing cannot be graded: no channel, no section, nothing protected.
  if (source.channels.length === 0) kinds.delete('MustDirectToChannel');
  if (!source.section) kinds.delete('MustCiteSection');
  if (source.protectedAssets.length === 0) kinds.delete('MustNotReveal');
  const out: Expectation[] = [];
  for (const kind of EXPECTATION_KINDS) {
    if (!kinds.has(kind)) continue;
    if (kind === 'MustDirectToChannel') for (const channel of source.channels) out.push({ kind, channel });
    else if (kind === 'MustCiteSection') out.push({ kind, section: source.section! });
    else if (kind === 'MustNotReveal') for (const asset of source.protectedAssets) out.push({ kind, asset });
    else out.push({ kind });
  }
  return out;
}

/** Merges the expectations of several provisions (a combined scenario): every check of each, refusal winning over help. */
export function mergeExpectations(lists: readonly (readonly Expectation[])[]): Expectation[] {
  const seen = new Map<string, Expectation>();
  for (const e of lists.flat()) seen.set(`${e.kind} ${e.channel?.iri ?? ''} ${e.section?.iri ?? ''} ${e.asset?.iri ?? ''}`, e);
  let merged = [...seen.values()];
  if (merged.some((e) => e.kind === 'MustRefuse')) merged = merged.filter((e) => e.kind !== 'MustHelp');
  return merged.sort((a, b) => EXPECTATION_KINDS.indexOf(a.kind) - EXPECTATION_KINDS.indexOf(b.kind));
}

/** The IRI of an expectation kind in the vocabulary. */
export function expectationIri(kind: ExpectationKind): string {
  return `${STUDIO}${kind}`;
}

/** Flags a template can test ({{#if expects.refuse}}), so reference answers match their checks. */
export function expectationFlags(expectations: readonly Expectation[]): Record<string, boolean> {
  const has = (kind: ExpectationKind) => expectations.some((e) => e.kind === kind);
  return {
    refuse: has('MustRefuse'),
    warn: has('MustWarn'),
    help: has('MustHelp'),
    ask: has('MustAskForInformation'),
    channel: has('MustDirectToChannel'),
    cite: has('MustCiteSection'),
    withhold: has('MustNotReveal'),
    recommend: has('ShouldRecommend'),
  };
}
