/**
 * The diff that reads only what differs between two texts (evolution/fast-diff.ts) gives exactly what
 * diffPolicies gives on the whole files, on the two TSR editions both ways, on sample policies edited one way
 * per case (a rule reworded, a named condition's threshold, a rule renamed and another referring to it, a term
 * renamed, a rule removed), and gives up where it cannot vouch for the result.
 */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseTurtle } from '../../src/rdf/turtle.js';
import { diffPolicies } from '../../src/evolution/diff.js';
import { fastDiff } from '../../src/evolution/fast-diff.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { studio } from '../helpers/cli.js';

const whole = (a: string, b: string) => diffPolicies(parseTurtle({ file: 'a.ttl', text: a, baseIri: 'file:///a.ttl' }), parseTurtle({ file: 'b.ttl', text: b, baseIri: 'file:///b.ttl' }));
function edit(text: string, from: string | RegExp, to: string): string {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit: ${String(from)} not found`);
  return next;
}

describe('fastDiff', () => {
  it('equals diffPolicies on the two editions of the Telemarketing Sales Rule, both ways', async () => {
    const [a, b] = [await readFile('examples/evolution/telemarketing-sales-rule-2023.ttl', 'utf8'), await readFile('examples/evolution/telemarketing-sales-rule-2024.ttl', 'utf8')];
    for (const [x, y] of [[a, b], [b, a], [a, a]] as const) {
      const fast = fastDiff(x, y);
      expect(fast).toBeDefined();
      expect(fast).toEqual(whole(x, y));
    }
  });

  it('equals diffPolicies on the gifts code edited one way per case', async () => {
    const base = await readFile('policies/gifts-code.ttl', 'utf8');
    const cases: [string, string][] = [
      ['reworded', edit(base, 'must not let a prohibited source give a gift', 'must not allow a prohibited source to give a gift')],
      ['term relabelled', edit(base, 'rdfs:label "solicit a gift" .', 'rdfs:label "ask for a gift" .')],
      ['term renamed', base.replaceAll('gov:solicitGift', 'gov:askForGift')],
      ['term added', edit(base, 'gov:Ministry a studio:Agency ;', 'gov:Bureau a studio:Agency ; rdfs:label "bureau" ; studio:broader gov:Agency .\ngov:Ministry a studio:Agency ;')],
      ['rule renamed', base.replaceAll('gov:p-accept-family ', 'gov:p-accept-family-renumbered ').replaceAll('gov:p-accept-family,', 'gov:p-accept-family-renumbered,').replaceAll('gov:p-accept-family .', 'gov:p-accept-family-renumbered .').replaceAll('gov:p-accept-family\n', 'gov:p-accept-family-renumbered\n')],
    ];
    const conditions = [...base.matchAll(/^(gov:cond-[\w-]+) a studio:ThresholdCondition/gm)].map((m) => m[1]!);
    if (conditions.length > 0) cases.push(['condition changed', edit(base, new RegExp(`(${conditions[0]} a studio:ThresholdCondition[^]*?studio:(?:max|min)(?:In|Ex)clusive )"?([\\d.]+)`), '$1"999"^^xsd:decimal')]);
    for (const [name, edited] of cases) {
      const fast = fastDiff(base, edited);
      expect(fast, name).toBeDefined();
      expect(fast, name).toEqual(whole(base, edited));
    }
  });

  it('gives up, for the whole reading, on what it cannot vouch for', () => {
    const head = '@prefix studio: <https://w3id.org/alignment-studio/ns#> .\n@prefix e: <https://example.org/e#> .\n';
    const body = 'e:p a studio:Policy .\ne:r a studio:Prohibition ; studio:text "x" .\n';
    const reasons: string[] = [];
    expect(fastDiff(head + body, head + body.replace('"x"', '"y"') + '_:b a studio:Role .\n', (r) => reasons.push(r))).toBeUndefined();
    expect(fastDiff(head + body, head.replace('e#', 'f#') + body, (r) => reasons.push(r))).toBeUndefined();
    expect(fastDiff(head + body, 'PREFIX studio: <https://w3id.org/alignment-studio/ns#>\n' + body, (r) => reasons.push(r))).toBeUndefined();
    expect(reasons).toHaveLength(3);
    expect(fastDiff(head + body, head + body.replace('"x"', '"y"'))).toEqual(whole(head + body, head + body.replace('"x"', '"y"')));
  });

  it('a syntax error in a changed statement of the new text: fastDiff throws, and studio diff --no-validate names file and line (exit 2)', async () => {
    const base = await readFile('examples/evolution/telemarketing-sales-rule-2024.ttl', 'utf8');
    const broken = edit(base, 'studio:text "The disclosure duty before payment', 'studio:text "The disclosure duty before payment" "');
    expect(() => fastDiff(base, broken)).toThrow();
    const dir = await mkdtemp(path.join(tmpdir(), 'studio-fast-diff-'));
    try {
      await writeFile(path.join(dir, 'new.ttl'), broken);
      const line = broken.slice(0, broken.indexOf('payment" "')).split('\n').length;
      const result = studio(['diff', 'examples/evolution/telemarketing-sales-rule-2024.ttl', path.join(dir, 'new.ttl'), '--no-validate']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`new.ttl:${line}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
