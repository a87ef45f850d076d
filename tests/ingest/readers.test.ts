// PDF, DOCX and HTML: read into text with their structure, and refused with a clear DocumentError when they cannot be read.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import N3 from 'n3';
import { readDocument } from '../../src/ingest/document.js';
import { ingest } from '../../src/ingest/ingest.js';
import { DocumentError } from '../../src/errors.js';
import { PolicyValidator } from '../../src/validation/validator.js';
import { STUDIO } from '../../src/vocabulary.js';
import { makePdf } from '../helpers/pdf.js';
import { makeDocx } from '../helpers/docx.js';

const dir = await mkdtemp(path.join(tmpdir(), 'studio-readers-'));
const file = async (name: string, content: string | Uint8Array) => {
  const target = path.join(dir, name);
  await writeFile(target, content);
  return target;
};

const PAGE_1 = ['§ 9.1 Gifts.', '(a) An employee may not accept a gift from a prohibited source.'];
const PAGE_2 = ['(b) An employee must report every gift worth more than $100.'];

describe('reading a PDF', () => {
  it('gives the text layer page by page, and sections that know their page', async () => {
    const pdf = await file('rule.pdf', makePdf({ pages: [PAGE_1, PAGE_2] }));
    const result = await ingest(pdf, { policyIri: 'https://example.org/pdf#policy' });
    expect(result.document.format).toBe('pdf');
    expect(result.document.pages?.map((p) => p.page)).toEqual([1, 2]);
    const [first, second] = result.document.pages!;
    expect(result.document.text.slice(first!.start, first!.end)).toBe(PAGE_1.join('\n'));
    expect(result.document.text.slice(second!.start, second!.end)).toBe(PAGE_2[0]);
    expect(result.provisions.map((p) => [p.section.number, p.kind])).toEqual([['9.1(a)', 'Prohibition'], ['9.1(b)', 'Obligation']]);
    const store = new N3.Store([...result.quads] as N3.Quad[]);
    const page = (s: string) => store.getObjects(N3.DataFactory.namedNode(`https://example.org/pdf#${s}`), N3.DataFactory.namedNode(`${STUDIO}page`), null).map((o) => o.value);
    expect(page('sec-9-1-a')).toEqual(['1']);
    expect(page('sec-9-1-b')).toEqual(['2']);
    expect(store.getObjects(null, N3.DataFactory.namedNode(`${STUDIO}textSha256`), null)).toHaveLength(1);
    const validator = await PolicyValidator.create();
    const report = await validator.validateSources([{ file: 'pdf.ttl', text: result.turtle, baseIri: 'file:///pdf.ttl' }]);
    expect(report.violations).toEqual([]);
  });

  it('warns about pages with no text layer among pages with text', async () => {
    const pdf = await file('mixed.pdf', makePdf({ pages: [PAGE_1], imagePages: 1 }));
    const document = await readDocument(pdf);
    expect(document.warnings).toEqual(['page(s) 2 of 2 have no text layer (scanned?): their content is not in the draft.']);
  });
});

describe('reading DOCX and HTML', () => {
  it('reads a DOCX with its headings as sections', async () => {
    const docx = await file('rule.docx', await makeDocx([[1, '§ 9.1 Gifts.'], '(a) An employee may not accept a gift.', '(b) An employee should report gifts.']));
    const result = await ingest(docx);
    expect(result.document.text).toBe('# § 9.1 Gifts.\n\n(a) An employee may not accept a gift.\n\n(b) An employee should report gifts.\n');
    expect(result.provisions.map((p) => [p.section.number, p.kind])).toEqual([['9.1(a)', 'Prohibition'], ['9.1(b)', 'Recommendation']]);
  });

  it('reads HTML: headings, paragraphs and list items, without scripts, styles or markup', async () => {
    const html = await file('rule.html', `<!doctype html><html><head><title>x</title><style>p{}</style></head><body>
      <h2>§ 9.1 Gifts &amp; favours.</h2><script>var rule = "you must click";</script>
      <p>(a) An employee <em>may not</em> accept a gift.</p><ul><li>(b) An employee must report it.</li></ul></body></html>`);
    const result = await ingest(html);
    expect(result.document.text).toBe('## § 9.1 Gifts & favours.\n\n(a) An employee may not accept a gift.\n\n(b) An employee must report it.\n');
    expect(result.provisions.map((p) => [p.section.number, p.kind])).toEqual([['9.1(a)', 'Prohibition'], ['9.1(b)', 'Obligation']]);
  });
});

describe('refusing what cannot be read', async () => {
  const english = 'An employee may not accept a gift from a prohibited source unless the ethics office approves it in writing.';
  it.each([
    ['a scanned PDF with no text layer', 'scan.pdf', makePdf({ imagePages: 2 }), /no text layer on any of its 2 page\(s\): it looks scanned\. Run OCR/],
    ['an encrypted PDF', 'locked.pdf', makePdf({ pages: [[english]], encrypted: true }), /encrypted and needs a password/],
    ['a corrupt PDF', 'broken.pdf', Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Cat'), /not a valid PDF/],
    ['an encrypted DOCX (an OLE container)', 'locked.docx', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), /encrypted \(password protected\) or an old Word \.doc/],
    ['a corrupt DOCX', 'broken.docx', Buffer.from('PK\u0003\u0004 truncated'), /DOCX cannot be read.*corrupt/],
    ['a text in German', 'regel.md', 'Ein Beschäftigter darf keine Geschenke von einer verbotenen Quelle annehmen, es sei denn, die Ethikstelle hat es schriftlich genehmigt. Der Vorgesetzte muss jeden Fall melden und die Unterlagen aufbewahren.', /reads as German \(ISO 639-3 'deu'\), not English.*--any-language/],
  ])('refuses %s with a DocumentError saying what to do', async (_, name, content, message) => {
    const target = await file(name, content);
    const error = await readDocument(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(target)).toBe(true);
  });

  it('ingests another language when told to, with a warning', async () => {
    const target = await file('regel2.md', 'Ein Beschäftigter darf keine Geschenke von einer verbotenen Quelle annehmen, es sei denn, die Ethikstelle hat es schriftlich genehmigt. Der Vorgesetzte muss jeden Fall melden.');
    const document = await readDocument(target, { anyLanguage: true });
    expect(document.warnings?.[0]).toMatch(/reads as German.*ingested anyway/);
  });

  it('refuses a PDF over the size limit before reading it', async () => {
    const target = await file('big.pdf', makePdf({ pages: [[english], [english]] }));
    await expect(readDocument(target, { maxBytes: 200 })).rejects.toThrow(/over the limit of 200 bytes/);
  });
});
