/**
 * /v1/ingest: what `studio ingest` and `studio ingest review` do, for a
 * knowledge engineer's tools. POST a regulation's document (text, Markdown,
 * HTML, PDF with a text layer, DOCX) and get the draft policy (Turtle that
 * passes the shapes) with its review table; POST a draft with accept, reject
 * and edit decisions and get the reviewed draft. Nothing is stored: the
 * engineer uploads the reviewed draft to /v1/policies when it is ready. The
 * work runs in a worker thread, with a deadline.
 */

import type { FastifyInstance } from 'fastify';
import { POLICY_WRITERS } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, IRI_PATTERN, problems } from '../schemas.js';
import { MAX_DOCUMENT_BYTES, type DocumentFormat } from '../../ingest/document.js';
import { IngestThread } from '../../ingest/ingest-thread.js';
import type { IngestLlm } from '../../ingest/ingest-task.js';
import type { LlmConfig } from '../../llm/llm-config.js';
import { serializeQuads } from '../../rdf/serialize.js';
import type { GraphStore } from '../../store/graph-store.js';
import type { TurtleSource } from '../../rdf/turtle.js';
import { findLoadedPolicy } from '../derived-graphs.js';
import { EDITABLE_FIELDS, type EditableField } from '../../ingest/review.js';
import { TURTLE } from '../../rdf/turtle.js';

export interface IngestRoutesOptions {
  /** Largest document accepted, in bytes (default 5 MB, as the CLI). */
  readonly maxDocumentBytes?: number;
  /** Longest an ingestion or a review may run (default 60 s). */
  readonly deadlineMs?: number;
  /** Start the worker and its validator as soon as the server is ready. */
  readonly warm?: boolean;
  /** The studio's helper model (`llm` of the configuration), which a request with llm=true asks. */
  readonly llm?: LlmConfig;
}

/** The document types accepted, by content type. */
export const DOCUMENT_TYPES: Readonly<Record<string, DocumentFormat>> = {
  'text/plain': 'text',
  'text/markdown': 'markdown',
  'text/html': 'html',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
};

const EXTENSIONS: Readonly<Record<DocumentFormat, string>> = { text: '.txt', markdown: '.md', html: '.html', pdf: '.pdf', docx: '.docx' };
/** The largest draft a review takes, in characters. */
const MAX_DRAFT_CHARS = 2_000_000;
/** The review's JSON body limit: above anything the schema allows (so that a body the schema refuses gets its 400, not a 413). */
const REVIEW_BODY_LIMIT = 32 * 1024 * 1024;
const tags = ['ingestion'];

const reviewRow = {
  type: 'object',
  properties: {
    provision: { type: 'string' },
    section: { type: 'string' },
    kind: { type: 'string' },
    cues: { type: 'array', items: { type: 'string' } },
    start: { type: 'integer' },
    end: { type: 'integer' },
    qualifies: { type: 'array', items: { type: 'string' } },
    text: { type: 'string' },
    model: {
      type: 'object',
      description: 'with llm=true: what the model named for the provision (term labels, "(new)" for a proposed term), or why nothing it answered was used',
      properties: {
        bearer: { type: 'string' },
        action: { type: 'string' },
        target: { type: 'string' },
        counterparty: { type: 'string' },
        circumstance: { type: 'string' },
        quantities: { type: 'array', items: { type: 'string' } },
        behaviours: { type: 'array', items: { type: 'string' } },
        refused: { type: 'string' },
      },
    },
  },
  required: ['provision', 'section', 'kind', 'cues', 'start', 'end', 'qualifies', 'text'],
} as const;

const modelSummary = {
  type: 'object',
  description: 'with llm=true: the model asked, the prompt, and how its answers went',
  properties: {
    model: { type: 'string' },
    servedModel: { type: 'string', description: 'the model the endpoint says answered' },
    prompt: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, contentHash: { type: 'string' } }, required: ['id', 'version', 'contentHash'] },
    asked: { type: 'integer', description: 'provisions asked (every one but definitions)' },
    used: { type: 'integer', description: 'provisions whose answer was used' },
    refused: { type: 'integer', description: 'provisions whose answers stayed unusable: they keep their placeholders' },
    askedTwice: { type: 'integer' },
    proposedTerms: { type: 'integer', description: 'new terms (studio:ProposedTerm) the draft proposes' },
  },
  required: ['model', 'servedModel', 'prompt', 'asked', 'used', 'refused', 'askedTwice', 'proposedTerms'],
} as const;

const draftAnswer = {
  type: 'object',
  properties: {
    document: {
      type: 'object',
      properties: {
        file: { type: 'string' },
        format: { type: 'string', enum: Object.values(DOCUMENT_TYPES) },
        sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        characters: { type: 'integer' },
        pages: { type: 'integer' },
        warnings: { type: 'array', items: { type: 'string' } },
      },
      required: ['file', 'format', 'sha256', 'characters', 'warnings'],
    },
    policy: { type: 'string', description: "the draft policy's IRI" },
    sections: { type: 'integer' },
    provisions: { type: 'object', additionalProperties: { type: 'integer' }, description: 'candidate provisions by kind' },
    unresolved: { type: 'integer', description: 'studio:Unresolved placeholders left for the author' },
    llm: modelSummary,
    review: { type: 'array', items: reviewRow },
    turtle: { type: 'string', description: 'the draft policy, which passes the shapes' },
  },
  required: ['document', 'policy', 'sections', 'provisions', 'unresolved', 'review', 'turtle'],
} as const;

export async function ingestRoutes(app: FastifyInstance, options: IngestRoutesOptions & { readonly store: GraphStore }): Promise<void> {
  const maxBytes = options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
  const deadlineMs = options.deadlineMs ?? 60_000;
  // One worker thread for every ingestion, started on first use; stopped with the server.
  const thread = new IngestThread(deadlineMs);
  app.addHook('onClose', async () => thread.close());
  // Warm once the server listens, so that the first document does not wait for the worker and its shapes.
  if (options.warm) app.addHook('onReady', async () => thread.warm());

  /** What a draft with llm=true needs: the configured model, and the loaded policy whose terms its answers map to. */
  const llmOf = async (terms: string | undefined): Promise<IngestLlm> => {
    const config = options.llm;
    if (!config?.baseUrl || !config.model) {
      throw new HttpProblem(422, 'llm-not-configured', 'No language model is configured', 'llm=true asks the studio\'s helper model: set STUDIO_LLM_BASE_URL and STUDIO_LLM_MODEL (or "llm" in studio.config.json) where the server runs, and restart it.');
    }
    return { config, terms: terms === undefined ? [] : [await loadedSource(terms)] };
  };
  /** A loaded policy's Turtle, as the store keeps the version loaded; a store that keeps none (Neo4j, loaded by an older studio) exports it. 404 when not loaded. */
  const loadedSource = async (policy: string): Promise<TurtleSource> => {
    const loaded = await findLoadedPolicy(options.store, policy);
    const kept = await options.store.readVersion(policy, loaded.sha256);
    return { file: `${policy} (loaded)`, text: kept?.text ?? serializeQuads(await options.store.exportQuads(policy), 'ttl'), baseIri: kept?.baseIri ?? policy };
  };

  await app.register(async (documents) => {
    // Only the document types: any other content type is a 415.
    documents.removeAllContentTypeParsers();
    for (const type of Object.keys(DOCUMENT_TYPES)) {
      documents.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
    }
    documents.post<{ Querystring: { filename?: string; policy?: string; anyLanguage: boolean; llm: boolean; terms?: string }; Body: Buffer }>(
      '/ingest',
      {
        config: { roles: POLICY_WRITERS },
        schema: {
          tags,
          summary: 'Draft a policy from a regulation document',
          description:
            `Reads the document (its type from Content-Type; at most ${maxBytes} bytes, else 413), finds its sections and candidate provisions, and answers the draft policy as Turtle that passes the shapes, with the review table. ` +
            'Nothing is stored. A document that cannot be read (a PDF with no text layer, an encrypted or corrupt file, text that is not UTF-8 or not English) is a 422 saying what to do. ' +
            'With llm=true the configured helper model (`llm` of the configuration, STUDIO_LLM_*) names each provision\'s bearer, action, target, counterparty, circumstance, quantities and behaviours, mapped to the terms of the loaded policy `terms` where they match (as `studio ingest --llm --terms`); ' +
            'without a configured model that is a 422 (`llm-not-configured`), and a model that cannot be reached or keeps failing a 502 (`llm-unavailable`), with nothing drafted. ' +
            `The work stops after ${deadlineMs} ms (504).`,
          security: BEARER_SECURITY,
          consumes: Object.keys(DOCUMENT_TYPES),
          querystring: {
            type: 'object',
            properties: {
              filename: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,200}$', description: 'the name the draft and its errors use (default: document with the extension of its type)' },
              policy: { type: 'string', pattern: IRI_PATTERN, maxLength: 2000, description: "the draft policy's IRI; the draft's other IRIs share its namespace" },
              anyLanguage: { type: 'boolean', default: false, description: 'ingest a text that does not read as English (the cues are English words)' },
              llm: { type: 'boolean', default: false, description: "ask the configured helper model for each provision's fields" },
              terms: { type: 'string', pattern: IRI_PATTERN, maxLength: 2000, description: 'with llm=true: a loaded policy whose terms the answers are mapped to (404 when it is not loaded)' },
            },
            additionalProperties: false,
          },
          body: { description: 'the document\'s bytes' },
          response: {
            200: { description: 'The draft and its review table', ...draftAnswer },
            ...problems(...AUTH_PROBLEMS, 404, 413, 415, 422, 502),
          },
        },
      },
      async (request) => {
        const format = DOCUMENT_TYPES[String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()];
        if (!format || !Buffer.isBuffer(request.body) || request.body.length === 0) {
          throw new HttpProblem(400, 'invalid-request', 'No document', `Send the document's bytes as the body, with its type as Content-Type (${Object.keys(DOCUMENT_TYPES).join(', ')}).`);
        }
        const filename = request.query.filename ?? `document${EXTENSIONS[format]}`;
        if (request.query.terms !== undefined && !request.query.llm) throw new HttpProblem(400, 'invalid-request', 'terms needs llm', 'terms names the policy whose terms a language model\'s answers are mapped to; send llm=true with it.');
        const llm = request.query.llm ? await llmOf(request.query.terms) : undefined;
        const result = await thread.run({
          kind: 'draft', filename, format, bytes: request.body, anyLanguage: request.query.anyLanguage,
          ...(request.query.policy ? { policyIri: request.query.policy } : {}),
          ...(llm ? { llm } : {}),
        });
        if (result.kind === 'llm-failed') throw new HttpProblem(502, 'llm-unavailable', 'The language model did not answer', `${result.reason} Nothing was drafted; try again, or send the document without llm=true.`);
        if (result.kind === 'refused') {
          throw new HttpProblem(422, 'document-refused', 'The document cannot be ingested', result.reason.replace('pass --any-language', 'send anyLanguage=true').replace(', or raise the limit with --max-bytes', ''));
        }
        return result.result;
      },
    );
  });

  app.post<{ Body: { draft: string; filename?: string; with?: string; accept?: string[]; reject?: string[]; edit?: { iri: string; field: EditableField; value: string }[] } }>(
    '/ingest/review',
    {
      config: { roles: POLICY_WRITERS },
      bodyLimit: REVIEW_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Accept, edit or reject the provisions of a draft',
        description:
          'Applies the decisions to a draft written by POST /v1/ingest (or `studio ingest`): accepting a provision drops its studio:Draft type, an edit sets one field, rejecting removes the provision with what only it used. ' +
          'Answers the reviewed draft when it passes the shapes; a decision naming no provision of the draft, or a result that would not pass the shapes, is a 422 and nothing is changed. Nothing is stored.',
        security: BEARER_SECURITY,
        body: {
          type: 'object',
          properties: {
            draft: { type: 'string', minLength: 1, maxLength: MAX_DRAFT_CHARS, description: `the draft as Turtle (${TURTLE})` },
            filename: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,200}$', description: 'the name errors use (default draft.ttl)' },
            with: { type: 'string', pattern: IRI_PATTERN, maxLength: 2000, description: 'a loaded policy validated together with the draft, where the terms it names are declared (as `studio ingest review --with`; 404 when not loaded)' },
            accept: { type: 'array', maxItems: 5000, items: { type: 'string', minLength: 1, maxLength: 500 }, description: 'provisions to accept (local name, prefixed name or IRI)' },
            reject: { type: 'array', maxItems: 5000, items: { type: 'string', minLength: 1, maxLength: 500 } },
            edit: {
              type: 'array',
              maxItems: 5000,
              items: {
                type: 'object',
                properties: {
                  iri: { type: 'string', minLength: 1, maxLength: 500 },
                  field: { type: 'string', enum: Object.keys(EDITABLE_FIELDS) },
                  value: { type: 'string', maxLength: 5000 },
                },
                required: ['iri', 'field', 'value'],
                additionalProperties: false,
              },
            },
          },
          required: ['draft'],
          additionalProperties: false,
        },
        response: {
          200: {
            description: 'The reviewed draft',
            type: 'object',
            properties: {
              accepted: { type: 'array', items: { type: 'string' } },
              edited: { type: 'array', items: { type: 'object', properties: { iri: { type: 'string' }, field: { type: 'string' }, value: { type: 'string' } }, required: ['iri', 'field', 'value'] } },
              rejected: { type: 'array', items: { type: 'string' } },
              cascaded: { type: 'array', items: { type: 'string' }, description: 'exceptions removed with the only rule they qualified' },
              turtle: { type: 'string', description: 'the reviewed draft, which passes the shapes' },
            },
            required: ['accepted', 'edited', 'rejected', 'cascaded', 'turtle'],
          },
          ...problems(...AUTH_PROBLEMS, 404, 413, 415, 422),
        },
      },
    },
    async (request) => {
      const body = request.body;
      const others = body.with === undefined ? [] : [await loadedSource(body.with)];
      const result = await thread.run({
        kind: 'review', filename: body.filename ?? 'draft.ttl', draft: body.draft,
        decisions: { accept: body.accept ?? [], reject: body.reject ?? [], edit: body.edit ?? [] },
        with: others,
      });
      if (result.kind !== 'done') {
        throw new HttpProblem(422, 'document-refused', 'The review cannot be applied', result.reason, 'violations' in result && result.violations ? { violations: result.violations } : {});
      }
      return result.result;
    },
  );
}
