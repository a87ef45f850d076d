/** From a document to a draft policy and its review table: read, outline, find provisions, draft, check against the shapes. */

import type { Quad } from '@rdfjs/types';
import { layoutOf, readDocument, type SourceDocument } from './document.js';
import { BOUND_WORDS, THRESHOLD_UNITS, draftQuads, namespaceOf } from './draft.js';
import { findProvisions, type DraftProvision } from './provisions.js';
import { parseStructure, type DocumentSection } from './structure.js';
import { serializeQuads } from '../rdf/serialize.js';
import path from 'node:path';
import { draftFields, thresholdLabels, type LlmDrafting } from './llm-fields.js';
import type { LlmClient } from '../llm/client.js';
import type { PromptTemplate } from '../llm/prompt-template.js';
import { readTermCatalogue, type TermCatalogue } from './term-catalogue.js';

export interface IngestOptions {
  readonly policyIri?: string;
  readonly maxBytes?: number;
  /** Ingest text that does not read as English. */
  readonly anyLanguage?: boolean;
  /** Ask a language model for each provision's fields (bearer, action, ...). */
  readonly llm?: {
    readonly client: LlmClient;
    readonly prompt: PromptTemplate;
    /** The policy's terms the model may name (default: the studio's shared terms only). */
    readonly catalogue?: TermCatalogue;
    readonly progress?: (done: number, total: number) => void;
  };
}

export interface Ingestion {
  readonly document: SourceDocument;
  readonly sections: readonly DocumentSection[];
  readonly provisions: readonly DraftProvision[];
  readonly policyIri: string;
  readonly quads: readonly Quad[];
  /** The draft in Turtle, with a header saying where it comes from and what to review. */
  readonly turtle: string;
  /** What the language model answered, with --llm. */
  readonly llm?: LlmDrafting;
}

/** One row of the review table: what was found, where, and why. */
export interface ReviewRow {
  readonly provision: string;
  readonly section: string;
  readonly kind: string;
  readonly cues: readonly string[];
  readonly start: number;
  readonly end: number;
  /** For an exception: the provisions it qualifies. */
  readonly qualifies: readonly string[];
  readonly text: string;
}

export const AGENT = 'studio ingest 0.1.0';

/** The policy IRI used when none is given: one per document name. */
export function defaultPolicyIri(file: string): string {
  const name = path.basename(file).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase() || 'document';
  return `https://example.org/draft/${name}#policy`;
}

/** Ingests a document. Throws DocumentError on a document it refuses; writes nothing. */
export async function ingest(file: string, options: IngestOptions = {}): Promise<Ingestion> {
  return draftDocument(await readDocument(file, { maxBytes: options.maxBytes, anyLanguage: options.anyLanguage }), options);
}

/** Ingests a document already read, asking the language model of `options.llm` when there is one. */
export async function draftDocument(document: SourceDocument, options: IngestOptions = {}): Promise<Ingestion> {
  if (!options.llm) return ingestDocument(document, options);
  const outline = outlineOf(document);
  const thresholds = new Map(outline.provisions.map((p) => [p.id, thresholdLabels(p, THRESHOLD_UNITS, BOUND_WORDS)]));
  const llm = await draftFields(outline.provisions, { ...options.llm, catalogue: options.llm.catalogue ?? await readTermCatalogue([]), thresholds });
  return draftOf(document, outline, options, llm);
}

/** Ingests a document already read, without a language model. */
export function ingestDocument(document: SourceDocument, options: IngestOptions = {}): Ingestion {
  return draftOf(document, outlineOf(document), options);
}

/** A document's sections and candidate provisions. */
function outlineOf(document: SourceDocument): { sections: DocumentSection[]; provisions: DraftProvision[] } {
  const sections = parseStructure(document.text, layoutOf(document));
  return { sections, provisions: findProvisions(document.text, sections) };
}

/** The draft of an outlined document; `llm` holds a language model's answers for its provisions. */
function draftOf(document: SourceDocument, { sections, provisions }: { sections: DocumentSection[]; provisions: DraftProvision[] }, options: IngestOptions, llm?: LlmDrafting): Ingestion {
  const policyIri = options.policyIri ?? defaultPolicyIri(document.file);
  const quads = draftQuads(document, sections, provisions, { policyIri, agent: AGENT, ...(llm ? { llm } : {}) });
  const used = llm ? [...llm.outcomes.values()].filter((o) => o.ok).length : 0;
  const header = [
    `# Draft policy written by ${AGENT} from ${path.basename(document.file)}`,
    llm
      ? `# (SHA-256 ${document.sha256}); the fields of ${used} of ${llm.outcomes.size} provisions named by ${llm.model} (prompt ${llm.prompt.id} v${llm.prompt.version}).`
      : `# (SHA-256 ${document.sha256}), without a language model.`,
    '# Every provision is a studio:Draft: check its kind and text against the source span (dcterms:source),',
    llm
      ? '# keep, rename or replace each studio:ProposedTerm, and replace each studio:Unresolved placeholder with a term of the policy.'
      : '# then replace each studio:Unresolved placeholder (bearer, action, behaviour, quantity) with a term of the policy.',
    '',
  ].join('\n');
  const turtle = header + serializeQuads(quads, 'ttl', { draft: namespaceOf(policyIri) });
  return { document, sections, provisions, policyIri, quads, turtle, ...(llm ? { llm } : {}) };
}

/** The review table's rows, in document order. */
export function reviewRows(provisions: readonly DraftProvision[]): ReviewRow[] {
  return provisions.map((p) => ({
    provision: p.id,
    section: p.section.number ?? p.section.title,
    kind: p.kind,
    cues: p.cues.map((c) => c.text),
    start: p.start,
    end: p.end,
    qualifies: p.qualifies,
    text: p.text,
  }));
}
