/**
 * The studio's error kinds. Tests check the kind, not the message; messages
 * say where and what, for the person who has to fix it.
 */

/** Base class of every error the studio raises on purpose. */
export class StudioError extends Error {
  /** Process exit code the CLI uses for this kind. */
  readonly exitCode: number = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A Turtle file that does not parse. */
export class TurtleSyntaxError extends StudioError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
  }
}

/** A file or folder that cannot be read. */
export class SourceNotFoundError extends StudioError {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
  }
}

/** A policy refused because it violates the shapes. */
export class PolicyInvalidError extends StudioError {
  override readonly exitCode = 1;
  constructor(readonly file: string, readonly violations: number) {
    super(`${file}: ${violations} shape violation(s); run 'studio validate ${file}' for details. Nothing was loaded.`);
  }
}

/** A version given to `studio diff` or `studio impact` that violates the shapes (exit 2: bad input, not a change). */
export class VersionInvalidError extends StudioError {
  constructor(readonly file: string, readonly violations: number) {
    super(`${file}: ${violations} shape violation(s); nothing was compared (use --no-validate to compare anyway)`);
  }
}

/** A query the store refuses: a write where only reads are allowed. */
export class ReadOnlyQueryError extends StudioError {
  constructor(detail: string) {
    super(`Refused: ${detail}. Ad-hoc queries are read-only; change the graph by editing the policy's Turtle and running 'studio load'.`);
  }
}

/** A query that does not parse or fails in the engine. */
export class QueryError extends StudioError {
  constructor(readonly query: string, detail: string, options?: { cause?: unknown }) {
    super(`Query ${query}: ${detail}`, options);
  }
}

/** A query stopped because it ran past its deadline. */
export class QueryTimeoutError extends StudioError {
  constructor(readonly query: string, readonly deadlineMs: number) {
    super(
      `Query ${query} ran past its deadline of ${deadlineMs / 1000} s and was stopped. Narrow it (LIMIT, fewer unbound patterns), or ask the operator to raise the deadline (STUDIO_ADHOC_DEADLINE_MS, STUDIO_NAMED_DEADLINE_MS).`,
    );
  }
}

/** A query refused because it waited past its bound for its turn behind other queries: the server is busy, the query itself may be fine. */
export class QueryBusyError extends StudioError {
  constructor(readonly query: string, readonly queueMs: number) {
    super(
      `Query ${query} waited ${queueMs / 1000} s for its turn behind other queries and was not started: the server is busy. Try again shortly; if this persists, ask the operator (STUDIO_QUERY_QUEUE_MS).`,
    );
  }
}

/** A query abandoned before it finished, because the server is closing. */
export class QueryAbortedError extends StudioError {
  constructor(readonly query: string) {
    super(`Query ${query} was abandoned: the server is shutting down. Try again once it is back.`);
  }
}

/** A named query that has no file. */
export class UnknownQueryError extends StudioError {
  constructor(readonly queryName: string, readonly known: readonly string[]) {
    super(`No named query '${queryName}'. Known: ${known.join(', ')}`);
  }
}

/** Configuration that cannot work. */
export class ConfigError extends StudioError {}

/** The data folder holds something the studio cannot read back. */
export class DataFolderError extends StudioError {}

/** A graph database that cannot be reached or refuses the studio. */
export class StoreConnectionError extends StudioError {}

/** A policy file that does not declare exactly one studio:Policy. */
export class PolicyDeclarationError extends StudioError {
  constructor(readonly file: string, readonly found: readonly string[]) {
    super(
      found.length === 0
        ? `${file}: declares no studio:Policy; add one ('<iri> a studio:Policy ; studio:implements <regulation>') so the studio knows what to replace on reload.`
        : `${file}: declares ${found.length} studio:Policy nodes (${found.join(', ')}); keep one policy per file.`,
    );
  }
}

/** A triple of an upload whose subject another loaded policy describes. */
export interface ForeignTriple {
  /** The triple as N-Triples. */
  readonly triple: string;
  /** The loaded policy whose resource the subject is. */
  readonly owner: string;
}

/** A policy upload that asserts triples about resources of another loaded policy. */
export class PolicyIsolationError extends StudioError {
  constructor(
    readonly file: string,
    readonly policy: string,
    /** The first offending triples (at most a few). */
    readonly triples: readonly ForeignTriple[],
    /** How many triples offend in all. */
    readonly total: number,
  ) {
    super(
      `${file}: policy ${policy} asserts ${total} triple(s) about resources of other loaded policies; a policy may only describe its own resources. ` +
        `${total > triples.length ? `First ${triples.length}` : 'They are'}: ${triples.map((t) => `${t.triple} (a resource of ${t.owner})`).join('; ')}. ` +
        'Move these triples into the policy that owns the resource. Nothing was loaded.',
    );
  }
}

/** A command-line option that makes no sense. */
export class InvalidOptionError extends StudioError {}

/** A triple no store can keep: a literal as subject, a relative IRI, a malformed language tag. */
export class InvalidTripleError extends StudioError {}

/** A version of a policy (by SHA-256 or a prefix of it) the store does not keep, or a prefix that names several. */
export class VersionNotFoundError extends StudioError {
  constructor(readonly policy: string, readonly ref: string, detail: string) {
    super(`${policy}@${ref}: ${detail}`);
  }
}

/** A policy IRI the store does not hold. */
export class PolicyNotLoadedError extends StudioError {
  constructor(readonly policy: string, loaded: readonly string[]) {
    super(`No policy <${policy}> is loaded${loaded.length ? `; loaded: ${loaded.join(', ')}` : "; load one with 'studio load <file.ttl>'"}.`);
  }
}

/** A template file (templates/<family>/<name>.yaml) that cannot be read, parsed or rendered. */
export class TemplateError extends StudioError {
  constructor(readonly file: string, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options);
  }
}

/** An audit suite (eval.jsonl) with a line that cannot be run; line 0 means the file as a whole. */
export class SuiteError extends StudioError {
  constructor(readonly file: string, readonly line: number, readonly detail: string) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
  }
}

/** An audit run that does not exist, or cannot be resumed or compared as asked. */
export class AuditRunError extends StudioError {}

/**
 * An LLM endpoint (any OpenAI-compatible server) that failed the studio.
 * Each subclass is one thing to check; the message names the endpoint and
 * the setting to change.
 */
export class LlmError extends StudioError {
  constructor(readonly endpoint: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The endpoint cannot be reached, or does not serve the chat-completions path at its base URL. */
export class LlmConnectionError extends LlmError {}

/** The endpoint refused the API key (401 or 403). */
export class LlmAuthError extends LlmError {}

/** The endpoint does not serve the model asked for. */
export class LlmModelError extends LlmError {
  constructor(endpoint: string, readonly model: string, message: string, options?: { cause?: unknown }) {
    super(endpoint, message, options);
  }
}

/** No complete answer within the timeout, on every attempt. */
export class LlmTimeoutError extends LlmError {}

/** Still rate-limited (429) after every retry, or asked to wait longer than the studio will. */
export class LlmRateLimitError extends LlmError {}

/** The endpoint kept failing (5xx) after every retry. */
export class LlmServerError extends LlmError {}

/** An answer the studio cannot use: a body that is not JSON, a reply without a message, or a request the endpoint rejects (400). */
export class LlmResponseError extends LlmError {}

/** A file of human verdicts with rows that cannot be imported; every problem is listed, and nothing is imported. */
export class HumanVerdictsError extends StudioError {
  constructor(readonly file: string, readonly problems: readonly { readonly line: number; readonly detail: string }[]) {
    super(
      `${file}: ${problems.length} problem(s); nothing was imported:\n${problems.map((p) => (p.line > 0 ? `${file}:${p.line}: ${p.detail}` : `${file}: ${p.detail}`)).join('\n')}`,
    );
  }
}

/** A file of test cases (or its mapping file) that cannot be imported; every problem is listed with its file and line, and nothing is imported. */
export class SuiteImportError extends StudioError {
  constructor(readonly file: string, readonly problems: readonly { readonly file: string; readonly line: number; readonly detail: string }[]) {
    super(`${file}: ${problems.length} problem(s); nothing was imported:\n${problems.map((p) => (p.line > 0 ? `${p.file}:${p.line}: ${p.detail}` : `${p.file}: ${p.detail}`)).join('\n')}`);
  }
}

/** A file of given answers with rows that cannot be graded; every problem is listed with its line, and nothing is graded. */
export class GivenAnswersError extends StudioError {
  constructor(readonly file: string, readonly problems: readonly { readonly line: number; readonly detail: string }[]) {
    super(`${file}: ${problems.length} problem(s); nothing was graded:\n${problems.map((p) => (p.line > 0 ? `${file}:${p.line}: ${p.detail}` : `${file}: ${p.detail}`)).join('\n')}`);
  }
}

/** A deployment context that is not declared for the policy. */
export class UnknownContextError extends StudioError {
  constructor(readonly context: string, known: readonly string[]) {
    super(`No deployment context <${context}> is declared${known.length ? `; declared: ${known.join(', ')}` : "; declare one with 'a studio:DeploymentContext' in the policy file"}.`);
  }
}

/** Written split files in which a validation or test record shares its (rule, template, entities) key with a training record. */
export class SplitLeakError extends StudioError {
  override readonly exitCode = 1;
  constructor(readonly folder: string, readonly leaks: number, example: string) {
    super(`${folder}: ${leaks} validation/test record(s) share their (rule, template, entities) key with a training record, e.g. ${example}`);
  }
}

/** A dataset folder or file the studio cannot use: the message names the file and line. */
export class DatasetError extends StudioError {}

/** A fine-tuning job that ended without a model (failed or cancelled at the endpoint). */
export class TrainingJobError extends StudioError {
  override readonly exitCode = 1;
}

/** A report that cannot be made or read: a policy without runs, a run whose journal is already broken, a file with no digest. */
export class ReportError extends StudioError {}

/** The browser that prints PDFs is not installed where the studio looks for it. */
export class BrowserMissingError extends StudioError {}

/**
 * A document `studio ingest` refuses (unsupported type, empty, binary, too large).
 * Nothing is written when it is raised.
 */
export class DocumentError extends StudioError {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
  }
}

/** A review decision that cannot be applied to a draft: an IRI that names no draft provision, an unknown field, a bad value. */
export class ReviewError extends StudioError {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
  }
}

/** An ingestion (the API's /v1/ingest) ran past its deadline and was stopped. */
export class IngestTimeoutError extends StudioError {}

/** An ingestion was abandoned because the server is shutting down. */
export class IngestAbortedError extends StudioError {}

/** A comparison of two versions of a policy (the API's /diff and /impact) ran past its deadline and was stopped. */
export class CompareTimeoutError extends StudioError {}

/** A comparison of two versions was abandoned because the server is shutting down. */
export class CompareAbortedError extends StudioError {}
