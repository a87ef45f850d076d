/**
 * Precedence: which of two conflicting rules prevails, by the first
 * principle in a configurable order that decides. Explicit override (one rule
 * says it overrides the other), lex superior (the higher authority rank),
 * lex specialis (the rule more specific in every dimension, strictly in one),
 * lex posterior (the later effective date, between rules of the same rank).
 * Two priorities decide by the rules' kinds alone, and only where named:
 * caution (the prohibition prevails) and helpfulness (the obligation or
 * permission prevails), as a deployment context's priorities use them.
 *
 * The chain of command is read by lex superior: a rule triggered by an
 * instruction takes its source's rank (platform 3, developer 2, user 1, tool
 * or quoted content 0) unless it states its own; a hard limit prevails over
 * any rule triggered by an instruction; a default yields to an instruction
 * from a source allowed to override it (studio:overridableBy, or a source
 * that outranks one allowed).
 */

import { InvalidOptionError } from '../errors.js';
import { STUDIO } from '../vocabulary.js';

export const PRINCIPLES = ['explicitOverride', 'lexSuperior', 'lexSpecialis', 'lexPosterior', 'caution', 'helpfulness'] as const;
export type Principle = (typeof PRINCIPLES)[number];

/** The order used unless configured otherwise: the four legal principles. Caution and helpfulness apply only where named. */
export const DEFAULT_PRECEDENCE: readonly Principle[] = ['explicitOverride', 'lexSuperior', 'lexSpecialis', 'lexPosterior'];

/** How one dimension of the first rule relates to the second's, as the conflicts query reports it. */
export type Relation = 'same' | 'narrower' | 'broader' | 'overlap' | 'unknown';

/** One rule of a conflicting pair, with what precedence needs to know about it. */
export interface Side {
  readonly rule: string;
  /** The nearest authority rank (rule, section, regulation); null when none is declared. */
  readonly rank: number | null;
  /** studio:effectiveFrom as written (xsd:date), or null. */
  readonly effectiveFrom: string | null;
  /** Whether this rule declares studio:overrides the other one. */
  readonly overridesOther: boolean;
  /** The message source whose instruction triggers the rule (studio:instructedBy), if any. */
  readonly instructedBy?: string | null;
  /** Whether the rule is a studio:HardLimit. */
  readonly hardLimit?: boolean;
  /** Whether the rule is a studio:Default the other rule's source may override (named by studio:overridableBy, or outranking one named). */
  readonly yieldsToOther?: boolean;
  /** Whether this rule applies notwithstanding the exceptions of a rule or section the other (an exception) excepts (studio:notwithstanding). */
  readonly notwithstanding?: boolean;
}

/** What precedence is given about a conflicting pair. */
export interface PairFacts {
  /** The prohibition, as conflict detection reports a pair (caution and helpfulness rely on it). */
  readonly first: Side;
  readonly second: Side;
  /** How the first rule's bearer, action, target, counterparty and conditions relate to the second's. */
  readonly dimensions: Readonly<Record<'bearer' | 'action' | 'target' | 'counterparty' | 'conditions', Relation>>;
}

export interface Resolution {
  readonly principle: Principle;
  readonly winner: string;
  readonly loser: string;
  /** Why, in words a knowledge engineer can check against the policy. */
  readonly reason: string;
}

/** The studio IRI of a principle (studio:LexSuperior...). */
export function principleIri(principle: Principle): string {
  return `${STUDIO}${principle[0]!.toUpperCase()}${principle.slice(1)}`;
}

/** The principle an IRI names, or undefined. */
export function principleOf(iri: string): Principle | undefined {
  return PRINCIPLES.find((p) => principleIri(p) === iri);
}

/** Reads an order of principles such as "lexSuperior,explicitOverride"; unknown or repeated names are an error. */
export function parsePrecedence(text: string): Principle[] {
  const names = text.split(',').map((n) => n.trim()).filter(Boolean);
  for (const name of names) {
    if (!PRINCIPLES.includes(name as Principle)) throw new InvalidOptionError(`'${name}' is not a precedence principle; use some of ${PRINCIPLES.join(', ')}`);
  }
  if (new Set(names).size !== names.length) throw new InvalidOptionError(`precedence '${text}' names a principle twice`);
  if (names.length === 0) throw new InvalidOptionError('precedence names no principle');
  return names as Principle[];
}

/** Resolves a pair by the first principle in `order` that decides; null when none does. */
export function resolve(facts: PairFacts, order: readonly Principle[] = DEFAULT_PRECEDENCE): Resolution | null {
  for (const principle of order) {
    const decided = DECIDERS[principle](facts);
    if (decided) {
      const [winner, loser] = decided.firstWins ? [facts.first, facts.second] : [facts.second, facts.first];
      return { principle, winner: winner.rule, loser: loser.rule, reason: decided.reason };
    }
  }
  return null;
}

type Decider = (facts: PairFacts) => { firstWins: boolean; reason: string } | null;

const DECIDERS: Record<Principle, Decider> = {
  explicitOverride({ first, second }) {
    // Two rules overriding each other is a cycle, which the defects report; it decides nothing.
    const firstOverrides = first.overridesOther || first.notwithstanding === true;
    const secondOverrides = second.overridesOther || second.notwithstanding === true;
    if (firstOverrides === secondOverrides) return null;
    const [winner, loser] = firstOverrides ? [first, second] : [second, first];
    if (!winner.overridesOther) return { firstWins: firstOverrides, reason: `${winner.rule} applies notwithstanding exceptions such as ${loser.rule} (studio:notwithstanding)` };
    return { firstWins: firstOverrides, reason: `${winner.rule} declares studio:overrides ${loser.rule}` };
  },
  lexSuperior({ first, second }) {
    // The chain of command: a hard limit holds against any instruction, and a default gives way to one from a source allowed to override it.
    const limitsInstruction = (limit: Side, other: Side) => limit.hardLimit === true && other.hardLimit !== true && !!other.instructedBy;
    if (limitsInstruction(first, second) !== limitsInstruction(second, first)) {
      const firstWins = limitsInstruction(first, second);
      const [limit, other] = firstWins ? [first, second] : [second, first];
      return { firstWins, reason: `${limit.rule} is a hard limit, which no instruction overrides (${other.rule} is instructed by ${sourceName(other.instructedBy!)})` };
    }
    if ((first.yieldsToOther === true) !== (second.yieldsToOther === true)) {
      const firstWins = second.yieldsToOther === true;
      const [instruction, yielding] = firstWins ? [first, second] : [second, first];
      return { firstWins, reason: `${yielding.rule} is a default that an instruction from ${sourceName(instruction.instructedBy ?? '')} may override` };
    }
    if (first.rank === null || second.rank === null || first.rank === second.rank) return null;
    const firstWins = first.rank > second.rank;
    const [higher, lower] = firstWins ? [first, second] : [second, first];
    const from = (side: Side) => (side.instructedBy ? ` (instructed by ${sourceName(side.instructedBy)})` : '');
    return { firstWins, reason: `authority rank ${higher.rank}${from(higher)} against ${lower.rank}${from(lower)}` };
  },
  lexSpecialis({ dimensions }) {
    const relations = Object.entries(dimensions);
    const narrower = relations.filter(([, r]) => r === 'narrower').map(([d]) => d);
    const broader = relations.filter(([, r]) => r === 'broader').map(([d]) => d);
    const undecided = relations.some(([, r]) => r === 'overlap' || r === 'unknown');
    if (undecided || (narrower.length > 0) === (broader.length > 0)) return null;
    const firstWins = narrower.length > 0;
    return { firstWins, reason: `more specific in ${(firstWins ? narrower : broader).join(', ')} and no broader in any dimension` };
  },
  lexPosterior({ first, second }) {
    if (first.rank !== second.rank || !first.effectiveFrom || !second.effectiveFrom || first.effectiveFrom === second.effectiveFrom) return null;
    const firstWins = first.effectiveFrom > second.effectiveFrom;
    const [later, earlier] = firstWins ? [first, second] : [second, first];
    return { firstWins, reason: `effective from ${later.effectiveFrom}, after ${earlier.effectiveFrom}, at the same rank` };
  },
  caution() {
    return { firstWins: true, reason: 'caution first: the prohibition prevails' };
  },
  helpfulness() {
    return { firstWins: false, reason: 'helpfulness first: the obligation or permission prevails' };
  },
};

/** A message source as the reasons name it: studio:DeveloperSource -> the developer. */
export function sourceName(iri: string): string {
  const known: Record<string, string> = {
    PlatformSource: 'the platform',
    DeveloperSource: 'the developer',
    UserSource: 'the user',
    ToolSource: 'a tool or quoted content',
  };
  const local = iri.startsWith(STUDIO) ? iri.slice(STUDIO.length) : undefined;
  return (local && known[local]) ?? iri;
}
