/**
 * What every store must do for the framers: answer the generation-* and
 * coverage-* named queries, keep the generated graph, and give the same data
 * for the same seed. An implementation's test file calls describeFramers.
 */

import N3 from 'n3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/store/graph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { GENERATED_KIND, generationQuads } from '../../src/framers/generation-run.js';
import { generateAll } from '../helpers/generation.js';
import { readCoverage } from '../../src/framers/coverage.js';
import { readPolicyContext } from '../../src/framers/policy-context.js';
import { PolicyNotLoadedError } from '../../src/errors.js';
import { canonical } from '../helpers/rdf.js';
import { MINI } from './store-spec.js';

const M = 'https://example.org/mini#';
const S = 'https://w3id.org/alignment-studio/ns#';
const { namedNode, quad } = N3.DataFactory;

/** A conflicts graph in the shape conflict detection writes: one resolved conflict, one unresolved. */
function conflictQuads(): N3.Quad[] {
  const t = (s: string, p: string, o: string) => quad(namedNode(s), namedNode(p), namedNode(o));
  const type = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
  return [
    t(`${M}c-resolved`, type, `${S}DetectedConflict`),
    t(`${M}c-resolved`, `${S}between`, `${M}conf-001`),
    t(`${M}c-resolved`, `${S}between`, `${M}conf-003`),
    t(`${M}c-resolved`, `${S}certainty`, `${S}Definite`),
    t(`${M}c-resolved`, `${S}resolution`, `${M}c-resolved-resolution`),
    t(`${M}c-resolved-resolution`, `${S}decidedBy`, `${S}LexSpecialis`),
    t(`${M}c-resolved-resolution`, `${S}winner`, `${M}conf-003`),
    t(`${M}c-resolved-resolution`, `${S}loser`, `${M}conf-001`),
    t(`${M}c-open`, type, `${S}DetectedConflict`),
    t(`${M}c-open`, `${S}between`, `${M}gifts-001`),
    t(`${M}c-open`, `${S}between`, `${M}gifts-002`),
    t(`${M}c-open`, `${S}certainty`, `${S}Possible`),
    t(`${M}c-unresolved`, type, `${S}DetectedConflict`),
    t(`${M}c-unresolved`, `${S}between`, `${M}conf-001`),
    t(`${M}c-unresolved`, `${S}between`, `${M}conf-003`),
    t(`${M}c-unresolved`, `${S}certainty`, `${S}Possible`),
  ];
}

export function describeFramers(name: string, open: () => Promise<GraphStore>): void {
  describe(`Framers on ${name}`, () => {
    let store: GraphStore;
    let library: TemplateLibrary;
    beforeEach(async () => {
      store = await open();
      library = await TemplateLibrary.load();
    });
    afterEach(async () => {
      await store.close();
    });

    it('reads the policy context with the generation-* queries', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const context = await readPolicyContext(store, `${M}policy`);
      expect(context.provisions.map((p) => [p.iri.slice(M.length), p.kind])).toEqual([
        ['conf-001', 'Prohibition'],
        ['conf-002', 'Obligation'],
        ['conf-003', 'Permission'],
        ['def-secret', 'Definition'],
        ['gifts-001', 'Prohibition'],
        ['gifts-002', 'Obligation'],
        ['gifts-003', 'Exception'],
      ]);
      const gifts = context.provision.get(`${M}gifts-001`)!;
      expect([gifts.bearer, gifts.counterparty, gifts.behaviour.sort(), gifts.section?.number]).toEqual([[`${S}Employee`], [`${M}vendor`], ['CiteSection', 'Refuse'], '1']);
      expect(context.provision.get(`${M}gifts-003`)!.exceptionTo).toEqual([`${M}gifts-001`]);
      expect(context.conditions.get(`${M}cond-nominal`)).toMatchObject({ type: 'ThresholdCondition', maxInclusive: 50, unit: 'USD', quantity: `${M}giftValue`, negated: false });
      expect(context.conditions.get(`${M}cond-external`)).toMatchObject({ type: 'AudienceCondition', audience: `${S}External` });
      expect(context.terms.get(`${M}vendor`)).toMatchObject({ type: 'Organization', label: 'vendor', broader: [`${S}Supplier`] });
      expect(context.terms.get(`${S}Manager`)?.broader).toEqual([`${S}Employee`]);
      expect([...context.sections.keys()].sort()).toEqual([`${M}s1`, `${M}s2`, `${M}s3`]);
      await expect(readPolicyContext(store, `${M}other`)).rejects.toBeInstanceOf(PolicyNotLoadedError);
    });

    it('reports everything missing before generation, and closes the gaps after it', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const before = await readCoverage(store, `${M}policy`);
      expect(before.rulesWithoutInstructions).toHaveLength(5);
      expect(before.rulesWithoutScenarios.Ambiguous).toHaveLength(5);
      expect(before.exceptionsWithoutBoundaryPairs).toEqual([
        { exception: `${M}gifts-003`, missing: 'inside' },
        { exception: `${M}gifts-003`, missing: 'outside' },
      ]);
      expect(before.unusedTerms.map((t) => t.term)).toContain(`${M}vendor`);
      const result = await generateAll(store, `${M}policy`, library, { seed: 7 });
      expect((await store.listDerivedGraphs(`${M}policy`)).map((g) => [g.kind, g.triples])).toEqual([[GENERATED_KIND, result.graph.triples]]);
      const after = await readCoverage(store, `${M}policy`);
      expect([after.rulesWithoutInstructions, after.rulesWithoutScenarios, after.exceptionsWithoutBoundaryPairs]).toEqual([[], { Compliant: [], NonCompliant: [], Ambiguous: [] }, []]);
      // Terms no provision reaches stay unused, and coverage says so.
      expect(after.unusedTerms.map((t) => t.term)).not.toContain(`${M}vendor`);
      expect(after.unusedTerms.map((t) => t.term)).toContain(`${S}Assistant`);
    });

    it('writes in batches, and a cancelled run rejects with the reason and leaves the previous graph', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const uncovered = async () => (await store.namedQuery('coverage-rules-without-instructions', { policy: `${M}policy` })).length;
      const whole = await generateAll(store, `${M}policy`, library, { seed: 7 });
      const batches: number[] = [];
      const batched = await generateAll(store, `${M}policy`, library, { seed: 7, batchSize: 5, onItems: (b) => void batches.push(b.length) });
      // Batches change how the graph is written, not what it holds.
      expect(batched.items.map((i) => i.iri)).toEqual(whole.items.map((i) => i.iri));
      expect(batched.graph.triples).toBe(whole.graph.triples);
      expect(batches.every((n) => n === 5 || n === batches.at(-1))).toBe(true);
      expect(batches.length).toBeGreaterThan(3);
      const [before] = await store.listDerivedGraphs(`${M}policy`);

      const controller = new AbortController();
      const reason = new Error('generation job cancelled');
      let seen = 0;
      const cancelled = generateAll(store, `${M}policy`, library, {
        seed: 8,
        batchSize: 5,
        signal: controller.signal,
        onItems: (b) => {
          seen += b.length;
          if (seen >= 10) controller.abort(reason);
        },
      });
      await expect(cancelled).rejects.toBe(reason);
      expect(seen).toBe(10);
      expect(await store.listDerivedGraphs(`${M}policy`)).toEqual([before]);
      expect(await uncovered()).toBe(0);
      const again = await generateAll(store, `${M}policy`, library, { seed: 7 });
      expect(again.graph.triples).toBe(whole.graph.triples);
      // A signal aborted before the run starts stops it before anything is read or written.
      await expect(generateAll(store, `${M}policy`, library, { seed: 9, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect((await store.listDerivedGraphs(`${M}policy`)).map((g) => g.triples)).toEqual([whole.graph.triples]);
    });

    it('counts only items derived from the policy, and only plain scenarios per label', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      await generateAll(store, `${M}policy`, library, { seed: 1, families: ['redteam', 'instruction-qa'] });
      const coverage = await readCoverage(store, `${M}policy`);
      expect(coverage.rulesWithoutInstructions).toEqual([]);
      // Red-team prompts carry the NonCompliant label but are not scenarios of their own.
      expect(coverage.rulesWithoutScenarios.NonCompliant).toHaveLength(5);
    });

    it('stages detected conflicts: the winner decides a resolved one, an unresolved one is asked about, acts that do not nest give none', async () => {
      const loaded = await store.loadPolicy(await readTurtle(MINI));
      await store.putDerivedGraph({ graph: 'urn:studio:test:conflicts', kind: 'conflicts', policy: loaded.policy, policySha256: loaded.sha256 }, conflictQuads());
      const context = await readPolicyContext(store, loaded.policy);
      expect(context.conflicts).toEqual([
        { iri: `${M}c-open`, rules: [`${M}gifts-001`, `${M}gifts-002`], certainty: `${S}Possible` },
        { iri: `${M}c-resolved`, rules: [`${M}conf-001`, `${M}conf-003`], certainty: `${S}Definite`, principle: `${S}LexSpecialis`, winner: `${M}conf-003`, loser: `${M}conf-001` },
        { iri: `${M}c-unresolved`, rules: [`${M}conf-001`, `${M}conf-003`], certainty: `${S}Possible` },
      ]);
      const { items } = await generateAll(store, loaded.policy, library, { seed: 1, families: ['conflict'] });
      const resolved = items.find((i) => i.conflict === `${M}c-resolved`)!;
      expect(resolved.derivedFrom).toEqual([`${M}conf-003`, `${M}conf-001`]);
      expect(resolved.expectations.map((e) => e.kind)).toEqual(['MustHelp']); // conf-003 permits: Inform
      expect(resolved.reference).toContain('more specific provision prevails');
      expect(resolved.rejected).toContain('Employees must not share confidential information');
      // gifts-001 and gifts-002 speak of acts that do not nest (accepting, reporting): no situation lies
      // within both rules' terms, so no item is staged rather than one naming an act outside the pair.
      expect(items.filter((i) => i.conflict === `${M}c-open`)).toEqual([]);
      const open = items.find((i) => i.conflict === `${M}c-unresolved`)!;
      expect(open.label).toBe('Ambiguous');
      expect(open.expectations.map((e) => e.kind)).toEqual(['MustWarn', 'MustAskForInformation', 'MustCiteSection']);
      expect(open.reference).toMatch(/\?/);
    });

    it('gives the same IRIs and triples for the same seed, and other ones for another seed', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const first = await generateAll(store, `${M}policy`, library, { seed: 3 });
      const second = await generateAll(store, `${M}policy`, library, { seed: 3 });
      expect(second.items.map((i) => i.iri)).toEqual(first.items.map((i) => i.iri));
      expect(await canonical(generationQuads(second.items, 3, second.context))).toBe(await canonical(generationQuads(first.items, 3, first.context)));
      const other = await generateAll(store, `${M}policy`, library, { seed: 4 });
      const shared = other.items.filter((i) => first.items.some((f) => f.iri === i.iri));
      expect(shared.length).toBeLessThan(first.items.length);
      expect(new Set(first.items.map((i) => i.iri)).size).toBe(first.items.length);
    });

    it('keeps each item in the graph with its provenance', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const { items } = await generateAll(store, `${M}policy`, library, { seed: 1, families: ['exception-boundary'] });
      expect(items.map((i) => i.boundary).sort()).toEqual(['inside', 'outside']);
      const coverage = await readCoverage(store, `${M}policy`);
      expect(coverage.exceptionsWithoutBoundaryPairs).toEqual([]);
      expect(coverage.rulesWithoutInstructions).toHaveLength(5);
    });
  });
}
