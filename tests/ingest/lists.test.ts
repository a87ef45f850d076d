// A list under a lead-in: items that complete the lead-in's modal verb are provisions; items that are conditions are not.
import { describe, expect, it } from 'vitest';
import { ingestDocument } from '../../src/ingest/ingest.js';
import { PolicyValidator } from '../../src/validation/validator.js';

const TEXT = `# § 9.1 Gifts.

(a) Prohibition. Except as provided in this subpart, an employee may not, directly or indirectly:

(1) Solicit a gift from a prohibited source; or

(2) Accept a gift given because of the employee's official position.

(b) Awards. An employee may accept an award, provided that:

(i) The award is not from a prohibited source; and

(ii) Selection is made pursuant to written standards.

(c) Terms. Prohibited source means any person who:

(1) Contain information that relates to the agency.
`;

describe('list items', () => {
  const result = ingestDocument({ file: 'list.md', format: 'markdown', text: TEXT, sha256: '0'.repeat(64) });
  const rows = result.provisions.map((p) => [p.section.number, p.kind, p.text]);

  it('drafts each item of an enumerating lead-in as a rule with the lead-in\'s modality, and its exception qualifying every item', () => {
    expect(rows).toContainEqual(['9.1(a)(1)', 'Prohibition', 'Solicit a gift from a prohibited source']);
    expect(rows).toContainEqual(['9.1(a)(2)', 'Prohibition', "Accept a gift given because of the employee's official position"]);
    expect(rows.some(([, , text]) => String(text).endsWith('directly or indirectly:'))).toBe(false);
    const except = result.provisions.find((p) => p.kind === 'Exception' && p.text.startsWith('Except'));
    expect(except?.qualifies).toEqual(['sec-9-1-a-1-p1', 'sec-9-1-a-2-p1']);
    const item = result.provisions.find((p) => p.id === 'sec-9-1-a-1-p1')!;
    expect(item.leadIn?.text).toContain('may not, directly or indirectly:');
    expect(result.document.text.slice(item.start, item.end)).toBe(item.text);
  });

  it('keeps a lead-in whose list gives conditions, and reads no order in an item that completes a definition', () => {
    expect(rows).toContainEqual(['9.1(b)', 'Permission', 'An employee may accept an award, provided that:']);
    expect(rows.filter(([n]) => String(n).startsWith('9.1(b)('))).toEqual([]);
    expect(rows.filter(([n]) => n === '9.1(c)(1)')).toEqual([]);
  });

  it('passes the shapes', async () => {
    const validator = await PolicyValidator.create();
    const report = await validator.validateSources([{ file: 'list.ttl', text: result.turtle, baseIri: 'file:///list.ttl' }]);
    expect(report.violations).toEqual([]);
  });
});
