/**
 * How long `studio ingest`'s work takes on a long document, without an LLM: the
 * annotated Kestrel guidelines repeated N times (default 7, about 167 kB, the
 * text of some 50 printed pages), as one Markdown file. Prints the size, the
 * sections and provisions found, and the time to read, outline, find
 * provisions and draft the Turtle (the shapes check is timed apart).
 *
 * Then the same for a PDF of 50 pages (tests/helpers/pdf.ts writes it: the
 * 5 CFR 2635 text, wrapped at 95 characters, 52 lines a page, repeated until
 * 50 pages are full), end to end: pdf.js reading the text layer included.
 *
 *   npx tsx scripts/bench/ingest-speed.ts [copies] [pages]
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ingest } from '../../src/ingest/ingest.js';
import { PolicyValidator } from '../../src/validation/validator.js';
import { makePdf } from '../../tests/helpers/pdf.js';

const copies = Number(process.argv[2] ?? 7);
const source = await readFile('examples/ingest/kestrel-guidelines.md', 'utf8');
const file = path.join(await mkdtemp(path.join(tmpdir(), 'ingest-speed-')), 'long.md');
await writeFile(file, Array.from({ length: copies }, () => source).join('\n'));

await ingest('examples/ingest/kestrel-guidelines.md'); // loads compromise once, as a warm CLI would
const t0 = performance.now();
const result = await ingest(file);
const t1 = performance.now();
const validator = await PolicyValidator.create();
const t2 = performance.now();
const report = await validator.validateSources([{ file: 'long.draft.ttl', text: result.turtle, baseIri: 'file:///long.draft.ttl' }]);
const t3 = performance.now();
console.log(`${copies} copies, ${Buffer.byteLength(result.document.text)} bytes: ${result.sections.length} sections, ${result.provisions.length} provisions, ${result.quads.length} triples`);
console.log(`ingest (read, outline, provisions, Turtle): ${((t1 - t0) / 1000).toFixed(2)} s; shapes check: ${((t3 - t2) / 1000).toFixed(2)} s (${report.conforms ? 'conforms' : 'VIOLATIONS'})`);

const pageCount = Number(process.argv[3] ?? 50);
const lines = (await readFile('examples/ingest/5cfr2635-gifts.md', 'utf8')).replace(/^#+\s*/gm, '').split('\n').flatMap((line) => {
  const out: string[] = [];
  let rest = line;
  while (rest.length > 95) {
    const cut = rest.lastIndexOf(' ', 95);
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut + 1);
  }
  out.push(rest);
  return out;
});
const pages = Array.from({ length: pageCount }, (_, i) => Array.from({ length: 52 }, (_, j) => lines[(i * 52 + j) % lines.length]!));
const pdfFile = path.join(path.dirname(file), 'long.pdf');
await writeFile(pdfFile, makePdf({ pages }));
const p0 = performance.now();
const pdfResult = await ingest(pdfFile, { maxBytes: 50 * 1024 * 1024 });
const p1 = performance.now();
const pdfReport = await validator.validateSources([{ file: 'long-pdf.draft.ttl', text: pdfResult.turtle, baseIri: 'file:///long-pdf.draft.ttl' }]);
const p2 = performance.now();
console.log(`PDF of ${pdfResult.document.pages?.length} pages, ${(await readFile(pdfFile)).length} bytes, ${pdfResult.document.text.length} characters: ${pdfResult.sections.length} sections, ${pdfResult.provisions.length} provisions`);
console.log(`ingest (pdf.js text layer, outline, provisions, Turtle): ${((p1 - p0) / 1000).toFixed(2)} s; shapes check: ${((p2 - p1) / 1000).toFixed(2)} s (${pdfReport.conforms ? 'conforms' : 'VIOLATIONS'})`);
