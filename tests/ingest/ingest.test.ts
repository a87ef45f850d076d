import { describe, expect, it } from 'vitest';
import N3 from 'n3';
import { ingest } from '../../src/ingest/ingest.js';
import { PolicyValidator } from '../../src/validation/validator.js';
import { PROV, STUDIO } from '../../src/vocabulary.js';

const FIXTURE = 'tests/ingest/fixtures/gifts-rule.md';
const D = 'https://example.org/gifts#';

describe('ingest', async () => {
  const result = await ingest(FIXTURE, { policyIri: `${D}policy` });
  const store = new N3.Store([...result.quads] as N3.Quad[]);
  const objects = (s: string, p: string) => store.getObjects(N3.DataFactory.namedNode(s.includes(':') ? s : D + s), N3.DataFactory.namedNode(p), null).map((o) => o.value);

  it('drafts a policy that passes the shapes', async () => {
    const validator = await PolicyValidator.create();
    const report = await validator.validateSources([{ file: 'draft.ttl', text: result.turtle, baseIri: 'file:///draft.ttl' }]);
    expect(report.violations).toEqual([]);
    expect(report.conforms).toBe(true);
  });

  it('finds every provision of the fixture with its kind, in document order', () => {
    expect(result.provisions.map((p) => [p.section.number, p.kind, p.cues.map((c) => c.text).join('/')])).toEqual([
      ['12.1(a)', 'Definition', 'means'],
      ['12.1(b)', 'Definition', 'means'],
      ['12.2(a)', 'Prohibition', 'shall not'],
      ['12.2(a)', 'Exception', 'except'],
      ['12.2(b)', 'Obligation', 'must'],
      ['12.2(b)(1)', 'Permission', 'may'],
      ['12.2(b)(2)', 'Recommendation', 'should'],
      ['12.2(c)', 'Exception', 'does not apply'],
      ['12.2(d)', 'Prohibition', 'Never'],
      ['12.2(d)', 'Prohibition', 'do not'],
      ['12.2(d)', 'Exception', 'unless'],
    ]);
  });

  it('links every provision to its source span, whose offsets cut its text out of the document', () => {
    for (const p of result.provisions.filter((x) => x.qualifies.length > 0 || x.kind !== 'Exception')) {
      const [span] = objects(p.id, 'http://purl.org/dc/terms/source');
      expect(objects(span!, `${PROV}wasQuotedFrom`)).toEqual([`${D}regulation`]);
      const start = Number(objects(span!, `${STUDIO}startOffset`)[0]);
      const end = Number(objects(span!, `${STUDIO}endOffset`)[0]);
      expect(result.document.text.slice(start, end)).toBe(p.text);
      expect(objects(span!, `${PROV}value`)).toEqual([p.text]);
    }
    expect(objects('regulation', `${STUDIO}sha256`)).toEqual([result.document.sha256]);
  });

  it('makes exceptions qualify their rule: in the same sentence, or the paragraph a reference names', () => {
    expect(objects('sec-12-2-a-p2', `${STUDIO}exceptionTo`)).toEqual([`${D}sec-12-2-a-p1`]);
    expect(objects('sec-12-2-c-p1', `${STUDIO}exceptionTo`)).toEqual([`${D}sec-12-2-a-p1`]);
    expect(objects('sec-12-2-c-p1', `${STUDIO}refersTo`)).toEqual([`${D}sec-12-2-a`]);
    const [condition] = objects('sec-12-2-d-p3', `${STUDIO}condition`);
    const [circumstance] = objects(condition!, `${STUDIO}circumstance`);
    expect(objects(circumstance!, 'http://www.w3.org/2000/01/rdf-schema#label')).toEqual(['the ethics office approves it in writing']);
  });

  it('marks what the text does not say as studio:Unresolved, and thresholds with their bound and unit', () => {
    const [bearer] = objects('sec-12-2-b-p1', `${STUDIO}bearer`);
    expect(objects(bearer!, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type')).toContain(`${STUDIO}Unresolved`);
    const [threshold] = objects('sec-12-2-b-p1', `${STUDIO}condition`);
    expect(objects(threshold!, `${STUDIO}minExclusive`)).toEqual(['100']);
    expect(objects(threshold!, `${STUDIO}unit`)).toEqual(['USD']);
    expect(objects('sec-12-1-a-p1', `${STUDIO}defines`).flatMap((t) => objects(t, 'http://www.w3.org/2000/01/rdf-schema#label'))).toEqual(['Gift']);
  });

  it('gives every section its offsets, number and own text', () => {
    const section = result.sections.find((s) => s.number === '12.2(b)(1)')!;
    expect(objects(section.key, `${STUDIO}sourceText`)).toEqual(['The report may be made by email.']);
    expect(result.document.text.slice(section.start, section.end)).toBe('(1) The report may be made by email.\n\n');
  });
});
