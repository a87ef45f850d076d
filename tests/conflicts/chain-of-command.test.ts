/**
 * The chain of command in conflict detection, on both stores: ranks come from
 * the instructing source, a hard limit holds against a developer, a default
 * yields to a source allowed to override it (and to one that outranks it), a
 * tool's instruction wins nothing; caution and helpfulness decide documented
 * conflicts that name them.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/store/graph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import type { Principle } from '../../src/conflicts/precedence.js';
import { neo4jAvailable } from '../helpers/neo4j.js';
import { storeEngines } from '../helpers/both-stores.js';
import { sourceOf } from '../store/store-spec.js';

const C = 'https://example.org/chain-of-command#';
const FIXTURE = 'tests/fixtures/chain-of-command-policy.ttl';
const available = await neo4jAvailable();

const engines = storeEngines(available);

describe.each(engines)('the chain of command on the %s store', (_engine, open) => {
  let store: GraphStore;
  beforeEach(async () => {
    store = await open();
  }, 60_000);
  afterEach(async () => {
    await store.close();
  });

  it('decides every pair by the sources, as the fixture documents', async () => {
    await store.loadPolicy(await readTurtle(FIXTURE));
    const report = await detectConflicts(store);
    expect(report.documented.map((d) => [d.iri.replace(C, ''), d.status])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => [`conflict-${n}`, 'agrees']),
    );
    const decided = Object.fromEntries(report.conflicts.map((c) => [`${c.prohibition.replace(C, '')} ${c.permissive.replace(C, '')}`, [c.principle, c.winner?.replace(C, '') ?? null]]));
    expect(decided).toEqual({
      // A developer's instruction against the platform's hard limit loses.
      'lim-001 ins-001': ['lexSuperior', 'lim-001'],
      // A platform default the user may override: the user's instruction wins; a web page's does not.
      'def-001 ins-002': ['lexSuperior', 'ins-002'],
      'def-001 ins-005': ['lexSuperior', 'def-001'],
      // A default only the developer may override: the user loses, the developer wins.
      'def-002 ins-003': ['lexSuperior', 'def-002'],
      'def-002 ins-004': ['lexSuperior', 'ins-004'],
      // Inside the developer's permitted range the user wins; outside it the developer does.
      'dev-001 ins-006': ['lexSuperior', 'ins-006'],
      'dev-002 ins-007': ['lexSuperior', 'dev-002'],
    });
  }, 60_000);

  it('resolves every conflict of the sample assistant spec, its documented ones as documented, with no defect', async () => {
    const loaded = await store.loadPolicy(await readTurtle('policies/assistant-spec.ttl'));
    const report = await detectConflicts(store, { policy: loaded.policy });
    expect(report.documented).toHaveLength(16);
    expect(report.documented.filter((d) => d.status !== 'agrees')).toEqual([]);
    expect(report.conflicts.filter((c) => c.winner === null)).toEqual([]);
    // Rules that differ only in who instructs them are not duplicates.
    expect(report.defects).toEqual([]);
  }, 60_000);

  it('lets a source that outranks the one named override a default too', async () => {
    const text = (await readTurtle(FIXTURE)).text.replace(
      'studio:instructedBy studio:UserSource ;\n    studio:expectedBehaviour studio:Inform .\n\ncoc:ins-004',
      'studio:instructedBy studio:PlatformSource ;\n    studio:expectedBehaviour studio:Inform .\n\ncoc:ins-004',
    );
    await store.loadPolicy(sourceOf('outranked.ttl', text));
    const report = await detectConflicts(store);
    const pair = report.conflicts.find((c) => c.prohibition === `${C}def-002` && c.permissive === `${C}ins-003`);
    expect(pair).toMatchObject({ principle: 'lexSuperior', winner: `${C}ins-003` });
    expect(pair?.reason).toContain('an instruction from the platform may override');
  }, 60_000);

  it('checks documented conflicts that name caution or helpfulness against the order given', async () => {
    const text = `${(await readTurtle(FIXTURE)).text}
coc:conflict-8 a studio:DocumentedConflict ;
    rdfs:label "Cautious about competitors" ;
    studio:between coc:def-002, coc:ins-004 ;
    studio:intendedWinner coc:def-002 ;
    studio:intendedPrinciple studio:Caution .
`.replace(/coc:conflict-4 a studio:DocumentedConflict ;[^]*?studio:intendedPrinciple studio:LexSuperior \.\n/, '');
    await store.loadPolicy(sourceOf('cautious.ttl', text));
    const status = async (precedence: Principle[]) =>
      (await detectConflicts(store, { precedence })).documented.find((d) => d.iri === `${C}conflict-8`);
    expect(await status(['caution', 'lexSuperior'])).toMatchObject({ intendedPrinciple: 'caution', status: 'agrees' });
    expect(await status(['lexSuperior', 'caution'])).toMatchObject({ status: 'differs' });
    expect(await status(['helpfulness'])).toMatchObject({ status: 'differs' });
  }, 60_000);
});
