/**
 * studio ingest: from a regulation's text (plain text, Markdown, PDF, DOCX, HTML) to a draft
 * policy in Turtle and a review table. The draft is checked against the shapes
 * before it is written; on any error nothing is written.
 */

import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { ingest, reviewRows, type Ingestion } from '../../ingest/ingest.js';
import { MAX_DOCUMENT_BYTES } from '../../ingest/document.js';
import { shorten } from '../../ingest/draft.js';
import { PolicyValidator } from '../../validation/validator.js';
import { StudioError } from '../../errors.js';
import { formatTable, printJson } from '../output.js';
import { positiveInteger } from '../option-values.js';
import { STUDIO } from '../../vocabulary.js';

interface IngestOptions {
  out?: string;
  policy?: string;
  json?: boolean;
  maxBytes: number;
  anyLanguage?: boolean;
}

/** The draft file written when --out is not given: beside the document, named after it. */
function defaultOut(file: string): string {
  return path.join(path.dirname(file), `${path.basename(file).replace(/\.[^.]*$/, '')}.draft.ttl`);
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('draft a policy from a regulation (.txt, .md, .pdf, .docx, .html): sections, candidate provisions, modality, exceptions, definitions, thresholds, references')
    .argument('<file>', 'the regulation document (.txt, .md, .pdf with a text layer, .docx, .html)')
    .option('--out <file>', 'where to write the draft policy (default: <document>.draft.ttl beside the document)')
    .option('--policy <iri>', "the draft policy's IRI; the draft's other IRIs share its namespace")
    .option('--json', 'print the review table as JSON')
    .option('--max-bytes <n>', 'refuse documents larger than this', (v) => positiveInteger('--max-bytes', v), MAX_DOCUMENT_BYTES)
    .option('--any-language', 'ingest a text that does not read as English (the cues are English words)')
    .action(async (file: string, options: IngestOptions) => {
      const result = await ingest(file, { policyIri: options.policy, maxBytes: options.maxBytes, anyLanguage: options.anyLanguage });
      for (const warning of result.document.warnings ?? []) process.stderr.write(`warning: ${file}: ${warning}\n`);
      const out = options.out ?? defaultOut(file);
      const validator = await PolicyValidator.create();
      const report = await validator.validateSources([{ file: out, text: result.turtle, baseIri: pathToFileURL(path.resolve(out)).href }]);
      if (!report.conforms) {
        const first = report.violations[0] ?? report.syntaxErrors[0];
        throw new StudioError(`the draft of ${file} does not pass the shapes (${report.violations.length + report.syntaxErrors.length} problem(s), first: ${JSON.stringify(first)}); nothing was written. This is a defect of studio ingest: please report it with the document.`);
      }
      // Written whole or not at all: a temporary file renamed over the target.
      const temporary = `${out}.${process.pid}.tmp`;
      await writeFile(temporary, result.turtle);
      await rename(temporary, out);
      if (options.json) printJson(summaryJson(result, out));
      else process.stdout.write(summaryText(result, out));
    });
}

function unresolvedCount(result: Ingestion): number {
  return result.quads.filter((q) => q.predicate.value.endsWith('#type') && q.object.value === `${STUDIO}Unresolved`).length;
}

function countsByKind(result: Ingestion): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of result.provisions) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  return counts;
}

function summaryJson(result: Ingestion, out: string) {
  return {
    document: {
      file: result.document.file, format: result.document.format, sha256: result.document.sha256, characters: result.document.text.length,
      ...(result.document.pages ? { pages: result.document.pages.length } : {}), warnings: result.document.warnings ?? [],
    },
    policy: result.policyIri,
    out,
    sections: result.sections.length,
    provisions: countsByKind(result),
    unresolved: unresolvedCount(result),
    review: reviewRows(result.provisions),
  };
}

function summaryText(result: Ingestion, out: string): string {
  const rows = reviewRows(result.provisions).map((r) => [
    r.provision, r.section, r.kind, r.cues.join(', '), `${r.start}-${r.end}`, shorten(r.text, 10) + (r.qualifies.length > 0 ? `  [qualifies ${r.qualifies.join(', ')}]` : ''),
  ]);
  const counts = Object.entries(countsByKind(result)).map(([k, n]) => `${n} ${k.toLowerCase()}`).join(', ');
  return [
    `${result.document.file}: ${result.sections.length} sections, ${result.provisions.length} candidate provisions (${counts || 'none'})`,
    `sha256 ${result.document.sha256}`,
    formatTable(['provision', 'section', 'kind', 'cues', 'span', 'text'], rows),
    `wrote ${out}: a draft that passes the shapes, with ${unresolvedCount(result)} studio:Unresolved placeholders to replace`,
    '',
  ].join('\n');
}
