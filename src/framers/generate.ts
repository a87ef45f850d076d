/**
 * The framer: walks a policy's context rule by rule and fills the templates
 * of each family, yielding items in a fixed order (rules in IRI order, then
 * exceptions, combinations, conflicts, definitions, sections, and a sweep
 * for the terms nothing named yet). Same context, templates and seed, same
 * items: every choice is a hash of the seed, the template and the rule.
 */

import { STUDIO } from '../vocabulary.js';
import { conditionFact, mergeThresholds, thresholdsExclude, type FactMode } from './condition-facts.js';
import { joinClauses } from './clauses.js';
import { actPhrase } from './term-forms.js';
import { deriveExpectations, expectationFlags, mergeExpectations, type Expectation, type ExpectationSource, type SectionRef, type TermRef } from './expectations.js';
import { Hierarchy, hashIndex, sha256 } from './hierarchy.js';
import { activityIri, itemIri, type Item } from './item.js';
import { partiesOf, type Parties } from './parties.js';
import { assistantNames, doerOne, resolveSpoken, sayOneself, spoken, userNames, Voice, type DoerHints } from './voice.js';
import { RULE_KINDS, localName, type PolicyContext, type Provision } from './policy-context.js';
import { appliesTo, chooseVariant, expectsOf, render, type Message, type Template, type TemplateFacts, type TemplateLibrary, type VariantKey } from './templates.js';
import type { ExpectationToken } from './expectations.js';
import { sourceName } from '../conflicts/precedence.js';
import { generatorCode } from './generator-code.js';

/** The sources a chain-of-command item can stage, in the order one is chosen when both rules of a pair are instructed. */
const STAGED_SOURCES = ['ToolSource', 'DeveloperSource', 'UserSource'] as const;
const DEVELOPER = `${STUDIO}DeveloperSource`;
const USER = `${STUDIO}UserSource`;
const PLATFORM = `${STUDIO}PlatformSource`;

/** The template families, in the order generation runs them. */
export const FAMILIES = [
  'instruction-qa',
  'is-it-allowed',
  'scenario-compliant',
  'scenario-noncompliant',
  'scenario-ambiguous',
  'redteam',
  'exception-boundary',
  'combined',
  'conflict',
  'chain-of-command',
  'definition',
  'term-hierarchy',
  'section-summary',
] as const;
export type Family = (typeof FAMILIES)[number];

/** Families whose templates run once per rule. */
const PER_RULE: readonly Family[] = ['instruction-qa', 'is-it-allowed', 'scenario-compliant', 'scenario-noncompliant', 'scenario-ambiguous', 'redteam'];
/** Families that draw narrower terms from the hierarchies (instructions speak in the rule's own terms). */
const DESCENDING: ReadonlySet<string> = new Set(['is-it-allowed', 'scenario-compliant', 'scenario-noncompliant', 'scenario-ambiguous', 'redteam', 'exception-boundary', 'combined', 'conflict']);

export interface GenerateOptions {
  readonly seed: number;
  /** Only these families (default: all). */
  readonly families?: readonly string[];
  /** Called as rules are walked: (rules done, rules in all). */
  readonly progress?: (done: number, total: number) => void;
  /**
   * Selective regeneration (`studio generate --changed`): asked for each item
   * before it is rendered, with what identifies it and what it rests on; the
   * texts returned are used as they are instead of rendering the item again.
   * Everything else of the item is computed as always.
   */
  readonly reuse?: (item: ReuseCandidate) => KeptTexts | undefined;
  /**
   * Selective regeneration's splice: the earlier run's items of a rule's own
   * block (its items of the per-rule families), taken in order instead of
   * built. Taken only while every splice key (Framer.spliceKeys) is the one
   * the earlier run recorded, and only for the rules `block` gives them for.
   */
  readonly splice?: Splice;
}

/**
 * What makes a rule's own items other than the rule itself: the seed, the
 * families, the templates, the generator code, the terms (hierarchy, labels,
 * forms), the actions prohibitions forbid (a permission's narrower action
 * is never one of them), the conditions (a rule's facts may say a member of
 * a compound one, or the rate another sets), the sections, the detected
 * conflicts and the rules they overrule, the policy's title and its
 * deployment contexts. Each a digest; while all are the earlier run's, a
 * rule whose own fields, terms, section, conditions and exceptions are
 * unchanged (selective.ts: not affected) has the same items.
 */
export const SPLICE_KEYS = ['seed', 'families', 'templates', 'generator', 'terms', 'prohibited', 'conditions', 'sections', 'conflicts', 'overruled', 'deployment'] as const;
export type SpliceKeys = Readonly<Record<(typeof SPLICE_KEYS)[number], string>>;

/** The earlier run's items, for the framer to splice (selective.ts). */
export interface Splice {
  /** The splice keys the earlier run recorded. */
  readonly keys: SpliceKeys;
  /** A rule's own block of items as the earlier run made them, in order; undefined when it must be built (the rule is affected, or an item is not at hand). */
  readonly block: (rule: string) => readonly SplicedItem[] | undefined;
  /** A spliced item's turns, reference answer and expectations, read when first asked: most are never read (their lines are copied as bytes). */
  readonly read: (item: string) => { readonly messages: readonly Message[]; readonly reference: string; readonly expectations: readonly Expectation[] };
  /** A spliced item's rejected answer, if it has one, read when first asked. */
  readonly rejected: (item: string) => string | undefined;
  /** Whether a spliced item has a rejected answer, without reading it (the earlier run wrote a preference pair of it). */
  readonly paired: (item: string) => boolean;
}

/** An earlier item of a rule's own block: what the rule and its template do not say, but its texts (Splice.read). */
export interface SplicedItem {
  readonly iri: string;
  readonly template: Template;
  readonly terms: readonly string[];
}

/** A rule's own block of items in a run: how many items, in the run's order. */
export type RuleBlock = readonly [rule: string, items: number];

/** Whether a run spliced, and what kept it from splicing when it did not. */
export interface SpliceOutcome {
  /** Rules whose items were taken from the earlier run. */
  readonly rules: number;
  /** The splice keys that differ from the earlier run's (none when it spliced). */
  readonly differs: readonly string[];
}

/** An item about to be rendered, as selective regeneration judges it. */
export interface ReuseCandidate {
  readonly iri: string;
  readonly template: Template;
  readonly derivedFrom: readonly string[];
  readonly terms: readonly string[];
  readonly sections: readonly SectionRef[];
  readonly conflict?: string;
}

/** The rendered texts of an item as an earlier run stored them. */
export interface KeptTexts {
  readonly messages: readonly Message[];
  readonly reference: string;
  readonly rejected?: string;
}

const PRINCIPLES: Record<string, string> = {
  ExplicitOverride: 'one provision expressly overrides the other',
  LexSuperior: 'the provision of higher authority prevails (lex superior)',
  LexSpecialis: 'the more specific provision prevails (lex specialis)',
  LexPosterior: 'the later provision prevails (lex posterior)',
};

/**
 * How an answer says why a conflict is resolved. Lex superior between rules an instruction triggers is the
 * chain of command, which decides by more than rank (a hard limit holds, a default gives way to a source
 * allowed to override it): "higher authority" would be wrong where a user's request beats a developer's default.
 */
function principlePhrase(principle: string, winner: Provision, loser: Provision): string {
  if (principle === 'LexSuperior' && (winner.instructedBy.length > 0 || loser.instructedBy.length > 0)) {
    return 'the chain of command decides between the platform, the developer and the user (lex superior)';
  }
  return PRINCIPLES[principle] ?? principle;
}

/** Entities chosen for one item: the rule's own term and the one the text names, per slot. */
interface Picks {
  bearer?: string;
  bearerRule?: string;
  action?: string;
  actionRule?: string;
  target?: string;
  targetRule?: string;
  counterparty?: string;
  counterpartyRule?: string;
}

/** Generates the items of one policy; iterate generate() once. */
export class Framer {
  private readonly hierarchy: Hierarchy;
  private readonly families: ReadonlySet<string>;
  private readonly seen = new Set<string>();
  private readonly usedTerms = new Set<string>();
  /** Each template's generation activity: one per template in a run, so hashed once. */
  private readonly activities = new Map<Template, string>();
  private exceptionsByRule: Map<string, { label: string; text: string }[]> | undefined;
  /** During the coverage sweep: the term every pick that can name it must name. */
  private forced: string | undefined;

  constructor(
    private readonly context: PolicyContext,
    private readonly library: TemplateLibrary,
    private readonly options: GenerateOptions,
  ) {
    this.hierarchy = new Hierarchy(context);
    this.families = new Set(options.families ?? FAMILIES);
  }

  /** Every item, in a fixed order, each IRI once. */
  *generate(): Generator<Item> {
    for (const part of this.parts()) {
      if (part instanceof KeptBlock) yield* part.items();
      else yield part;
    }
  }

  /**
   * The items of generate(), but a rule's block spliced whole (Splice) as
   * one KeptBlock rather than an item each: what selective regeneration
   * copies as it is, without making its items.
   */
  *parts(): Generator<GeneratedPart> {
    const rules = this.context.provisions.filter((p) => RULE_KINDS.includes(p.kind));
    const progress = this.options.progress;
    const splice = this.spliceAccepted();
    for (const [index, rule] of rules.entries()) {
      if (progress && index % 256 === 0) progress(index, rules.length);
      let count = 0;
      const spliced = splice?.block(rule.iri);
      if (spliced) {
        this.splicedRules++;
        const block = new KeptBlock(splice!, spliced, rule, spliced.map((earlier) => this.activityOf(earlier.template)), this.context.policy.policy, this.options.seed);
        if (spliced.every((earlier) => !this.seen.has(earlier.iri))) {
          for (const earlier of spliced) {
            this.seen.add(earlier.iri);
            for (const term of earlier.terms) this.usedTerms.add(term);
          }
          count = spliced.length;
          if (count > 0) yield block;
        } else {
          for (const made of block.items()) { const item = this.accept(made); if (item) { count++; yield item; } }
        }
        this.blocks.push([rule.iri, count]);
        continue;
      }
      for (const family of PER_RULE) {
        if (!this.families.has(family)) continue;
        for (const template of this.library.family(family)) {
          if (appliesTo(template, rule.kind)) { const item = this.accept(this.ruleItem(template, rule)); if (item) { count++; yield item; } }
        }
      }
      this.blocks.push([rule.iri, count]);
    }
    if (this.families.has('exception-boundary')) {
      for (const exception of this.context.provisions.filter((p) => p.kind === 'Exception')) {
        // One boundary pair per base: an exception that lifts two prohibitions is tested against each of them.
        const bases = exception.exceptionTo.map((iri) => this.context.provision.get(iri)).filter((p): p is Provision => p !== undefined && this.rootRule(p) !== undefined);
        for (const base of bases) {
          for (const template of this.library.family('exception-boundary')) { const item = this.accept(this.boundaryItem(template, exception, base, bases.length > 1)); if (item) yield item; }
        }
      }
    }
    if (this.families.has('combined')) {
      for (const rule of rules) {
        for (const other of rule.refersTo.map((iri) => this.context.provision.get(iri)).filter((p): p is Provision => !!p && RULE_KINDS.includes(p.kind) && p.iri !== rule.iri)) {
          for (const template of this.library.family('combined')) {
            if (appliesTo(template, rule.kind)) { const item = this.accept(this.combinedItem(template, rule, other)); if (item) yield item; }
          }
        }
      }
    }
    if (this.families.has('conflict')) {
      for (const conflict of this.context.conflicts) {
        const [first, second] = conflict.rules.map((iri) => this.context.provision.get(iri));
        if (!first || !second) continue;
        const resolved = conflict.winner !== undefined && conflict.loser !== undefined;
        for (const template of this.library.family('conflict')) {
          if ((template.label === 'Ambiguous') === resolved) continue; // resolved conflicts teach the winner; unresolved ones ask
          const winner = resolved ? this.context.provision.get(conflict.winner!) : first;
          const loser = resolved ? this.context.provision.get(conflict.loser!) : second;
          if (winner && loser) { const item = this.accept(this.conflictItem(template, conflict.iri, conflict.principle, winner, loser)); if (item) yield item; }
        }
      }
    }
    if (this.families.has('chain-of-command')) {
      // A resolved conflict in which an instruction takes part: the instruction is staged as its source gives
      // it (a developer's system turn, a user's message, content the user quotes), and the answer follows the
      // party the chain of command puts first.
      for (const conflict of this.context.conflicts) {
        if (conflict.winner === undefined || conflict.loser === undefined) continue;
        const winner = this.context.provision.get(conflict.winner);
        const loser = this.context.provision.get(conflict.loser);
        if (!winner || !loser) continue;
        const source = STAGED_SOURCES.find((s) => [winner, loser].some((p) => p.instructedBy.includes(`${STUDIO}${s}`)));
        if (!source) continue;
        for (const template of this.library.family('chain-of-command')) {
          if (template.source === source) { const item = this.accept(this.chainItem(template, conflict.iri, winner, loser, source)); if (item) yield item; }
        }
      }
    }
    if (this.families.has('definition')) {
      for (const definition of this.context.provisions.filter((p) => p.kind === 'Definition')) {
        for (const template of this.library.family('definition')) { const item = this.accept(this.definitionItem(template, definition)); if (item) yield item; }
      }
    }
    if (this.families.has('term-hierarchy')) {
      const rulesOf = new Map<string, Provision[]>();
      for (const rule of rules) {
        for (const term of new Set([...rule.bearer, ...rule.action, ...rule.target, ...rule.counterparty, ...rule.channel])) {
          const list = rulesOf.get(term) ?? [];
          if (list.length < 3) list.push(rule);
          rulesOf.set(term, list);
        }
      }
      for (const term of [...this.context.terms.values()]) {
        const broader = [...term.broader].sort().find((b) => this.context.terms.has(b));
        if (!broader) continue;
        // The provisions that name the term, a broader one, or a narrower one: what the hierarchy link changes.
        const related = [term.iri, ...[...this.hierarchy.ancestors(term.iri)].sort(), ...this.hierarchy.descendants(term.iri).slice(1)].flatMap((t) => rulesOf.get(t) ?? []);
        const provisions = [...new Map(related.map((r) => [r.iri, r])).values()].slice(0, 3);
        if (provisions.length === 0) continue;
        for (const template of this.library.family('term-hierarchy')) { const item = this.accept(this.termItem(template, term.iri, broader, provisions)); if (item) yield item; }
      }
    }
    if (this.families.has('section-summary')) {
      const bySection = new Map<string, Provision[]>();
      for (const p of this.context.provisions) {
        if (p.section && p.kind !== 'Definition') bySection.set(p.section.iri, [...(bySection.get(p.section.iri) ?? []), p]);
      }
      for (const [section, provisions] of [...bySection].sort(([a], [b]) => (a < b ? -1 : 1))) {
        for (const template of this.library.family('section-summary')) { const item = this.accept(this.sectionItem(template, section, provisions)); if (item) yield item; }
      }
    }
    if (this.families.has('scenario-noncompliant')) yield* this.sweep(rules);
    progress?.(rules.length, rules.length);
  }

  /** The terms the items generated so far name. */
  termsUsed(): ReadonlySet<string> {
    return this.usedTerms;
  }

  /** Each rule's own block of items, in order, once generate() has gone through the rules: what a later run splices (SplicedItem). */
  ruleBlocks(): readonly RuleBlock[] {
    return this.blocks;
  }
  private readonly blocks: RuleBlock[] = [];

  /** The digests a splice holds under (SPLICE_KEYS): what a rule's own items depend on besides the rule. */
  spliceKeys(): SpliceKeys {
    if (this.keys) return this.keys;
    const { context, library } = this;
    const digest = (value: unknown) => sha256(JSON.stringify(value)).slice(0, 32);
    this.keys = {
      seed: String(this.options.seed),
      families: digest(FAMILIES.filter((f) => this.families.has(f))),
      templates: digest(library.all().map((t) => [t.id, t.version, t.contentHash])),
      generator: generatorCode().slice(0, 32),
      terms: digest([...context.terms.values()]),
      prohibited: digest([...new Set(context.provisions.filter((p) => p.kind === 'Prohibition').flatMap((p) => p.action))].sort()),
      conditions: digest([...context.conditions.values()]),
      sections: digest([...context.sections.values()]),
      conflicts: digest(context.conflicts),
      overruled: digest([...this.overruled()].sort()),
      deployment: digest([context.policy.title ?? null, context.audiences, context.personas]),
    };
    return this.keys;
  }
  private keys: SpliceKeys | undefined;

  /** With a splice: how many rules' items it took, or which keys kept it from taking any; undefined without one. */
  spliceOutcome(): SpliceOutcome | undefined {
    if (!this.options.splice) return undefined;
    return { rules: this.splicedRules, differs: this.spliceDiffers ?? [] };
  }
  private splicedRules = 0;
  private spliceDiffers: readonly string[] | undefined;

  /** The splice given, if every key is the earlier run's. */
  private spliceAccepted(): Splice | undefined {
    const splice = this.options.splice;
    if (!splice) return undefined;
    const keys = this.spliceKeys();
    this.spliceDiffers = SPLICE_KEYS.filter((k) => splice.keys[k] !== keys[k]);
    return this.spliceDiffers.length === 0 ? splice : undefined;
  }

  /** The item, if it is new (its IRI not yet given); a plain call, since a generator per item cost more than a check. */
  private accept(item: Item | undefined): Item | undefined {
    if (!item || this.seen.has(item.iri)) return undefined;
    this.seen.add(item.iri);
    for (const term of item.terms) this.usedTerms.add(term);
    return item;
  }

  /**
   * Coverage sweep: for each term no item names yet, one more non-compliant
   * scenario of the first rule (in IRI order) whose bearer, action, target,
   * counterparty, jurisdiction or period is that term or broader.
   */
  private *sweep(rules: readonly Provision[]): Generator<Item> {
    const firstRuleOf = new Map<string, Provision>();
    for (const rule of rules) {
      const bases = [...rule.bearer, ...rule.action, ...rule.target, ...rule.counterparty];
      for (const c of rule.condition) {
        const condition = this.context.conditions.get(c);
        if (condition?.jurisdiction) bases.push(condition.jurisdiction);
        if (condition?.period) bases.push(condition.period);
      }
      for (const base of bases) if (!firstRuleOf.has(base)) firstRuleOf.set(base, rule);
    }
    const templates = this.library.family('scenario-noncompliant');
    for (const term of [...this.context.terms.keys()].sort()) {
      if (this.usedTerms.has(term)) continue;
      const rule = [term, ...[...this.hierarchy.ancestors(term)].sort()].map((t) => firstRuleOf.get(t)).find((r) => r !== undefined);
      const template = rule && templates.find((t) => appliesTo(t, rule.kind));
      if (!rule || !template) continue;
      this.forced = term;
      try {
        { const item = this.accept(this.ruleItem(template, rule)); if (item) yield item; }
      } finally {
        this.forced = undefined;
      }
    }
  }

  private pick(base: string, key: string): string {
    if (this.forced && this.hierarchy.isUnder(this.forced, base)) return this.forced;
    return this.hierarchy.pick(base, key);
  }

  /** The actions some prohibition of the policy forbids. */
  private prohibitedActions: readonly string[] | undefined;

  /**
   * A narrower action for a rule that allows or requires its action: never
   * one that another rule prohibits (a permission to write fiction does not
   * make writing what a prohibition forbids fine), unless the rule's own
   * action lies within that prohibition already.
   */
  private pickAction(permissive: boolean, base: string, key: string): string {
    if (!permissive) return this.pick(base, key);
    // Which narrower actions are allowed depends on the base alone: worked out once per base, not per item.
    let kept = this.permittedActions.get(base);
    if (!kept) {
      this.prohibitedActions ??= [...new Set(this.context.provisions.filter((p) => p.kind === 'Prohibition').flatMap((p) => p.action))];
      const outside = this.prohibitedActions.filter((p) => !this.hierarchy.isUnder(base, p));
      const candidates = this.hierarchy.descendants(base);
      kept = outside.length === 0 ? candidates : candidates.filter((t) => t === base || !outside.some((p) => this.hierarchy.isUnder(t, p)));
      this.permittedActions.set(base, kept);
    }
    if (this.forced && this.hierarchy.isUnder(this.forced, base) && kept.includes(this.forced)) return this.forced;
    return kept.length === 1 ? kept[0]! : kept[hashIndex(key, kept.length)]!;
  }
  /** Per base action: it and the narrower actions no other rule prohibits. */
  private readonly permittedActions = new Map<string, readonly string[]>();

  /** `permissive`: the item's answer may allow the act (a permission, an obligation, an exception's inside), so no narrower action another rule prohibits. */
  private choosePicks(rule: Provision, template: Template, key: string, permissive = rule.kind !== 'Prohibition'): Picks {
    const descend = DESCENDING.has(template.family);
    const choose = (list: readonly string[], slot: string): [string | undefined, string | undefined] => {
      if (list.length === 0) return [undefined, undefined];
      // With several values (a rule naming three counterparties), the forced term's ancestor, or a seeded one.
      const base = (this.forced && list.find((b) => this.hierarchy.isUnder(this.forced!, b))) || list[hashIndex(`${key} ${slot} base`, list.length)]!;
      if (!descend) return [base, base];
      return [base, slot === 'action' ? this.pickAction(permissive, base, `${key} ${slot}`) : this.pick(base, `${key} ${slot}`)];
    };
    const [bearerRule, bearer] = choose(rule.bearer, 'bearer');
    const [actionRule, action] = choose(rule.action, 'action');
    const [targetRule, target] = choose(rule.target, 'target');
    const [counterpartyRule, counterparty] = choose(rule.counterparty, 'counterparty');
    return { bearer, bearerRule, action, actionRule, target, targetRule, counterparty, counterpartyRule };
  }

  private ref(term: string | undefined): TermRef | null {
    if (!term) return null;
    const forms = this.context.terms.get(term)?.forms;
    return { iri: term, label: this.hierarchy.label(term), ...(forms ? { forms } : {}) };
  }

  /** A term as templates say it: its label and forms, its kind (a name takes no article), and the rule's own term it narrows, if any. */
  private termVar(term: string | undefined, ruleTerm?: string): (TermRef & { type?: string; kindOf?: string; kinds?: readonly string[] }) | null {
    if (!term) return null;
    // Built once per (term, rule's term): templates only read them.
    const key = ruleTerm && ruleTerm !== term ? `${term} ${ruleTerm}` : term;
    let found = this.termVars.get(key);
    if (!found) {
      const ref = this.ref(term)!;
      const type = this.context.terms.get(term)?.type;
      const kinds = this.kindsOf(term);
      found = { ...ref, ...(type ? { type } : {}), ...(ruleTerm && ruleTerm !== term ? { kindOf: this.hierarchy.label(ruleTerm) } : {}), ...(kinds.length > 0 ? { kinds } : {}) };
      this.termVars.set(key, found);
    }
    return found;
  }
  private readonly termVars = new Map<string, TermRef & { type?: string; kindOf?: string; kinds?: readonly string[] }>();

  /**
   * What a term is a kind of, as an act may name it: its own IRI's name when that differs from its label
   * (lum:Credential, labelled "password, key or token": "credential"), then its broader terms' labels.
   */
  private kindsOf(term: string): readonly string[] {
    let kinds = this.kinds.get(term);
    if (!kinds) {
      // (An action's own name is no kind of it: only its broader actions are.)
      const name = this.context.terms.get(term)?.type === 'Action' ? '' : localName(term).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      const label = this.hierarchy.label(term);
      kinds = [...new Set([...(/^[a-z][a-z ]*$/.test(name) && name !== label.toLowerCase() ? [name] : []), ...[...this.hierarchy.ancestors(term)].map((t) => this.hierarchy.label(t))])];
      this.kinds.set(term, kinds);
    }
    return kinds;
  }
  private readonly kinds = new Map<string, readonly string[]>();

  /** A channel as expectations name it: with its other names, so that graders accept any of them. */
  private channelRef(channel: string): TermRef {
    const altNames = this.context.terms.get(channel)?.altNames;
    return { ...this.ref(channel)!, ...(altNames && altNames.length > 0 ? { altNames } : {}) };
  }

  /** The rule's conditions stated as facts: all holding, or the first failing or unknown and the rest holding; or all as the rule states them. */
  private facts(provision: Provision, mode: TemplateFacts, key: string, extra: readonly string[] = []): { text: string | null; terms: string[] } {
    const listed = [...provision.condition, ...extra].map((c) => this.context.conditions.get(c)).filter((c) => c !== undefined);
    // All holding: one value for each quantity, within every threshold on it.
    const conditions = mode === 'holds' ? mergeThresholds(listed) : listed;
    if (conditions.length === 0) return { text: null, terms: [] };
    const facts = conditions.map((c, i) => conditionFact(c, i === 0 || mode === 'stated' ? mode : 'holds', this.hierarchyForFacts(), `${key} ${i}`, this.context.conditions));
    return { text: joinClauses(facts.map((f) => f.text)), terms: facts.flatMap((f) => f.terms) };
  }

  /** The hierarchy as condition facts see it: with the sweep's forced term, if any. */
  private hierarchyForFacts(): Hierarchy {
    if (!this.forced) return this.hierarchy;
    const forced = this.forced;
    const base = this.hierarchy;
    return Object.assign(Object.create(base) as Hierarchy, {
      pick: (term: string, key: string) => (base.isUnder(forced, term) ? forced : base.pick(term, key)),
    });
  }

  /**
   * The expectations of a provision that decides an act the user may, or must, do: a warning it calls for
   * ("must warn about scams", an exception's "with a warning about the cost of borrowing") is what its text
   * says, not a warning that the user goes against the policy (MustWarn). What forbids the act keeps it: a
   * prohibition, a provision that refuses, and an exception to an exception to a prohibition (the act is
   * forbidden again: "the allowance does not apply during a tender").
   */
  private permittedSource(provision: Provision, picks: Picks): ExpectationSource {
    const source = this.expectationSource(provision, picks);
    if (provision.kind === 'Prohibition' || source.behaviours.includes('Refuse') || this.forbidsAgain(provision)) return source;
    return { ...source, behaviours: source.behaviours.filter((b) => b !== 'Warn') };
  }

  /** An exception an even number of steps from a prohibition: it takes back the exception it is to. */
  private forbidsAgain(provision: Provision): boolean {
    let current: Provision | undefined = provision;
    let steps = 0;
    for (; current && current.kind === 'Exception' && steps < 16; steps++) {
      current = current.exceptionTo.map((iri) => this.context.provision.get(iri)).find((p) => p !== undefined && p.kind !== 'Definition');
    }
    return current?.kind === 'Prohibition' && steps > 0 && steps % 2 === 0;
  }

  private expectationSource(provision: Provision, picks: Picks): ExpectationSource {
    const target = picks.target;
    const protects = provision.kind === 'Prohibition' && target !== undefined && this.hierarchy.isUnder(target, `${STUDIO}Information`);
    return {
      behaviours: provision.behaviour,
      channels: provision.channel.map((c) => this.channelRef(c)),
      ...(provision.section ? { section: provision.section } : {}),
      protectedAssets: protects ? [this.ref(target)!] : [],
      ...(provision.kind === 'Recommendation' ? { advice: true } : {}),
    };
  }

  /** `staged`: the user takes part in the situation (instructions ask about the rule from outside, so a counterparty stays one). */
  private ruleVars(rule: Provision, picks: Picks, key: string, staged = true): Record<string, unknown> {
    const party = partiesOf(this.context, this.hierarchy, picks.bearer, staged ? picks.counterparty : undefined, key);
    return {
      party,
      policy: { title: this.context.policy.title ?? localName(this.context.policy.policy) },
      rule: { iri: rule.iri, label: rule.label, text: rule.text, kind: rule.kind },
      section: sectionVar(rule.section),
      bearer: this.termVar(picks.bearer),
      bearerRule: this.termVar(picks.bearerRule),
      bearerNarrower: picks.bearer !== picks.bearerRule,
      // The part of a two-part request a warning is about (combined items), none otherwise.
      forbiddenPart: null,
      action: this.termVar(picks.action, picks.actionRule),
      actionRule: this.termVar(picks.actionRule),
      target: this.termVar(picks.target, picks.targetRule),
      targetRule: this.termVar(picks.targetRule),
      counterparty: this.termVar(picks.counterparty),
      counterpartyRule: this.termVar(picks.counterpartyRule),
      // "disparage a competitor in dealings with a competitor": an act that names its counterparty says it once.
      counterpartyInAct: this.actNamesCounterparty(picks),
      // The counterparty as someone other than the user (a user who is the counterparty is not "the other side").
      otherSide: party.counterpartySpeaks ? null : this.termVar(picks.counterparty),
      channel: this.ref(rule.channel[0]),
      exceptions: this.exceptionsOf(rule),
    };
  }

  /** Whether the picked act's words name the counterparty, or one of its alternatives ("a distributor" of "distributor or sales agent"). */
  private actNamesCounterparty(picks: Picks): boolean {
    if (!picks.action || !picks.counterparty) return false;
    const act = ` ${[picks.action, picks.target].filter((t): t is string => t !== undefined).map((t) => this.hierarchy.label(t)).join(' ').toLowerCase()} `;
    const parties = [picks.counterparty, picks.counterpartyRule].filter((t): t is string => t !== undefined).map((t) => this.hierarchy.label(t).toLowerCase());
    return parties.flatMap((label) => label.split(/\s+or\s+/)).some((name) => name.length > 2 && act.includes(` ${name.replace(/^(an?|the) /, '')} `));
  }

  private exceptionsOf(rule: Provision): readonly { label: string; text: string }[] {
    if (!this.exceptionsByRule) {
      // Built once: scanning every provision per item made generation quadratic in the rules.
      this.exceptionsByRule = new Map();
      for (const p of this.context.provisions) {
        if (p.kind !== 'Exception') continue;
        for (const base of p.exceptionTo) this.exceptionsByRule.set(base, [...(this.exceptionsByRule.get(base) ?? []), { label: p.label, text: p.text }]);
      }
    }
    return this.exceptionsByRule.get(rule.iri) ?? [];
  }

  private termsOf(picks: Picks, rule: Provision, factTerms: readonly string[]): string[] {
    const terms = [picks.bearer, picks.action, picks.target, picks.counterparty, ...rule.channel, ...factTerms].filter((t): t is string => t !== undefined);
    return [...new Set(terms)];
  }

  /** `vars`: the item's own template variables, a new object per item (rendering adds to it). */
  private build(
    template: Template,
    kind: string,
    key: string,
    vars: Record<string, unknown>,
    expect: (tokens: readonly ExpectationToken[]) => Expectation[],
    fields: { derivedFrom: string[]; terms: string[]; sections: SectionRef[]; behaviours: string[]; conflict?: string; decidedBy?: string; follows?: string },
  ): Item {
    const variant = chooseVariant(template, kind, hashIndex(`${key} variant`, 1_000_003));
    const expectations = expect(expectsOf(template, variant));
    const seed = this.options.seed;
    const iri = itemIri(template, fields.derivedFrom, fields.terms, seed, fields.conflict ?? '');
    const kept = this.options.reuse?.({ iri, template, derivedFrom: fields.derivedFrom, terms: fields.terms, sections: fields.sections, ...(fields.conflict ? { conflict: fields.conflict } : {}) });
    const { messages, reference, rejected } = kept ?? this.renderTexts(template, variant, key, vars, expectations);
    // Every item has the same keys, in the same order, unset ones undefined (which JSON leaves out, as it left out
    // the missing keys before): the code that reads items then sees one shape of item.
    return {
      iri,
      type: template.type,
      family: template.family,
      template,
      activity: this.activityOf(template),
      label: template.label || undefined,
      attack: template.attack || undefined,
      boundary: template.boundary || undefined,
      messages,
      reference,
      rejected: rejected || undefined,
      expectations,
      behaviours: fields.behaviours,
      derivedFrom: fields.derivedFrom,
      decidedBy: fields.decidedBy || undefined,
      conflict: fields.conflict || undefined,
      follows: fields.follows || undefined,
      terms: fields.terms,
      sections: fields.sections,
      policy: this.context.policy.policy,
      seed,
    };
  }

  /** An item's turns, reference answer and rejected answer: rendered, then each said in its speaker's voice. */
  private renderTexts(template: Template, variant: ReturnType<typeof chooseVariant>, key: string, vars: Record<string, unknown>, expectations: readonly Expectation[]): KeptTexts {
    // The reference answer names exactly what the checks look for: each section to cite, each channel, each withheld asset.
    // (Added to the item's own variables, which nothing reads after this: copying them cost more than the rest.)
    vars.phrasing = hashIndex(`${key} phrasing`, 1_000_003);
    vars.expects = expectationFlags(expectations);
    vars.expectedSections = expectations.filter((e) => e.section).map((e) => e.section);
    vars.expectedChannels = expectations.filter((e) => e.channel).map((e) => e.channel);
    vars.withheld = expectations.filter((e) => e.asset).map((e) => e.asset);
    const rendered = render(template, variant, vars);
    // Facts and acts are written in the policy's third person: each turn says them in its speaker's voice.
    const party = vars.party as Parties | undefined;
    const say = party && template.family !== 'instruction-qa' ? this.speakersOf(this.voiceOf(party)) : AS_WRITTEN;
    // "one" in an act ("one's own", "say one is unsure") is said for whoever does it (voice.ts sayOneself).
    const hints = this.doerHints(party !== undefined && !party.userActs);
    // The developer's instruction that puts the rule in force opens the conversation (ruleItem).
    if (vars.instruction && template.family !== 'chain-of-command') rendered.messages.unshift({ role: 'system', content: this.library.partial('developer-turn')(vars) });
    const messages = rendered.messages.map((m) => ({
      role: m.role,
      content: sayOneself((m.role === 'user' ? say.user : m.role === 'assistant' ? say.assistant : say.developer)(m.content), m.role === 'system' ? 'developer' : m.role, hints),
    }));
    const reference = sayOneself(say.assistant(rendered.reference), 'assistant', hints);
    const rejected = rendered.rejected ? sayOneself(say.assistant(rendered.rejected), 'assistant', hints) : undefined;
    return { messages, reference, ...(rejected ? { rejected } : {}) };
  }

  /** A turn's marked phrases said by each speaker in a voice: made once per voice, not per item. */
  private speakersOf(voice: Voice): Speakers {
    let speakers = this.speakers.get(voice);
    if (!speakers) {
      speakers = {
        user: (text) => resolveSpoken(text, (p) => voice.byUser(p)),
        assistant: (text) => resolveSpoken(text, (p) => voice.byAssistant(p)),
        developer: (text) => resolveSpoken(text, (p) => voice.byDeveloper(p)),
      };
      this.speakers.set(voice, speakers);
    }
    return speakers;
  }
  private readonly speakers = new Map<Voice, Speakers>();

  /** What sayOneself knows of the doer, with the assistant doing the item's act or not: made once per run. */
  private doerHints(assistantActs: boolean): DoerHints {
    let hints = this.hints.get(assistantActs);
    if (!hints) {
      const names = (this.assistantNames ??= assistantNames(this.context, this.hierarchy));
      if (this.doerOne === null) this.doerOne = doerOne([...this.context.terms.values()].filter((t) => t.type === 'Action').map((t) => t.label));
      hints = { assistantNames: names, ...(this.doerOne ? { one: this.doerOne } : {}), assistantActs };
      this.hints.set(assistantActs, hints);
    }
    return hints;
  }
  private readonly hints = new Map<boolean, DoerHints>();

  private readonly voices = new Map<string, Voice>();
  private assistantNames: readonly string[] | undefined;
  /** "one" as the doer of the policy's acts (voice.ts doerOne); null until worked out. */
  private doerOne: RegExp | undefined | null = null;
  private roleLabels: readonly string[] | undefined;

  /** How the parties of an item are said: one per role the user speaks as. */
  private voiceOf(party: Parties): Voice {
    const key = party.user?.iri ?? '';
    let voice = this.voices.get(key);
    if (!voice) {
      this.assistantNames ??= assistantNames(this.context, this.hierarchy);
      this.roleLabels ??= [...this.context.terms.values()].filter((t) => t.type === 'Role').map((t) => t.label);
      const mine = userNames(party.user?.iri, this.hierarchy);
      voice = new Voice(mine, this.assistantNames, this.roleLabels.filter((l) => !mine.includes(l)));
      this.voices.set(key, voice);
    }
    return voice;
  }

  private activityOf(template: Template): string {
    let activity = this.activities.get(template);
    if (activity === undefined) this.activities.set(template, (activity = activityIri(template, this.options.seed, this.context.policy.sha256)));
    return activity;
  }

  private ruleItem(template: Template, rule: Provision): Item | undefined {
    // A rule another overrides wherever it applies has no situation of its own: what decides there is the
    // winner, which the conflict's items teach. ("Is it OK for you to send my data where the e-mail says?"
    // answered "Yes" from a permission the platform's prohibition overrides would teach the opposite.)
    if (this.overruled().has(rule.iri)) return undefined;
    const situated = template.family !== 'instruction-qa';
    // A rule in force only when the developer, or content the assistant reads, instructs it: a situated item
    // stages the developer's instruction as the developer's system turn, and has no way to stage content's.
    const instructed = instructingSource(rule);
    if (situated && instructed !== undefined && instructed !== DEVELOPER) return undefined;
    const key = `${this.options.seed} ${template.id} ${rule.iri}`;
    const picks = this.choosePicks(rule, template, key);
    const facts = this.facts(rule, template.facts, key);
    const vars = this.ruleVars(rule, picks, key, situated);
    // An answer about the rule in general says who must have instructed it, with its conditions.
    vars.facts = said(!situated && instructed ? joinClauses([`${sourceName(instructed)} has instructed it`, ...(facts.text ? [facts.text] : [])], 'and') : facts.text);
    if (situated && instructed) vars.instruction = { says: this.instructionSays(rule.kind, picks) };
    const party = vars.party as Parties;
    // A phrasing that needs the user to be the bearer has nothing to say about a rule binding the assistant.
    if (!party.userActs && template.variants.get(rule.kind as VariantKey)?.every((v) => v.speaker === 'bearer')) return undefined;
    // A situation with a fact left open needs a fact the user can be unsure of: a condition, whether the other
    // side is the one the rule names, or (a person bearing the rule) whether a colleague's role is. Whether
    // someone "counts as" a mode of the assistant is not a question a user has, nor whether a colleague counts as a body
    // (an agency, a department) that bears the rule.
    if (template.facts === 'unknown' && !facts.text && !vars.otherSide && (!party.userActs || this.context.terms.get(picks.bearerRule ?? '')?.type !== 'Role')) return undefined;
    // Nor is a fact about the user themselves ("whether the customer asks for a person", said by that customer).
    if (template.facts === 'unknown' && facts.text && template.family !== 'instruction-qa' && this.voiceOf(party).namesUser(facts.text)) return undefined;
    const source = this.expectationSource(rule, picks);
    return this.build(template, rule.kind, key, vars, (tokens) => deriveExpectations(tokens, source), {
      derivedFrom: [rule.iri],
      decidedBy: rule.iri,
      terms: this.termsOf(picks, rule, facts.terms),
      sections: rule.section ? [rule.section] : [],
      behaviours: rule.behaviour,
    });
  }

  private rootRule(provision: Provision): Provision | undefined {
    let current: Provision | undefined = provision;
    for (let depth = 0; current && depth < 16; depth++) {
      if (RULE_KINDS.includes(current.kind)) return current;
      // An exception to an exception stands on its first base that leads to a rule (not a definition).
      current = current.exceptionTo.map((iri) => this.context.provision.get(iri)).find((p) => p !== undefined && p.kind !== 'Definition');
    }
    return undefined;
  }

  /** `several`: the exception has other bases too, so the key names this one (a single base keeps the key it always had). */
  private boundaryItem(template: Template, exception: Provision, base: Provision, several: boolean): Item | undefined {
    const root = this.rootRule(base);
    const [first, ...others] = exception.condition.map((c) => this.context.conditions.get(c)).filter((c) => c !== undefined);
    if (!root || !first) return undefined; // an exception without a condition has no boundary to stand on
    const key = several ? `${this.options.seed} ${template.id} ${exception.iri} ${base.iri}` : `${this.options.seed} ${template.id} ${exception.iri}`;
    const picks = this.choosePicks(root, template, key, true); // inside, the exception allows the act
    const side: FactMode = template.boundary === 'outside' ? 'outside' : 'inside';
    const hierarchy = this.hierarchyForFacts();
    const boundary = conditionFact(first, side, hierarchy, `${key} boundary`, this.context.conditions);
    const rest = [...others.map((c, i) => conditionFact(c, 'holds', hierarchy, `${key} other ${i}`, this.context.conditions))];
    const rootFacts = this.facts(root, 'holds', key);
    const decides = side === 'inside' ? exception : base;
    // Inside, the exception allows the act.
    const source = side === 'inside' ? this.permittedSource(decides, picks) : this.expectationSource(decides, picks);
    const vars = {
      ...this.ruleVars(root, picks, key),
      section: sectionVar(decides.section ?? root.section),
      facts: said(rootFacts.text),
      boundary: said(boundary.text),
      // Why the exception does (not) cover it: the failing member alone where a compound states them all.
      because: said(boundary.because ?? boundary.text),
      otherFacts: rest.length > 0 ? said(rest.map((f) => f.text).join('; ')) : null,
      exception: { label: exception.label, text: exception.text },
      base: { label: base.label, text: base.text },
    };
    const sections = [...new Map([decides.section, root.section].filter((s): s is SectionRef => !!s).map((s) => [s.iri, s])).values()];
    return this.build(template, root.kind, key, vars, (tokens) => deriveExpectations(tokens, source), {
      derivedFrom: [...new Set([exception.iri, base.iri, root.iri])],
      decidedBy: decides.iri,
      terms: [...new Set([...this.termsOf(picks, root, rootFacts.terms), ...boundary.terms, ...rest.flatMap((f) => f.terms)])],
      sections,
      behaviours: decides.behaviour,
    });
  }

  /**
   * Whether two sets of conditions cannot hold together: one states a circumstance or jurisdiction and the
   * other its negation ("with pre-clearance" and "without pre-clearance"), they name opposite audiences
   * (everyone inside, someone outside: "not internal" is external), or two places neither within the other
   * (the United States and the EEA). No situation has both.
   */
  private disjoint(first: readonly string[], second: readonly string[]): boolean {
    const said = (iri: string) => {
      const c = this.context.conditions.get(iri);
      if (!c || c.type === 'CompoundCondition') return undefined;
      if (c.audience) return { key: c.type, negated: (c.audience === `${STUDIO}Internal`) === c.negated };
      const subject = c.circumstance ?? c.jurisdiction;
      return subject ? { key: `${c.type} ${subject}`, negated: c.negated } : undefined;
    };
    // Two places neither of which lies within the other: one situation does not happen in both.
    const places = (list: readonly string[]) =>
      list.map((iri) => this.context.conditions.get(iri)).filter((c) => c?.type === 'JurisdictionCondition' && !c.negated && c.jurisdiction).map((c) => c!.jurisdiction!);
    // Two thresholds on one quantity that no value meets together ("more than 25,000" and "at most 25,000").
    const conditions = (list: readonly string[]) => list.map((iri) => this.context.conditions.get(iri)).filter((c) => c !== undefined);
    if (thresholdsExclude(conditions(first), conditions(second))) return true;
    const here = places(first);
    if (here.length > 0 && places(second).some((p) => here.some((h) => !this.hierarchy.isUnder(p, h) && !this.hierarchy.isUnder(h, p)))) return true;
    const seen = new Map<string, boolean>();
    for (const iri of first) {
      const s = said(iri);
      if (s) seen.set(s.key, s.negated);
    }
    return second.some((iri) => {
      const s = said(iri);
      return s !== undefined && seen.has(s.key) && seen.get(s.key) !== s.negated;
    });
  }

  /** Two rules that refer to each other, in one situation where both apply; none when their conditions exclude each other. */
  private combinedItem(template: Template, rule: Provision, other: Provision): Item | undefined {
    if (this.disjoint(rule.condition, other.condition)) return undefined;
    const key = `${this.options.seed} ${template.id} ${rule.iri} ${other.iri}`;
    const picks = this.choosePicks(rule, template, key);
    const otherPicks = this.choosePicks(other, template, `${key} other`);
    const facts = this.facts(rule, 'holds', key, other.condition.filter((c) => !rule.condition.includes(c)));
    // The user asks for both acts, which breaches only a prohibition.
    const sources = [this.permittedSource(rule, picks), this.permittedSource(other, otherPicks)];
    const forbids = sources.map((source) => source.behaviours.includes('Refuse') || source.behaviours.includes('Warn'));
    const sameAct = picks.action === otherPicks.action && picks.target === otherPicks.target;
    // Two acts, one of them to be refused: the right answer declines that part and helps with the other, which no
    // whole refusal says and the deterministic checks cannot tell from declining both (a refusal then help is
    // cantTell); no item. A part that takes only a warning is said as such (forbiddenPart).
    if (!sameAct && forbids[0] !== forbids[1] && sources[forbids[0] ? 0 : 1]!.behaviours.includes('Refuse')) return undefined;
    const expect = (tokens: readonly ExpectationToken[]) => mergeExpectations(sources.map((source) => deriveExpectations(tokens, source)));
    const vars = {
      ...this.ruleVars(rule, picks, key),
      facts: said(facts.text),
      other: { label: other.label, text: other.text, kind: other.kind, section: sectionVar(other.section), action: this.termVar(otherPicks.action), target: this.termVar(otherPicks.target, otherPicks.targetRule) },
      // The two texts one after the other, so that a refusal or warning comes before both, not between them.
      both: `${rule.text} ${other.text}`,
      // Both picks the same act (a term narrower than both rules' own): the user names it once.
      sameAct,
      // Two acts asked for and one of them forbidden (with a warning): the warning is about that part alone.
      forbiddenPart: sameAct || forbids[0] === forbids[1] ? null : forbids[0] ? 'the first part' : 'the second part',
    };
    return this.build(template, rule.kind, key, vars, expect, {
      derivedFrom: [rule.iri, other.iri],
      terms: [...new Set([...this.termsOf(picks, rule, facts.terms), ...this.termsOf(otherPicks, other, [])])],
      sections: uniqueSections([rule.section, other.section]),
      // The behaviours the expectations come from: a warning only where an act is forbidden.
      behaviours: [...new Set(sources.flatMap((source) => source.behaviours))],
    });
  }

  /**
   * The entities of a conflict item: in each slot a term both rules cover
   * (the narrower of a nested pair, or the one rule's term where the other
   * leaves the slot open). A term from one rule only could name something
   * the other rule does not touch, which a third rule may forbid; so when a
   * slot's terms do not nest, the pair stages no conflict and there is none.
   */
  private conflictPicks(winner: Provision, loser: Provision, key: string): Picks | undefined {
    const picks: Picks = {};
    for (const slot of ['bearer', 'action', 'target', 'counterparty'] as const) {
      const mine = winner[slot];
      const theirs = loser[slot];
      let shared: [string, string][]; // [the winner's term, the term both cover]
      if (mine.length === 0) shared = theirs.map((t) => [t, t]);
      else if (theirs.length === 0) shared = mine.map((t) => [t, t]);
      else shared = mine.flatMap((w) => theirs.flatMap((l) => this.hierarchy.meet(w, l).map((m): [string, string] => [w, m])));
      if (mine.length + theirs.length === 0) continue;
      if (shared.length === 0) return undefined;
      const [rule, term] = shared[hashIndex(`${key} ${slot}`, shared.length)]!;
      picks[slot] = term;
      picks[`${slot}Rule`] = rule;
    }
    return picks;
  }

  private conflictItem(template: Template, conflict: string, principle: string | undefined, winner: Provision, loser: Provision): Item | undefined {
    const key = `${this.options.seed} ${template.id} ${conflict}`;
    const picks = this.conflictPicks(winner, loser, key);
    if (!picks) return undefined;
    const facts = this.facts(winner, 'holds', key, loser.condition.filter((c) => !winner.condition.includes(c)));
    const resolved = template.label !== 'Ambiguous';
    // A winner that content must instruct cannot be staged here (the chain-of-command items quote it); one the
    // developer instructs is, as the developer's system turn, as is a developer's instruction the winner overrides:
    // without it the user's words alone would seem to set a permission in force.
    if (resolved && instructingSource(winner) !== undefined && instructingSource(winner) !== DEVELOPER) return undefined;
    const staged = [winner, loser].find((p) => instructingSource(p) === DEVELOPER);
    // Resolved: the winner decides the answer. Unresolved: the assistant must not pick a side, so both rules' checks apply.
    const sources = resolved ? [this.permittedSource(winner, picks)] : [this.expectationSource(winner, picks), this.expectationSource(loser, picks)];
    const expect = (tokens: readonly ExpectationToken[]) => mergeExpectations(sources.map((source) => deriveExpectations(tokens, source)));
    const side = (p: Provision) => ({ label: p.label, text: p.text, kind: p.kind, section: sectionVar(p.section) });
    const vars = {
      ...this.ruleVars(winner, picks, key),
      facts: said(facts.text),
      winner: side(winner),
      loser: side(loser),
      principle: principle ? principlePhrase(localName(principle), winner, loser) : null,
      ...(staged ? { instruction: { says: this.instructionSays(staged.kind, picks) } } : {}),
    };
    return this.build(template, winner.kind, key, vars, expect, {
      derivedFrom: [winner.iri, loser.iri],
      ...(resolved ? { decidedBy: winner.iri } : {}),
      terms: this.termsOf(picks, winner, facts.terms),
      sections: uniqueSections([winner.section, loser.section]),
      behaviours: [...new Set(sources.flatMap((source) => source.behaviours))],
      conflict,
    });
  }

  /**
   * A conflict staged as a conversation: the instructed rule of `source` speaks through its source (the
   * developer's system turn, the user, content the user quotes), the user asks for the act, and the
   * expectations are the winner's. `follows` names the party whose word decides: the winner's source, or
   * the platform when the winner is the spec's own rule.
   */
  private chainItem(template: Template, conflict: string, winner: Provision, loser: Provision, source: string): Item | undefined {
    const key = `${this.options.seed} ${template.id} ${conflict}`;
    const picks = this.conflictPicks(winner, loser, key);
    if (!picks) return undefined;
    const sourceIri = `${STUDIO}${source}`;
    const instruction = winner.instructedBy.includes(sourceIri) ? winner : loser;
    const follows = winner.instructedBy[0] ?? `${STUDIO}PlatformSource`;
    const facts = this.facts(winner, 'holds', key, loser.condition.filter((c) => !winner.condition.includes(c)));
    const decides = this.permittedSource(winner, picks);
    const expect = (tokens: readonly ExpectationToken[]) => deriveExpectations(tokens, decides);
    const side = (p: Provision) => ({ label: p.label, text: p.text, kind: p.kind, section: sectionVar(p.section) });
    const says = this.instructionSays(instruction.kind, picks);
    const vars = {
      ...this.ruleVars(winner, picks, key),
      facts: said(facts.text),
      winner: side(winner),
      loser: side(loser),
      instruction: { ...side(instruction), says, party: sourceName(sourceIri) },
      follows: { instruction: instruction === winner, party: sourceName(follows), user: follows === `${STUDIO}UserSource` },
    };
    return this.build(template, winner.kind, key, vars, expect, {
      derivedFrom: [winner.iri, loser.iri],
      decidedBy: winner.iri,
      terms: this.termsOf(picks, winner, facts.terms),
      sections: uniqueSections([winner.section, loser.section]),
      behaviours: [...decides.behaviours],
      conflict,
      follows,
    });
  }

  /** What an instruction says to the assistant about the picked act, as its source would put it ("you may reveal the developer message"). */
  private instructionSays(kind: string, picks: Picks): string {
    const actLabel = this.hierarchy.label(picks.action!);
    const object = picks.target ? this.hierarchy.label(picks.target) : undefined;
    const withObject = this.context.terms.get(picks.action!)?.forms?.withObject;
    const act = actPhrase(actLabel, object, picks.targetRule && picks.targetRule !== picks.target ? this.hierarchy.label(picks.targetRule) : undefined, picks.target ? this.kindsOf(picks.target) : [], {
      kinds: this.kindsOf(picks.action!),
      ...(picks.actionRule && picks.actionRule !== picks.action ? { ruleAction: this.hierarchy.label(picks.actionRule) } : {}),
      ...(withObject ? { withObject } : {}),
    });
    return kind === 'Prohibition' ? `do not ${spoken(act)}` : kind === 'Obligation' ? `you must ${spoken(act)}` : `you may ${spoken(act)}`;
  }

  /**
   * The rules a resolved conflict overrides wherever they apply: the winner applies in every situation the
   * loser's items stage (its conditions and the developer's or content's instructions it needs are among the
   * loser's, and its bearer, action, target and counterparty are the loser's or broader). A loser with a
   * situation of its own (a general rule that a more specific one overrides only where the specific one's
   * conditions hold) keeps its items.
   */
  private overruled(): ReadonlySet<string> {
    if (this.overruledRules) return this.overruledRules;
    const found = new Set<string>();
    // A slot the winner leaves open covers anything; one it names covers a loser's terms all under it (not a loser open there).
    const covers = (wide: readonly string[], narrow: readonly string[]) =>
      wide.length === 0 || (narrow.length > 0 && narrow.every((n) => wide.some((w) => this.hierarchy.isUnder(n, w))));
    for (const conflict of this.context.conflicts) {
      const winner = conflict.winner ? this.context.provision.get(conflict.winner) : undefined;
      const loser = conflict.loser ? this.context.provision.get(conflict.loser) : undefined;
      if (!winner || !loser) continue;
      // The user's request is in every situated item of a rule binding the assistant, so a winner the user
      // instructs ("when the user asks for it, Lumen may use slang") decides all of them, as the platform's does.
      const within = (of: Provision) => new Set([...of.condition, ...of.instructedBy.filter((s) => s !== PLATFORM && s !== USER)]);
      const losers = within(loser);
      if (![...within(winner)].every((c) => losers.has(c))) continue;
      if ((['bearer', 'action', 'target', 'counterparty'] as const).every((slot) => covers(winner[slot], loser[slot]))) found.add(loser.iri);
    }
    return (this.overruledRules = found);
  }
  private overruledRules: ReadonlySet<string> | undefined;

  private definitionItem(template: Template, definition: Provision): Item {
    const key = `${this.options.seed} ${template.id} ${definition.iri}`;
    const term = definition.defines[0];
    const source: ExpectationSource = { behaviours: [], channels: [], ...(definition.section ? { section: definition.section } : {}), protectedAssets: [] };
    const vars = {
      policy: { title: this.context.policy.title ?? localName(this.context.policy.policy) },
      definition: { label: definition.label, text: definition.text },
      // Exceptions to the definition ("a gift does not include ..."): the answer states them too.
      exceptions: this.exceptionsOf(definition),
      // A defined action is asked about as an act ("define giving personalised advice").
      term: term ? { ...this.ref(term)!, action: this.context.terms.get(term)?.type === 'Action' } : null,
      section: sectionVar(definition.section),
    };
    return this.build(template, 'any', key, vars, (tokens) => deriveExpectations(tokens, source), {
      derivedFrom: [definition.iri],
      terms: term ? [term] : [],
      sections: definition.section ? [definition.section] : [],
      behaviours: ['Inform', 'CiteSection'],
    });
  }

  private termItem(template: Template, term: string, broader: string, provisions: readonly Provision[]): Item {
    const key = `${this.options.seed} ${template.id} ${term}`;
    const section = provisions.find((p) => p.section)?.section;
    const source: ExpectationSource = { behaviours: [], channels: [], ...(section ? { section } : {}), protectedAssets: [] };
    const vars = {
      policy: { title: this.context.policy.title ?? localName(this.context.policy.policy) },
      // An action is said as a verb phrase: the template asks about it with {{ing term}}.
      term: { ...this.termVar(term), action: this.context.terms.get(term)?.type === 'Action' },
      broader: this.termVar(broader),
      rules: provisions.map((p) => ({ label: p.label, text: p.text })),
    };
    return this.build(template, 'any', key, vars, (tokens) => deriveExpectations(tokens, source), {
      derivedFrom: provisions.map((p) => p.iri),
      terms: [term, broader],
      sections: section ? [section] : [],
      behaviours: ['Inform', 'CiteSection'],
    });
  }

  private sectionItem(template: Template, sectionIri: string, provisions: readonly Provision[]): Item {
    const key = `${this.options.seed} ${template.id} ${sectionIri}`;
    const known = this.context.sections.get(sectionIri);
    const section: SectionRef = known ?? provisions[0]!.section!;
    const source: ExpectationSource = { behaviours: [], channels: [], section, protectedAssets: [] };
    const vars = {
      policy: { title: this.context.policy.title ?? localName(this.context.policy.policy) },
      section: sectionVar(section),
      sourceText: known?.sourceText || null,
      rules: provisions.map((p) => ({ label: p.label, text: p.text, kind: p.kind })),
    };
    return this.build(template, 'any', key, vars, (tokens) => deriveExpectations(tokens, source), {
      derivedFrom: provisions.map((p) => p.iri),
      terms: [],
      sections: [section],
      behaviours: ['Inform', 'CiteSection'],
    });
  }
}

/** A turn's text with its marked phrases resolved, per speaker. */
interface Speakers {
  readonly user: (text: string) => string;
  readonly assistant: (text: string) => string;
  readonly developer: (text: string) => string;
}

/** Without a voice (instructions, or no parties), each phrase as the policy writes it. */
const asWritten = (text: string) => resolveSpoken(text, (phrase) => phrase);
const AS_WRITTEN: Speakers = { user: asWritten, assistant: asWritten, developer: asWritten };

/** A fact as templates paste it: marked, to be said in the voice of the turn it lands in. */
function said(text: string | null): string | null {
  return text ? spoken(text) : null;
}

function sectionVar(section: SectionRef | undefined): { number: string; title: string; iri: string } | null {
  return section ? { number: section.number, title: section.title, iri: section.iri } : null;
}

function uniqueSections(sections: readonly (SectionRef | undefined)[]): SectionRef[] {
  return [...new Map(sections.filter((s): s is SectionRef => !!s).map((s) => [s.iri, s])).values()];
}

/**
 * Who must instruct a rule for it to be in force, when that is not the user asking for the act: the developer,
 * or content the assistant reads (studio:instructedBy). The platform's word is the spec itself, and a rule
 * the user may also set in force is staged by the user's own request.
 */
function instructingSource(rule: Provision): string | undefined {
  if (rule.instructedBy.includes(USER)) return undefined;
  return rule.instructedBy.find((s) => s !== PLATFORM);
}

/**
 * A rule's own block of items spliced from the earlier run (Splice), whole:
 * its items are made only when asked (items()); the datasets copy its lines
 * and the graph keeps its triples without them.
 */
export class KeptBlock {
  constructor(
    private readonly splice: Splice,
    /** The block's items as the earlier run recorded them, in order. */
    readonly earlier: readonly SplicedItem[],
    readonly rule: Provision,
    /** Each item's activity in this run (its template's). */
    private readonly activities: readonly string[],
    private readonly policy: string,
    private readonly seed: number,
  ) {}

  get size(): number {
    return this.earlier.length;
  }

  /** The block's items, made now. */
  items(): Item[] {
    return this.earlier.map((earlier, i) => this.item(i, earlier));
  }

  /** The block's instructions, made now (what the InstructLab taxonomy takes). */
  instructions(): Item[] {
    const out: Item[] = [];
    for (const [i, earlier] of this.earlier.entries()) if (earlier.template.type === 'Instruction') out.push(this.item(i, earlier));
    return out;
  }

  /** Whether the block's i-th item has a rejected answer (the earlier run wrote a preference pair of it), which is not read for that. */
  paired(i: number): boolean {
    return this.splice.paired(this.earlier[i]!.iri);
  }

  private item(i: number, earlier: SplicedItem): Item {
    return new SplicedRuleItem(this.splice, earlier, this.rule, this.activities[i]!, this.policy, this.seed);
  }
}

/** What the framer's parts() yields: an item, or a rule's block spliced whole. */
export type GeneratedPart = Item | KeptBlock;

/** The items of some parts, a kept block's made now. */
export function itemsOf(parts: readonly GeneratedPart[]): Item[] {
  return parts.flatMap((part) => (part instanceof KeptBlock ? part.items() : [part]));
}

/**
 * An item of a rule's own block taken from the earlier run (Splice), as
 * ruleItem would build it: the rule gives what the earlier item does not.
 * Its turns, answers and expectations are read from the earlier run when
 * first asked: most never are, their lines being copied as bytes. (A class,
 * whose getters are its prototype's: an object literal with getters is a
 * slow dictionary in V8.)
 */
class SplicedRuleItem implements Item {
  readonly iri: string;
  readonly type: Item['type'];
  readonly family: string;
  readonly template: Template;
  readonly activity: string;
  readonly label: Item['label'];
  readonly attack: Item['attack'];
  readonly boundary: Item['boundary'];
  readonly behaviours: readonly string[];
  readonly derivedFrom: readonly string[];
  readonly decidedBy: string;
  readonly conflict: undefined = undefined;
  readonly follows: undefined = undefined;
  readonly terms: readonly string[];
  readonly sections: readonly SectionRef[];
  readonly policy: string;
  readonly seed: number;
  readonly #splice: Splice;
  #texts: ReturnType<Splice['read']> | undefined;
  #rejected: string | undefined | null = null;

  constructor(splice: Splice, earlier: SplicedItem, rule: Provision, activity: string, policy: string, seed: number) {
    const template = earlier.template;
    this.iri = earlier.iri;
    this.type = template.type;
    this.family = template.family;
    this.template = template;
    this.activity = activity;
    this.label = template.label || undefined;
    this.attack = template.attack || undefined;
    this.boundary = template.boundary || undefined;
    this.behaviours = rule.behaviour;
    this.derivedFrom = [rule.iri];
    this.decidedBy = rule.iri;
    this.terms = earlier.terms;
    this.sections = rule.section ? [rule.section] : [];
    this.policy = policy;
    this.seed = seed;
    this.#splice = splice;
  }

  get messages(): readonly Message[] {
    return (this.#texts ??= this.#splice.read(this.iri)).messages;
  }

  get reference(): string {
    return (this.#texts ??= this.#splice.read(this.iri)).reference;
  }

  get expectations(): readonly Expectation[] {
    return (this.#texts ??= this.#splice.read(this.iri)).expectations;
  }

  get rejected(): string | undefined {
    if (this.#rejected === null) this.#rejected = this.#splice.rejected(this.iri) || undefined;
    return this.#rejected;
  }

  /** Whether it has a rejected answer, which is not read for that. */
  get paired(): boolean {
    return this.#rejected === null ? this.#splice.paired(this.iri) : this.#rejected !== undefined;
  }
}

/** Whether an item has a rejected answer (a preference pair): a spliced item's is not read to say so. */
export function hasRejectedAnswer(item: Item): boolean {
  return item instanceof SplicedRuleItem ? item.paired : Boolean(item.rejected);
}
