/**
 * Two dated editions of a part of a real regulation, the US Telemarketing Sales Rule (16 CFR Part 310) as
 * the eCFR shows it on 1 January 2023 and on 1 June 2024, after the FTC's 2024 amendments. The changes
 * between them were listed by hand from the amendments; the diff must find exactly those.
 */

import { describe, expect, it } from 'vitest';
import { parseTurtle, readTurtle } from '../../src/rdf/turtle.js';
import { diffPolicies } from '../../src/evolution/diff.js';
import { PolicyValidator } from '../../src/validation/validator.js';
import { diffLines } from './diff-lines.js';

const OLD = 'examples/evolution/telemarketing-sales-rule-2023.ttl';
const NEW = 'examples/evolution/telemarketing-sales-rule-2024.ttl';
const TSR = 'https://example.org/16cfr310#';

describe('the Telemarketing Sales Rule, 2023 and 2024 editions', () => {
  it('both editions pass the shapes', async () => {
    const validator = await PolicyValidator.create();
    for (const file of [OLD, NEW]) expect((await validator.validateFiles([file])).violations).toEqual([]);
  });

  it('the diff finds exactly the changes of the 2024 amendments', async () => {
    const diff = diffPolicies(parseTurtle(await readTurtle(OLD)), parseTurtle(await readTurtle(NEW)));
    const byHand = [
      // The edition named by the policy.
      'policy changed version',
      // 16 CFR 310.5(a): a record of each call (number called, time, length, how it ended) is now kept too.
      'rules added keep-call-records',
      // 16 CFR 310.6(b)(7): calls to businesses are no longer exempt from the bans on misrepresentations (310.3(a)(2))
      // and false or misleading statements (310.3(a)(4)).
      'rules changed business-exemption exceptionTo',
      'rules changed business-exemption text',
      // 16 CFR 310.6(b)(5): inbound calls about technical support services are no longer exempt.
      'rules changed general-media-exemption condition',
      'rules changed general-media-exemption text',
      // 16 CFR 310.5(b): records are kept five years instead of 24 months.
      'rules changed keep-records condition',
      'rules changed keep-records label',
      'rules changed keep-records text',
      'sections changed sec-310-5 sourceText',
      'sections changed sec-310-6 sourceText',
      // What the new provisions speak of.
      'terms added CallDetailRecords',
      'terms added techSupport',
    ];
    expect(diffLines(diff, (iri) => iri.slice(TSR.length))).toEqual(byHand);

    const field = (rule: string, name: string) => diff.rules.changed.find((c) => c.iri === `${TSR}${rule}`)!.changes.find((f) => f.field === name)!;
    expect(field('keep-records', 'condition')).toMatchObject({ before: ['recordAge <= 24 months'], after: ['recordAge <= 5 years'] });
    expect(field('business-exemption', 'exceptionTo')).toMatchObject({ removed: [`${TSR}no-false-statement`, `${TSR}no-misrepresentation`], added: [] });
    expect(field('general-media-exemption', 'condition').added).toEqual(['not (investmentOffer or debtRelief or techSupport)']);
  });
});
