/**
 * How long `studio ingest`'s work takes on a long document, without an LLM: the
 * annotated Kestrel guidelines repeated N times (default 7, about 167 kB, the
 * text of some 50 printed pages), as one Markdown file. Prints the size, the
 * sections and provisions found, and the time to read, outline, find
 * provisions and draft the Turtle (the shapes check is timed apart).
 *
 *   npx tsx scripts/bench/ingest-speed.ts [copies]
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ingest } from '../../src/ingest/ingest.js';
import { PolicyValidator } from '../../src/validation/validator.js';

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
