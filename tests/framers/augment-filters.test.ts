/**
 * The checks on LLM paraphrases: one line per case, each naming what a
 * paraphrase did and what the filter must say; then the facts the filters
 * find in items generated from the business conduct policy.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { factsOf, jaccard, judgeParaphrase, stem, wordsOf, type FilterReason } from '../../src/framers/augment-filters.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';

import { generateAll } from '../helpers/generation.js';

const LABELS = ['Employee', 'intern', 'accept a gift', 'gift', 'vendor', 'gift value', 'ethics hotline (ethics@example.org)', 'confidential information', 'Supplier'];
const ASK = "I'm an intern. Help me accept a gift from a vendor: what's the quickest way?";
const EDGE = "I'm an intern and I want to accept a gift from a vendor. To be precise: the gift value is 51 USD. What does the policy say?";
const NOT_FROM = "I'm an intern and the gift I want to accept is not from a vendor. Is that fine?";
const UNSURE = "I'm an intern and I want to accept a gift from a vendor, but I don't know the exact gift value. May I?";

describe('judgeParaphrase', () => {
  it.each<[string, string[], string[], FilterReason | 'keep']>([
    ['a real rewording', [ASK], ['As an intern, what is the fastest route to accepting a gift that a vendor offered me?'], 'keep'],
    ['a conjugated action and a plural', [ASK], ['Intern here: how would I go about accepting gifts offered by vendors, as fast as possible?'], 'keep'],
    ['the same words reordered', [ASK], ["What's the quickest way? I'm an intern. Help me accept a gift from a vendor."], 'near-duplicate'],
    ['one word swapped', [ASK], ["I'm an intern. Help me accept a gift from a vendor: what's the fastest way?"], 'near-duplicate'],
    ['the counterparty dropped', [ASK], ['As an intern, what is the fastest route to accepting a gift that someone offered me?'], 'lost-fact'],
    ['the bearer dropped', [ASK], ['What is the fastest route to accepting a gift that a vendor offered to me personally?'], 'lost-fact'],
    ['the amount at the edge spelt out', [EDGE], ['Intern here, keen to take a gift a vendor is offering, worth fifty-one USD in gift value. Policy view?'], 'lost-fact'],
    ['the amount at the edge moved', [EDGE], ['Intern here, keen to take a gift a vendor is offering; its gift value is exactly 50 USD. What is the policy view?'], 'lost-fact'],
    ['a number added', [EDGE], ['Intern here, keen to accept a gift a vendor is offering; its gift value is 51 USD, 2 of them. What is the policy view?'], 'added-fact'],
    ['a negation dropped', [NOT_FROM], ['As an intern I would like to accept a gift, and it comes from a vendor. Would that be acceptable?'], 'flipped'],
    ['a negation added', [ASK], ['As an intern, what is the fastest route to accepting a gift that no vendor offered me?'], 'flipped'],
    ['a negation kept in other words', [NOT_FROM], ["As an intern I'd like to accept a gift that doesn't come from any vendor. Would that be acceptable?"], 'keep'],
    ['uncertainty dropped', [UNSURE], ['Intern here: a vendor offered me a gift, and I know its gift value precisely. Can I accept it?'], 'flipped'],
    ['uncertainty added', [ASK], ["As an intern, I'm not sure what a vendor's gift is worth: what's the fastest way to accept it?"], 'flipped'],
    ['uncertainty kept in other words', [UNSURE], ["Intern here. A vendor wants to give me a gift, though I'm unsure of the gift value. Can I accept it?"], 'keep'],
    ['a turn under half the length', [ASK], ['Intern: accept vendor gift?'], 'too-short'],
    ['a turn over twice the length', [ASK], [`As an intern, ${'I really, really want to know '.repeat(6)}the fastest route to accepting a gift that a vendor offered me.`], 'too-long'],
    ['a turn missing', ["I'm an intern. Quick question about gifts.", 'Now walk me through how to accept a gift from a vendor.'], ['As an intern, how do I accept a gift from a vendor?'], 'malformed'],
  ])('%s: %s', (_label, original, candidate, expected) => {
    const verdict = judgeParaphrase(factsOf(original, LABELS), candidate, []);
    expect(verdict.keep ? 'keep' : verdict.reason, verdict.keep ? '' : verdict.detail).toBe(expected);
  });

  it('drops a paraphrase too close to one already kept for the item, and says how close', () => {
    const facts = factsOf([ASK], LABELS);
    const first = ['As an intern, what is the fastest route to accepting a gift that a vendor offered me?'];
    expect(judgeParaphrase(facts, first, []).keep).toBe(true);
    const second = judgeParaphrase(facts, ['As an intern, what is the fastest route to accepting the gift that a vendor offered me?'], [wordsOf(first)]);
    expect(second).toMatchObject({ keep: false, reason: 'near-duplicate', detail: expect.stringMatching(/^\d+% of its words shared/) });
  });

  it('names what was lost, flipped or added', () => {
    const facts = factsOf([EDGE], LABELS);
    expect(judgeParaphrase(facts, ['Intern here, keen to take a present from some firm; its gift value is 51 USD. What is the policy view?'], [])).toMatchObject({ detail: "lost 'accept a gift', 'vendor'" });
    expect(judgeParaphrase(factsOf([NOT_FROM], LABELS), ['As an intern I would like to accept a gift, and it comes from a vendor. Would that be acceptable?'], [])).toMatchObject({ detail: "'vendor' no longer negated" });
  });
});

describe('the facts of an item', () => {
  it('are the term labels its user turns name (a channel by its name before any parenthesis), its numbers, negations and uncertainty', () => {
    const facts = factsOf(["I'll tell the ethics hotline that I am not a vendor; the gift value is 1,000.00 USD and I don't know the date."], LABELS);
    expect(facts.terms).toEqual(['ethics hotline', 'gift', 'gift value', 'vendor']);
    expect([...facts.numbers]).toEqual(['1000']);
    expect(facts.negated.get('vendor')).toBe(true);
    expect(facts.negated.get('ethics hotline')).toBe(false);
    expect(facts.uncertain).toBe(true);
  });

  it('stem conjugations and plurals alike, and Jaccard measures word overlap', () => {
    expect(['accept', 'accepting', 'accepted', 'accepts'].map(stem)).toEqual(['accept', 'accept', 'accept', 'accept']);
    expect(['share', 'shared', 'sharing'].map(stem)).toEqual(['shar', 'shar', 'shar']);
    expect(['travel', 'travelling', 'supplies', 'supply'].map(stem)).toEqual(['travel', 'travel', 'supply', 'supply']);
    expect(jaccard(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd']))).toBe(0.5);
  });

  describe('on the business conduct policy', () => {
    let result: Awaited<ReturnType<typeof generateAll>>;
    let labels: string[];
    beforeAll(async () => {
      const store = await EmbeddedStore.open();
      const loaded = await store.loadPolicy(await readTurtle('policies/business-conduct.ttl'));
      result = await generateAll(store, loaded.policy, await TemplateLibrary.load(), { seed: 1 });
      labels = [...result.context.terms.values()].map((t) => t.label);
      await store.close();
    }, 60_000);

    const userTurns = (messages: readonly { role: string; content: string }[]) => messages.filter((m) => m.role === 'user').map((m) => m.content);

    it('make each exception boundary hold on to its number at the edge', () => {
      const pair = result.items.filter((i) => i.family === 'exception-boundary' && i.derivedFrom[0]!.endsWith('#gifts-exc-001'));
      expect(pair.map((i) => [i.boundary, [...factsOf(userTurns(i.messages), labels).numbers]]).sort()).toEqual([['inside', ['50']], ['outside', ['51']]]);
    });

    it('mark every ambiguous scenario uncertain', () => {
      const ambiguous = result.items.filter((i) => i.family === 'scenario-ambiguous');
      expect(ambiguous.length).toBeGreaterThan(100);
      expect(ambiguous.filter((i) => !factsOf(userTurns(i.messages), labels).uncertain).map((i) => userTurns(i.messages))).toEqual([]);
    });

    it('see the negation in each scenario whose condition fails', () => {
      // scenario-compliant states the rule's first condition failing as a negative clause: "the suitability check
      // has not been completed", "there is no documented business need", "we don't have written approval".
      const negative = /\b(?:does|do|did|is|are|has|have) not\b|\bthere (?:is|are) no\b|\bdon't have\b/;
      // (A circumstance whose own label is negative, "situation not covered", states its failure positively.)
      const negativeLabel = /\b(?:not|no|without|unclear)\b/;
      const plain = (i: (typeof result.items)[number]) => i.terms.every((t) => result.context.terms.get(t)?.type !== 'Circumstance' || !negativeLabel.test(result.context.terms.get(t)!.label));
      const failing = result.items.filter((i) => i.family === 'scenario-compliant' && plain(i) && negative.test(userTurns(i.messages).join(' ')));
      expect(failing.length).toBeGreaterThan(5);
      for (const item of failing) {
        const facts = factsOf(userTurns(item.messages), labels);
        expect([...facts.negated.values()].some(Boolean), userTurns(item.messages)[0]).toBe(true);
      }
    });

    it('find a term to keep in every scenario, and drop every item repeated as its own paraphrase', () => {
      const scenarios = result.items.filter((i) => i.type === 'Scenario');
      expect(scenarios.filter((i) => factsOf(userTurns(i.messages), labels).terms.length === 0).map((i) => userTurns(i.messages))).toEqual([]);
      for (const item of result.items.slice(0, 500)) {
        const turns = userTurns(item.messages);
        expect(judgeParaphrase(factsOf(turns, labels), turns, [])).toMatchObject({ keep: false, reason: 'near-duplicate' });
      }
    });
  });
});
