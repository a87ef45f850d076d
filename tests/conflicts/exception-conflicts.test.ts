/**
 * Issue 23 on both stores: an exception that permits what a prohibition other than its own bases forbids is
 * a conflict, resolved by precedence; a provision applying notwithstanding a section's exceptions wins
 * against them and lists them as overridden; a threshold on a rate set elsewhere compares as possible; an
 * exception may name several rules and a definition. The Neo4j side runs when a Neo4j server is reachable.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/store/graph-store.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { neo4jAvailable } from '../helpers/neo4j.js';
import { storeEngines } from '../helpers/both-stores.js';

const W = 'https://example.org/wide-exceptions#';
const local = (iri: string | null) => (iri === null ? null : iri.replace(/^.*#/, ''));
const available = await neo4jAvailable();

const engines = storeEngines(available);

describe.each(engines)('exceptions in conflict detection on the %s store', (_engine, open) => {
  let store: GraphStore;
  beforeEach(async () => {
    store = await open();
  }, 60_000);
  afterEach(async () => {
    await store.close();
  });

  it('compares each exception with the prohibitions that are not its bases, through each base', async () => {
    await store.loadPolicy(await readTurtle('tests/fixtures/wide-exceptions-policy.ttl'));
    const report = await detectConflicts(store);
    const found = report.exceptionConflicts.map((c) => [local(c.prohibition), local(c.permissive), c.bases.map(local).join(' '), c.certainty, c.principle, local(c.winner)]);
    expect(found).toEqual([
      ['p-costly', 'e-friend', 'p-accept', 'possible', null, null],
      ['p-costly', 'e-meals', 'p-accept', 'possible', null, null],
      ['p-influence', 'e-friend', 'p-accept', 'possible', 'explicitOverride', 'p-influence'],
      ['p-influence', 'e-meals', 'p-accept', 'possible', 'explicitOverride', 'p-influence'],
      ['p-influence', 'e-modest', 'p-accept', 'possible', 'explicitOverride', 'p-influence'],
      ['p-travel', 'e-friend', 'p-accept', 'possible', null, null],
      ['p-travel', 'e-meals', 'p-accept', 'possible', null, null],
      ['p-travel', 'e-modest', 'p-accept', 'possible', null, null],
    ]);
    // At most 20 USD against more than 100 USD never meet; an exception never conflicts with its own bases.
    expect(found.some(([p, e]) => p === 'p-costly' && e === 'e-modest')).toBe(false);
    expect(found.some(([p, e]) => (p === 'p-accept' || p === 'p-solicit') && e === 'e-modest')).toBe(false);
    const dimensions = report.exceptionConflicts.find((c) => local(c.prohibition) === 'p-travel' && local(c.permissive) === 'e-modest')?.dimensions;
    expect(dimensions).toEqual({ bearer: 'same', action: 'same', target: 'same', counterparty: 'same', conditions: 'overlap' });
    expect(report.exceptionConflicts.find((c) => local(c.permissive) === 'e-modest' && local(c.prohibition) === 'p-influence')?.reason).toContain('notwithstanding');
  }, 60_000);

  it('lists each exception that a notwithstanding provision sets aside', async () => {
    await store.loadPolicy(await readTurtle('tests/fixtures/wide-exceptions-policy.ttl'));
    const report = await detectConflicts(store);
    expect(report.overriddenExceptions.map((o) => [local(o.provision), local(o.exception), local(o.base)])).toEqual([
      ['p-influence', 'e-friend', 'p-accept'],
      ['p-influence', 'e-meals', 'p-accept'],
      ['p-influence', 'e-modest', 'p-accept'],
      ['p-influence', 'e-modest', 'p-solicit'],
      // The definition of a gift lies in section 1 too.
      ['p-influence', 'e-refreshments', 'd-gift'],
    ]);
    // Without the notwithstanding provision the same pair is left unresolved.
    const order = await detectConflicts(store, { precedence: ['lexSuperior', 'lexSpecialis'] });
    expect(order.exceptionConflicts.find((c) => local(c.permissive) === 'e-modest' && local(c.prohibition) === 'p-influence')?.winner).toBeNull();
  }, 60_000);

  it('calls a threshold on a rate set elsewhere possible against a numeric one, never definite or silent', async () => {
    await store.loadPolicy(await readTurtle('tests/fixtures/wide-exceptions-policy.ttl'));
    const report = await detectConflicts(store);
    const found = Object.fromEntries(report.conflicts.map((c) => [`${local(c.prohibition)} ${local(c.permissive)}`, c.certainty]));
    expect(found).toEqual({
      'p-accept perm-hospitality': 'definite',
      'p-costly perm-hospitality': 'possible',
      'p-influence perm-hospitality': 'possible',
      'p-travel perm-hospitality': 'possible',
    });
  }, 60_000);

  it('reports an exception that names nothing for that value only, and none for an exception to a definition', async () => {
    await store.loadPolicy(await readTurtle('tests/fixtures/wide-exceptions-defects.ttl'));
    const report = await detectConflicts(store);
    expect(report.defects.map((d) => [d.defect, local(d.subject), local(d.related)])).toEqual([['exception-to-nothing', 'x1', 'r99']]);
  }, 60_000);

  it('finds no defect in a policy whose exceptions name several rules and a definition', async () => {
    await store.loadPolicy(await readTurtle('tests/fixtures/wide-exceptions-policy.ttl'));
    expect((await detectConflicts(store)).defects).toEqual([]);
  }, 60_000);
});

describe('exceptions in conflict detection on the sample gifts code (embedded store)', () => {
  const G = 'https://example.org/eastmarch/gifts#';
  it('finds the conflicts checked by hand in the policy file', async () => {
    const store = await EmbeddedStore.open();
    try {
      await store.loadPolicy(await readTurtle('policies/gifts-code.ttl'));
      const report = await detectConflicts(store);
      expect(report.defects).toEqual([]);
      expect(report.documented.map((d) => [local(d.iri), d.status])).toEqual([['conflict-1', 'agrees'], ['conflict-2', 'agrees']]);
      const pair = (p: string, e: string) => report.exceptionConflicts.find((c) => c.prohibition === `${G}${p}` && c.permissive === `${G}${e}`);
      expect(report.exceptionConflicts).toHaveLength(62);
      expect(report.exceptionConflicts.filter((c) => c.principle === 'explicitOverride')).toHaveLength(24);
      expect(pair('lim-in-return', 'exc-small')).toMatchObject({ certainty: 'possible', principle: 'explicitOverride', winner: `${G}lim-in-return` });
      expect(pair('lim-in-return', 'exc-customary-occasion')).toMatchObject({ principle: 'lexSuperior', winner: `${G}lim-in-return` });
      expect(pair('lim-frequent', 'exc-customary-occasion')).toMatchObject({ certainty: 'possible', winner: null });
      // "Not cash" against "cash": a circumstance and its negation never hold together.
      expect(pair('lim-cash', 'exc-small')).toBeUndefined();
      // Through p-accept-position (any giver) only: p-accept's prohibited sources are never officials.
      expect(pair('p-accept-from-subordinate', 'exc-small')).toMatchObject({ certainty: 'definite', winner: null, bases: [`${G}p-accept-position`] });
      expect(new Set(report.overriddenExceptions.map((o) => local(o.exception)))).toEqual(
        new Set(['exc-award', 'exc-friendship', 'exc-honorarium-charity', 'exc-meals-travel', 'exc-public-offer', 'exc-small', 'exc-travel-approved', 'exc-widely-attended', 'exc-customary-occasion', 'exc-special-occasion']),
      );
    } finally {
      await store.close();
    }
  }, 60_000);
});
