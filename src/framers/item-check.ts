/**
 * Invariants every generated item must keep, checked on the items themselves
 * (studio generate --check): a training set with one item that asks for a
 * forbidden act and expects help is unusable, so these are findings to fix
 * in the generator or the policy, never to filter out quietly.
 *
 * - entity: every term an item names lies within its rules' terms (a
 *   conflict item: within both colliding rules' terms);
 * - behaviour: the expectations follow from the rule that decides the item
 *   (no MustHelp where that rule prohibits what the user asks for, and no
 *   help on an action another rule of the policy prohibits);
 * - reference / rejected: the reference answer passes the item's own
 *   deterministic checks, and the rejected answer fails one of them;
 * - perspective: no user turn claims to be (or not to be) the assistant or a mode of it: a person does
 *   not tell an assistant they are not one; and in an item that stages a situation, no user turn casts
 *   a person as one ("whether they count as an agent mode", "how would a complaints mode ..."): a mode
 *   is not someone a user talks about; and no user turn speaks of its own speaker, or of the assistant it
 *   talks to, in the third person: "I'm a customer. The customer appears coerced", "the user's data",
 *   "whether Lumen is an AI" (the role is the one the turns introduce the user as: "I'm a customer").
 */

import { runCheck } from '../auditors/graders/deterministic.js';
import { checksOf } from './exports/checks.js';
import { Hierarchy } from './hierarchy.js';
import type { Item } from './item.js';
import { isAssistant } from './parties.js';
import { assistantNames } from './voice.js';
import type { PolicyContext, Provision } from './policy-context.js';

export const FINDING_KINDS = ['entity', 'behaviour', 'reference', 'rejected', 'perspective'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** One broken invariant: the item, its template and what is wrong. */
export interface Finding {
  readonly item: string;
  readonly template: string;
  readonly kind: FindingKind;
  readonly detail: string;
}

/** Families that stage a situation with the rule's entities (the others explain the policy). */
const STAGED: ReadonlySet<string> = new Set(['instruction-qa', 'is-it-allowed', 'scenario-compliant', 'scenario-noncompliant', 'scenario-ambiguous', 'redteam', 'exception-boundary', 'combined', 'conflict', 'chain-of-command']);
/** Families whose user asks for the act the deciding rule governs. */
const REQUESTS: ReadonlySet<string> = new Set(['scenario-noncompliant', 'redteam', 'conflict', 'chain-of-command']);
const SLOTS = ['bearer', 'action', 'target', 'counterparty'] as const;

/** Checks items of one policy; build once per policy and call check() per batch. */
export class ItemChecker {
  private readonly hierarchy: Hierarchy;
  private readonly prohibitions: readonly Provision[];
  private readonly claims: RegExp | undefined;
  private readonly casts: RegExp | undefined;
  /** The assistant named in the third person: "the assistant", "the agent mode", or its persona's name ("Lumen"). */
  private readonly assistantMentioned: RegExp | undefined;

  constructor(private readonly context: PolicyContext) {
    this.hierarchy = new Hierarchy(context);
    this.prohibitions = context.provisions.filter((p) => p.kind === 'Prohibition');
    const labels = [...context.terms.values()].filter((t) => t.type === 'Role' && isAssistant(this.hierarchy, t.iri)).map((t) => t.label.toLowerCase());
    const escaped = [...new Set(labels)].sort((a, b) => b.length - a.length).map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.claims = escaped.length > 0 ? new RegExp(`\\bI(?:'m|\\s+am)(?:\\s+not)?\\s+(?:an?\\s+|the\\s+|your\\s+)?(?:${escaped.join('|')})\\b`, 'i') : undefined;
    this.casts = escaped.length > 0 ? new RegExp(`\\b(?:counts?\\s+as|would)\\s+(?:an?|the)\\s+(?:${escaped.join('|')})\\b`, 'i') : undefined;
    const names = assistantNames(context, this.hierarchy).map(escape);
    const modes = names.filter((n) => /^[a-z]/.test(n));
    const proper = names.filter((n) => /^[A-Z]/.test(n));
    const alternatives = [...(modes.length > 0 ? [`the\\s+(?:${modes.join('|')})`] : []), ...proper];
    this.assistantMentioned = alternatives.length > 0 ? new RegExp(`\\b(?:${alternatives.join('|')})(?![\\w-])`) : undefined;
  }

  /** The findings on some items, in item order. */
  check(items: Iterable<Item>): Finding[] {
    const findings: Finding[] = [];
    for (const item of items) {
      const found = (kind: FindingKind, detail: string) => findings.push({ item: item.iri, template: item.template.id, kind, detail });
      const provisions = item.derivedFrom.map((iri) => this.context.provision.get(iri)).filter((p): p is Provision => p !== undefined);
      if (STAGED.has(item.family)) for (const detail of this.entityFindings(item, provisions)) found('entity', detail);
      for (const detail of this.behaviourFindings(item, provisions)) found('behaviour', detail);
      const deterministic = checksOf(item.expectations).filter((c) => c.deterministic);
      const failed = (text: string) => deterministic.map((c) => runCheck(c, undefined, text)).filter((v) => v.outcome === 'failed');
      for (const v of failed(item.reference)) found('reference', `the reference answer fails ${v.expectation}: ${v.detail}`);
      // As the generation tests hold it: a rejected answer must fail a refusal or citation check where the item has one.
      if (item.rejected && deterministic.some((c) => c.expectation === 'MustRefuse' || c.expectation === 'MustCiteSection') && failed(item.rejected).length === 0) {
        found('rejected', 'the rejected answer passes every deterministic check of the item');
      }
      if (this.claims) {
        for (const m of item.messages.filter((m) => m.role === 'user')) {
          const claim = this.claims.exec(m.content);
          if (claim) found('perspective', /\bnot\b/i.test(claim[0]) ? `a user turn denies being the assistant, as only a rule's bearer would: "${claim[0]}"` : `a user turn claims to be the assistant: "${claim[0]}"`);
          const cast = STAGED.has(item.family) ? this.casts?.exec(m.content) : null;
          if (cast) found('perspective', `a user turn speaks of a person as the assistant or a mode of it: "${cast[0]}"`);
        }
      }
      // Instruction Q&A asks about the rule from outside ("must an assistant follow the developer over the user?").
      if (STAGED.has(item.family) && item.family !== 'instruction-qa') for (const detail of this.thirdPersonFindings(item)) found('perspective', detail);
    }
    return findings;
  }

  /**
   * A user turn that speaks of its own speaker as "the customer" (the role it introduced them as, or its head
   * noun, or "the user"), or of the assistant it addresses by name. Text in quotation marks is someone else's.
   */
  private thirdPersonFindings(item: Item): string[] {
    const title = this.context.policy.title;
    const turns = item.messages.filter((m) => m.role === 'user').map((m) => (title ? m.content.split(title).join('') : m.content).replace(/"[^"]*"/g, '""'));
    const role = turns.map((t) => /\bI(?:'m| am) (?:an? |the )([a-z][\w -]*?)(?=[.,!?]| and\b| who\b|$)/.exec(t)?.[1]).find((r) => r !== undefined);
    const self = ['user', ...(role ? [role, role.split(/\s+/).at(-1)!] : [])].filter((n) => !/^(developer|person)\b/.test(n)).map(escape);
    const mentions = new RegExp(`(?:\\bthe\\s+|^|[.;:]\\s+)(?:${[...new Set(self)].join('|')})(?:'s)?\\b(?![\\w-])`, 'gi');
    const out: string[] = [];
    for (const turn of turns) {
      for (const m of turn.matchAll(mentions)) out.push(`a user turn speaks of its speaker in the third person: "${m[0].trim()}"`);
      const named = this.assistantMentioned?.exec(turn);
      if (named) out.push(`a user turn speaks of the assistant it addresses in the third person: "${named[0]}"`);
    }
    return out;
  }

  private covers(terms: readonly string[], term: string): boolean {
    return terms.some((t) => this.hierarchy.isUnder(term, t));
  }

  /** The terms conditions name, a compound's members' included. */
  private conditionTerms(iris: readonly string[], seen = new Set<string>()): string[] {
    return iris.flatMap((iri) => {
      const c = this.context.conditions.get(iri);
      if (!c || seen.has(iri)) return [];
      seen.add(iri);
      return [...[c.jurisdiction, c.period, c.quantity, c.circumstance, c.rate].filter((t): t is string => t !== undefined), ...this.conditionTerms(c.members ?? [], seen)];
    });
  }

  /** Terms outside every term of the item's provisions (a conflict item: outside what both rules cover). */
  private entityFindings(item: Item, provisions: readonly Provision[]): string[] {
    const conditionTerms = this.conditionTerms(provisions.flatMap((p) => p.condition));
    const channels = provisions.flatMap((p) => p.channel);
    const out: string[] = [];
    for (const term of item.terms) {
      if (channels.includes(term) || this.covers(conditionTerms, term)) continue;
      const slots = SLOTS.filter((s) => this.covers(provisions.flatMap((p) => p[s]), term));
      if (slots.length === 0) {
        out.push(`names ${term}, which no term of ${provisions.map((p) => p.iri).join(', ')} covers`);
        continue;
      }
      if (item.family !== 'conflict') continue;
      // A conflict item names what both rules cover: in the slot the term fills, every rule that has terms there covers it.
      const outside = provisions.filter((p) => slots.every((s) => p[s].length > 0 && !this.covers(p[s], term)));
      if (outside.length > 0) out.push(`names ${term}, outside what both colliding rules cover (not within ${outside.map((p) => p.iri).join(', ')})`);
    }
    return out;
  }

  private behaviourFindings(item: Item, provisions: readonly Provision[]): string[] {
    const kinds = new Set(item.expectations.map((e) => e.kind));
    const out: string[] = [];
    const decider = item.decidedBy ? this.context.provision.get(item.decidedBy) : undefined;
    if (decider?.kind === 'Prohibition' && REQUESTS.has(item.family)) {
      // MustHelp follows from a prohibition only where the rule itself asks to inform (route the user elsewhere, explain).
      if (kinds.has('MustHelp') && !decider.behaviour.includes('Inform')) out.push(`expects MustHelp, but the deciding rule ${decider.iri} prohibits what the user asks for`);
      if (decider.behaviour.includes('Refuse') && !kinds.has('MustRefuse')) out.push(`lacks MustRefuse, which the deciding rule ${decider.iri} asks for`);
    }
    // Help on a narrower action than the deciding rule's own, where that rule allows or requires: no other rule may forbid it.
    if (kinds.has('MustHelp') && STAGED.has(item.family) && item.family !== 'instruction-qa' && decider?.kind !== 'Prohibition') {
      const own = new Set(provisions.map((p) => p.iri));
      for (const term of item.terms) {
        // Only a term drawn narrower than the rules' own actions: a rule's own action is the rule's to decide.
        const bases = provisions.flatMap((p) => p.action).filter((a) => this.hierarchy.isUnder(term, a));
        if (bases.length === 0 || bases.includes(term)) continue;
        const forbids = this.prohibitions.find((p) => !own.has(p.iri) && this.covers(p.action, term) && !bases.some((b) => this.covers(p.action, b)));
        if (forbids) out.push(`expects MustHelp on ${term}, which ${forbids.iri} prohibits and the item does not derive from`);
      }
    }
    return out;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The findings as lines: item, template, kind and what is wrong. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.item} (${f.template}) ${f.kind}: ${f.detail}`).join('\n');
}
