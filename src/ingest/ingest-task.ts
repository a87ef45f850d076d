/**
 * The two things the API's /v1/ingest routes ask of a worker thread, as plain
 * data in and out: draft a policy from a document's bytes, or apply review
 * decisions to a draft. Each result has passed the shapes; a document or a
 * review that cannot be used is a `refused` answer with the reason, never a
 * partial result.
 */

import { decodeDocument, type DocumentFormat } from './document.js';
import { draftDocument } from './ingest.js';
import { loadFieldsPrompt } from './llm-fields.js';
import { readTermCatalogue } from './term-catalogue.js';
import { LlmClient } from '../llm/client.js';
import type { LlmConfig } from '../llm/llm-config.js';
import type { TurtleSource } from '../rdf/turtle.js';
import { ingestionSummary } from './summary.js';
import { parseDraft, reviewedTurtle, type ReviewDecisions } from './review.js';
import { PolicyValidator } from '../validation/validator.js';
import { ConfigError, LlmError, StudioError } from '../errors.js';

/** With a language model: its settings (the studio's `llm`), and loaded policies whose terms its answers are mapped to. */
export interface IngestLlm {
  readonly config: LlmConfig;
  readonly terms: readonly TurtleSource[];
}

export type IngestTask =
  | { readonly kind: 'draft'; readonly filename: string; readonly format: DocumentFormat; readonly bytes: Uint8Array; readonly policyIri?: string; readonly anyLanguage: boolean; readonly llm?: IngestLlm }
  /** `with`: policies validated together with the draft, where the terms it names are declared. */
  | { readonly kind: 'review'; readonly filename: string; readonly draft: string; readonly decisions: ReviewDecisions; readonly with?: readonly TurtleSource[] }
  /** Makes the validator ready, so that the first real task does not wait for it. */
  | { readonly kind: 'warm' };

export type IngestAnswer =
  | { readonly kind: 'done'; readonly result: Record<string, unknown> }
  | { readonly kind: 'refused'; readonly reason: string; readonly violations?: readonly unknown[] }
  /** The language model could not be reached or kept failing: nothing was drafted. */
  | { readonly kind: 'llm-failed'; readonly reason: string };

let validator: Promise<PolicyValidator> | undefined;

/** Runs one task; a StudioError (what is wrong with the input) becomes a refusal, anything else is thrown. */
export async function runIngestTask(task: IngestTask): Promise<IngestAnswer> {
  try {
    validator ??= PolicyValidator.create();
    if (task.kind === 'warm') {
      await validator;
      return { kind: 'done', result: {} };
    }
    if (task.kind === 'draft') {
      const document = await decodeDocument(task.filename, task.format, Buffer.from(task.bytes), task.anyLanguage);
      const llm = task.llm && { client: new LlmClient(task.llm.config), prompt: await loadFieldsPrompt(), catalogue: await readTermCatalogue(task.llm.terms) };
      const result = await draftDocument(document, { ...(task.policyIri ? { policyIri: task.policyIri } : {}), ...(llm ? { llm } : {}) });
      // A draft naming a loaded policy's terms is checked with that policy, as `studio ingest --terms` checks it.
      const report = await (await validator).validateSources([{ file: `${task.filename}.draft.ttl`, text: result.turtle, baseIri: `file:///upload/${task.filename}.draft.ttl` }, ...(llm?.catalogue.sources ?? [])]);
      if (!report.conforms) throw new Error(`the draft of ${task.filename} does not pass the shapes (${report.violations.length + report.syntaxErrors.length} problem(s)); this is a defect of studio ingest`);
      return { kind: 'done', result: { ...ingestionSummary(result, undefined, llm?.catalogue), turtle: result.turtle } };
    }
    const baseIri = `file:///upload/${task.filename}`;
    const draft = parseDraft(task.filename, task.draft, baseIri);
    const { outcome, turtle } = reviewedTurtle(draft, task.draft, task.decisions);
    const report = await (await validator).validateSources([{ file: task.filename, text: turtle, baseIri }, ...(task.with ?? [])]);
    if (!report.conforms) {
      return { kind: 'refused', reason: `the reviewed draft would not pass the shapes (${report.violations.length + report.syntaxErrors.length} problem(s)); nothing was changed`, violations: [...report.violations, ...report.syntaxErrors.map((e) => ({ message: e.message }))].slice(0, 20) };
    }
    return { kind: 'done', result: { accepted: outcome.accepted, edited: outcome.edited, rejected: outcome.rejected, cascaded: outcome.cascaded, turtle } };
  } catch (error) {
    if (error instanceof LlmError || error instanceof ConfigError) return { kind: 'llm-failed', reason: error.message };
    if (error instanceof StudioError) return { kind: 'refused', reason: error.message };
    throw error;
  }
}
