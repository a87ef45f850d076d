/**
 * What an ingestion found, as the CLI prints it with --json and the API
 * answers it: the document, counts by kind, the placeholders left, what the
 * language model named, and the review table.
 */

import type { Ingestion } from './ingest.js';
import { reviewRows } from './ingest.js';
import type { ResolvedField } from './llm-fields.js';
import type { TermCatalogue } from './term-catalogue.js';
import { STUDIO } from '../vocabulary.js';

export function unresolvedCount(result: Ingestion): number {
  return result.quads.filter((q) => q.predicate.value.endsWith('#type') && q.object.value === `${STUDIO}Unresolved`).length;
}

export function countsByKind(result: Ingestion): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of result.provisions) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  return counts;
}

/** A field the model named, as the review table shows it: the term's label, with "(new)" for a proposed term. */
function fieldText(f: ResolvedField | undefined, catalogue: TermCatalogue | undefined): string {
  if (!f) return '';
  if (f.proposed) return `${f.proposed.label} (new)`;
  return catalogue?.terms.find((t) => t.iri === f.iri)?.label ?? f.iri!;
}

/** What the model gave each provision, for the review table: bearer, action, target, counterparty, circumstance, behaviours, or why nothing was used. */
export function modelColumns(result: Ingestion, id: string, catalogue: TermCatalogue | undefined) {
  const outcome = result.llm?.outcomes.get(id);
  if (!outcome) return undefined;
  if (!outcome.ok) return { refused: outcome.problem };
  const f = outcome.fields;
  return {
    bearer: fieldText(f.bearer, catalogue), action: fieldText(f.action, catalogue), target: fieldText(f.target, catalogue),
    counterparty: fieldText(f.counterparty, catalogue), circumstance: fieldText(f.circumstance, catalogue),
    quantities: f.quantities.map((q) => fieldText(q, catalogue)), behaviours: f.behaviours,
  };
}

/** Counts of the model step: provisions asked, answered usably, refused, and terms proposed. */
export function modelSummary(result: Ingestion) {
  if (!result.llm) return undefined;
  const outcomes = [...result.llm.outcomes.values()];
  const proposed = result.quads.filter((q) => q.predicate.value.endsWith('#type') && q.object.value === `${STUDIO}ProposedTerm`).length;
  return {
    model: result.llm.model, servedModel: result.llm.servedModel, prompt: result.llm.prompt,
    asked: outcomes.length, used: outcomes.filter((o) => o.ok).length, refused: outcomes.filter((o) => !o.ok).length,
    askedTwice: outcomes.filter((o) => o.attempts > 1).length, proposedTerms: proposed,
  };
}

/** The summary of an ingestion; `out` is where the draft was written, when it was. */
export function ingestionSummary(result: Ingestion, out?: string, catalogue?: TermCatalogue) {
  return {
    document: {
      file: result.document.file, format: result.document.format, sha256: result.document.sha256, characters: result.document.text.length,
      ...(result.document.pages ? { pages: result.document.pages.length } : {}), warnings: result.document.warnings ?? [],
    },
    policy: result.policyIri,
    ...(out ? { out } : {}),
    sections: result.sections.length,
    provisions: countsByKind(result),
    unresolved: unresolvedCount(result),
    ...(result.llm ? { llm: modelSummary(result) } : {}),
    review: reviewRows(result.provisions).map((r) => {
      const model = modelColumns(result, r.provision, catalogue);
      return model ? { ...r, model } : r;
    }),
  };
}
