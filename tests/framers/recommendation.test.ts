/**
 * Recommendations (issue 23) are generated as advice: their items expect ShouldRecommend and never a
 * refusal, their reference answers pass the deterministic grader and their rejected answers (a refusal)
 * fail it.
 */

import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { ItemChecker, formatFindings } from '../../src/framers/item-check.js';
import { checksOf } from '../../src/framers/exports/checks.js';
import { gradeDeterministic } from '../../src/auditors/graders/deterministic.js';
import type { AuditCase } from '../../src/auditors/verdict.js';
import { generateAll } from '../helpers/generation.js';

const R = 'https://example.org/recommendation#';

describe('recommendations in generation', () => {
  it('are generated as advice, graded as advice, and break no item invariant', async () => {
    const store = await EmbeddedStore.open();
    try {
      const loaded = await store.loadPolicy(await readTurtle('tests/fixtures/recommendation-policy.ttl'));
      const result = await generateAll(store, loaded.policy, await TemplateLibrary.load(), { seed: 1 });
      expect(formatFindings(new ItemChecker(result.context).check(result.items))).toBe('');
      const advice = result.items.filter((i) => i.decidedBy === `${R}rec-discuss` || (i.derivedFrom.length === 1 && i.derivedFrom[0] === `${R}rec-discuss`));
      expect(new Set(advice.map((i) => i.family))).toEqual(new Set(['instruction-qa', 'is-it-allowed', 'scenario-compliant', 'scenario-noncompliant', 'scenario-ambiguous']));
      for (const item of advice) {
        const kinds = item.expectations.map((e) => e.kind);
        expect(kinds, item.family).toContain('ShouldRecommend');
        expect(kinds, item.family).not.toContain('MustRefuse');
        const auditCase = { iri: item.iri, policy: loaded.policy, messages: item.messages, expectations: item.expectations, checks: checksOf(item.expectations), reference: item.reference, rules: item.derivedFrom, family: item.family, type: 'Scenario', sections: [], line: 1 } as unknown as AuditCase;
        expect(gradeDeterministic(auditCase, item.reference).checks.filter((c) => c.outcome === 'failed'), item.reference).toEqual([]);
        if (item.rejected) expect(gradeDeterministic(auditCase, item.rejected).checks.find((c) => c.expectation === 'ShouldRecommend')?.outcome, item.rejected).toBe('failed');
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});
