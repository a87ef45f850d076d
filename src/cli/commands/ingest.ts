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
import { InvalidOptionError, ReviewError, StudioError } from '../../errors.js';
import { reviewedTurtle, EDITABLE_FIELDS, listProvisions, parseDraft, type Edit, type EditableField } from '../../ingest/review.js';
import { readTurtle } from '../../rdf/turtle.js';
import { formatTable, printJson } from '../output.js';
import { positiveInteger } from '../option-values.js';
import { LlmClient } from '../../llm/client.js';
import { resolveConfig } from '../../config.js';
import { readTermCatalogue, type TermCatalogue } from '../../ingest/term-catalogue.js';
import { loadFieldsPrompt } from '../../ingest/llm-fields.js';
import { countsByKind, ingestionSummary, modelColumns, modelSummary, unresolvedCount } from '../../ingest/summary.js';
import { withProgress } from '../progress.js';

interface IngestOptions {
  out?: string;
  policy?: string;
  json?: boolean;
  maxBytes: number;
  anyLanguage?: boolean;
  llm?: boolean;
  terms: string[];
  templates?: string;
}

/** The draft file written when --out is not given: beside the document, named after it. */
function defaultOut(file: string): string {
  return path.join(path.dirname(file), `${path.basename(file).replace(/\.[^.]*$/, '')}.draft.ttl`);
}

export function registerIngest(program: Command): void {
  const command = program
    .command('ingest')
    .description('draft a policy from a regulation (.txt, .md, .pdf, .docx, .html): sections, candidate provisions, modality, exceptions, definitions, thresholds, references')
    .argument('<file>', 'the regulation document (.txt, .md, .pdf with a text layer, .docx, .html)')
    .option('--out <file>', 'where to write the draft policy (default: <document>.draft.ttl beside the document)')
    .option('--policy <iri>', "the draft policy's IRI; the draft's other IRIs share its namespace")
    .option('--json', 'print the review table as JSON')
    .option('--max-bytes <n>', 'refuse documents larger than this', (v) => positiveInteger('--max-bytes', v), MAX_DOCUMENT_BYTES)
    .option('--any-language', 'ingest a text that does not read as English (the cues are English words)')
    .option('--llm', 'ask the LLM of STUDIO_LLM_BASE_URL / STUDIO_LLM_MODEL (or "llm" in studio.config.json) for each provision\'s bearer, action, target, counterparty, circumstance, quantities and behaviours')
    .option('--terms <file>', "with --llm: a policy (Turtle) whose terms the model's answers are mapped to; repeatable", collect, [])
    .option('--templates <dir>', 'with --llm: a templates folder whose _ingest/fields.yaml replaces the studio\'s prompt')
    .action(async (file: string, options: IngestOptions) => {
      if (!options.llm && (options.terms.length > 0 || options.templates)) throw new InvalidOptionError('--terms and --templates need --llm');
      // Everything that can be refused is checked before the model is asked: the terms' files, the prompt and the endpoint's settings.
      const llm = options.llm
        ? { client: new LlmClient(resolveConfig().llm), prompt: await loadFieldsPrompt(options.templates), catalogue: await readTermCatalogue(options.terms) }
        : undefined;
      const result = llm
        ? await withProgress(`ingest --llm ${path.basename(file)}`, (progress) => ingest(file, { policyIri: options.policy, maxBytes: options.maxBytes, anyLanguage: options.anyLanguage, llm: { ...llm, progress } }))
        : await ingest(file, { policyIri: options.policy, maxBytes: options.maxBytes, anyLanguage: options.anyLanguage });
      for (const warning of result.document.warnings ?? []) process.stderr.write(`warning: ${file}: ${warning}\n`);
      const out = options.out ?? defaultOut(file);
      const validator = await PolicyValidator.create();
      // The draft names the terms of --terms files: they are validated with it (and not written).
      const report = await validator.validateSources([{ file: out, text: result.turtle, baseIri: pathToFileURL(path.resolve(out)).href }, ...(llm?.catalogue.sources ?? [])]);
      if (!report.conforms) {
        const first = report.violations[0] ?? report.syntaxErrors[0];
        throw new StudioError(`the draft of ${file} does not pass the shapes (${report.violations.length + report.syntaxErrors.length} problem(s), first: ${JSON.stringify(first)}); nothing was written. This is a defect of studio ingest: please report it with the document.`);
      }
      // Written whole or not at all: a temporary file renamed over the target.
      const temporary = `${out}.${process.pid}.tmp`;
      await writeFile(temporary, result.turtle);
      await rename(temporary, out);
      const catalogue = llm?.catalogue;
      if (options.json) printJson(ingestionSummary(result, out, catalogue));
      else process.stdout.write(summaryText(result, out, catalogue));
    });
  registerReview(command);
}

interface ReviewCliOptions {
  accept: string[];
  reject: string[];
  edit: string[];
  with: string[];
  out?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** studio ingest review <draft.ttl>: lists the provisions, or accepts, edits and rejects them and writes the result whole. */
function registerReview(ingestCommand: Command): void {
  ingestCommand
    .command('review')
    .description('list the provisions of a draft, or accept / edit / reject them by IRI (local name, draft:name or full IRI); the result must pass the shapes and is written whole')
    .argument('<draft>', 'a draft policy written by studio ingest')
    .option('--accept <iri>', 'accept a draft provision (it loses studio:Draft); repeatable', collect, [])
    .option('--reject <iri>', 'remove a provision, with the span, placeholders and exceptions only it used; repeatable', collect, [])
    .option('--edit <iri field=value>', `set one field (${Object.keys(EDITABLE_FIELDS).join(', ')}); repeatable`, collect, [])
    .option('--with <file>', 'policy files validated together with the draft (where the terms an edit names are declared); not written', collect, [])
    .option('--out <file>', 'write the reviewed draft here (default: in place)')
    .option('--json', 'print as JSON')
    .action(async (file: string, options: ReviewCliOptions) => {
      const source = await readTurtle(file);
      const draft = parseDraft(file, source.text, source.baseIri);
      const edits = options.edit.map((e): Edit => {
        const m = /^(\S+)\s+([A-Za-z]+)=([\s\S]*)$/.exec(e);
        if (!m) throw new ReviewError(file, `--edit '${e}': write it as '<iri> <field>=<value>'.`);
        if (!(m[2]! in EDITABLE_FIELDS)) throw new ReviewError(file, `--edit '${e}': unknown field '${m[2]}'; a review edits ${Object.keys(EDITABLE_FIELDS).join(', ')}.`);
        return { iri: m[1]!, field: m[2] as EditableField, value: m[3]! };
      });
      if (options.accept.length + options.reject.length + edits.length === 0) {
        const items = listProvisions(draft);
        if (options.json) printJson(items);
        else process.stdout.write(formatTable(['provision', 'section', 'kind', 'status', 'unresolved', 'text'], items.map((p) => [
          p.iri.startsWith(draft.namespace) ? p.iri.slice(draft.namespace.length) : p.iri, p.section ?? '', p.kind, p.draft ? 'draft' : 'reviewed', String(p.unresolved.length), shorten(p.text, 10),
        ])) + '\n');
        return;
      }
      const { outcome, turtle } = reviewedTurtle(draft, source.text, { accept: options.accept, reject: options.reject, edit: edits });
      const out = options.out ?? file;
      const others = await Promise.all(options.with.map((f) => readTurtle(f)));
      const validator = await PolicyValidator.create();
      const report = await validator.validateSources([{ file: out, text: turtle, baseIri: source.baseIri }, ...others]);
      if (!report.conforms) {
        const first = report.violations[0] ?? report.syntaxErrors[0];
        throw new ReviewError(file, `the reviewed draft would not pass the shapes (${report.violations.length + report.syntaxErrors.length} problem(s), first: ${JSON.stringify(first)}); nothing was written.`);
      }
      const temporary = `${out}.${process.pid}.tmp`;
      await writeFile(temporary, turtle);
      await rename(temporary, out);
      const summary = { out, accepted: outcome.accepted, edited: outcome.edited, rejected: outcome.rejected, cascaded: outcome.cascaded };
      if (options.json) printJson(summary);
      else process.stdout.write(`wrote ${out}: ${outcome.accepted.length} accepted, ${outcome.edited.length} edited, ${outcome.rejected.length} rejected${outcome.cascaded.length ? ` (and ${outcome.cascaded.length} exception(s) that qualified only them)` : ''}; it passes the shapes\n`);
    });
}

function summaryText(result: Ingestion, out: string, catalogue?: TermCatalogue): string {
  const rows = reviewRows(result.provisions).map((r) => {
    const row = [r.provision, r.section, r.kind, r.cues.join(', '), `${r.start}-${r.end}`];
    if (result.llm) {
      const model = modelColumns(result, r.provision, catalogue);
      if (!model) row.push('', '');
      else if ('refused' in model) row.push('(answer refused)', '');
      else row.push(model.bearer || model.circumstance, model.action);
    }
    row.push(shorten(r.text, 10) + (r.qualifies.length > 0 ? `  [qualifies ${r.qualifies.join(', ')}]` : ''));
    return row;
  });
  const counts = Object.entries(countsByKind(result)).map(([k, n]) => `${n} ${k.toLowerCase()}`).join(', ');
  const model = modelSummary(result);
  return [
    `${result.document.file}: ${result.sections.length} sections, ${result.provisions.length} candidate provisions (${counts || 'none'})`,
    `sha256 ${result.document.sha256}`,
    ...(model ? [`${model.model}${model.servedModel !== model.model ? ` (served as ${model.servedModel})` : ''}, prompt ${model.prompt.id} v${model.prompt.version}: fields named for ${model.used} of ${model.asked} provisions (${model.askedTwice} asked twice, ${model.refused} answer(s) refused: their placeholders stay), ${model.proposedTerms} new term(s) proposed`] : []),
    formatTable(['provision', 'section', 'kind', 'cues', 'span', ...(result.llm ? ['bearer / circumstance', 'action'] : []), 'text'], rows),
    `wrote ${out}: a draft that passes the shapes, with ${unresolvedCount(result)} studio:Unresolved placeholders to replace`,
    '',
  ].join('\n');
}
