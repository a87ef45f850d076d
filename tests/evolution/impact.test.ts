/**
 * The impact of a change: the rules depending on a changed rule (a walk of the dependency graph of both
 * versions) and the conflicts detection finds in one version and not the other, on the mini policy edited
 * one way per case. Conflict detection runs for real, in embedded stores on temporary data folders.
 */

import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTurtle, type TurtleSource } from '../../src/rdf/turtle.js';
import { policyImpact, type PolicyImpact } from '../../src/evolution/impact.js';
import { formatImpact } from '../../src/evolution/impact-format.js';
import { MINI } from '../store/store-spec.js';
import { studio } from '../helpers/cli.js';

const M = 'https://example.org/mini#';
let base: string;
beforeAll(async () => {
  base = await readFile(MINI, 'utf8');
});

const version = (text: string, name: string) => {
  const source: TurtleSource = { file: name, text, baseIri: `file:///${name}` };
  return { source, quads: parseTurtle(source) };
};
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`edit: ${from} not found`);
  return text.replace(from, to);
}
const impactOf = (edited: string) => policyImpact(version(base, 'old.ttl'), version(edited, 'new.ttl'));
/** The end of conf-003, the permission that conflicts with conf-001. */
const CONF_003_RANK = 'studio:expectedBehaviour studio:Inform ;\n    studio:authorityRank 2 .\n';
const local = (iri: string) => iri.slice(M.length);
const dependents = (i: PolicyImpact) => i.dependents.map((d) => `${local(d.rule)} ${d.via} ${local(d.on)} ${d.depth}`);
const conflicts = (i: PolicyImpact) => i.conflicts.map((c) => `${c.change} ${c.kind} ${local(c.prohibition)} ${local(c.permissive)}`);

describe('policyImpact', () => {
  it('finds the rules that refer to or are exceptions to a changed rule, and no conflict change', async () => {
    const impact = await impactOf(edit(base, '"Employees must not accept gifts from suppliers."', '"Employees must not accept any gift from a supplier."'));
    expect(impact.changedRules.map(local)).toEqual(['gifts-001']);
    expect(dependents(impact)).toEqual(['gifts-002 refersTo gifts-001 1', 'gifts-003 exceptionTo gifts-001 1']);
    expect(impact.conflicts).toEqual([]);
  });

  it('walks further: a rule depending on a dependent is two steps away', async () => {
    // conf-002 now refers to gifts-002, which refers to gifts-001.
    const impact = await impactOf(edit(edit(base, '"Employees must not accept gifts from suppliers."', '"Employees must never accept gifts from suppliers."'), 'studio:expectedBehaviour studio:Warn .\n\nmini:conf-003', 'studio:expectedBehaviour studio:Warn ; studio:refersTo mini:gifts-002 .\n\nmini:conf-003'));
    expect(dependents(impact)).toContain('gifts-002 refersTo gifts-001 1');
    expect(impact.changedRules.map(local)).toEqual(['conf-002', 'gifts-001']);
    // conf-002 changed itself, so it is a change, not a dependent.
    expect(dependents(impact).some((d) => d.startsWith('conf-002'))).toBe(false);
  });

  it('says which conflicts appear, disappear and resolve otherwise', async () => {
    const internal = '\nmini:cond-internal a studio:AudienceCondition ; rdfs:label "internal audience" ; studio:audience studio:Internal .\n';
    const gone = await impactOf(edit(base, CONF_003_RANK, `${CONF_003_RANK.replace(' .', ' ; studio:condition mini:cond-internal .')}${internal}`));
    expect(conflicts(gone)).toEqual(['disappeared conflict conf-001 conf-003']);
    expect(gone.conflicts[0]!.before).toMatchObject({ certainty: 'definite', winner: null });

    const resolved = await impactOf(edit(base, CONF_003_RANK, CONF_003_RANK.replace('2', '3')));
    expect(conflicts(resolved)).toEqual(['changed conflict conf-001 conf-003']);
    expect(resolved.conflicts[0]!.after).toMatchObject({ principle: 'lexSuperior', winner: `${M}conf-003` });

    const permission = `\nmini:gifts-004 a studio:Permission ; rdfs:label "Managers may accept gifts" ; studio:inPolicy mini:policy ; studio:section mini:s1 ;
    studio:text "Managers may accept gifts from vendors." ; studio:bearer studio:Manager ; studio:action mini:acceptGift ; studio:target mini:gift ;
    studio:counterparty mini:vendor ; studio:expectedBehaviour studio:Inform .\n`;
    const appeared = await impactOf(base + permission);
    expect(appeared.changedRules.map(local)).toEqual(['gifts-004']);
    expect(conflicts(appeared)).toContain('appeared conflict gifts-001 gifts-004');
    expect(formatImpact(appeared, 'markdown')).toContain('| appeared | conflict | gifts-001 | gifts-004 |');
  });

  it('follows a renamed rule: its conflict neither appears nor disappears', async () => {
    const impact = await impactOf(base.replaceAll('mini:conf-003', 'mini:conf-003-managers'));
    expect(impact.diff.rules.renamed.map((r) => `${local(r.from)} -> ${local(r.to)}`)).toEqual(['conf-003 -> conf-003-managers']);
    expect(impact.conflicts).toEqual([]);
  });

  it('studio impact prints the counts and exits 1 on a change, 0 on none', () => {
    const changed = studio(['impact', 'examples/evolution/telemarketing-sales-rule-2023.ttl', 'examples/evolution/telemarketing-sales-rule-2024.ttl', '--no-validate']);
    expect(changed.code, changed.stderr).toBe(1);
    expect(changed.stdout).toContain('4 rules changed; 5 rules depend on them');
    expect(changed.stdout).toMatch(/no-misrepresentation\s+hasException\s+business-exemption\s+1/);
    const same = studio(['impact', MINI, MINI, '--format', 'json']);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout).counts).toEqual({ changedRules: 0, dependents: 0, conflictsAppeared: 0, conflictsDisappeared: 0, conflictsChanged: 0 });
  });
});
