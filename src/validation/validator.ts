/**
 * Validates authored policies against ontology/shapes.ttl with shacl-engine,
 * and turns each SHACL result into a violation a knowledge engineer can act
 * on: file and line, focus node, path, the provision's section, what to fix.
 */

import N3 from 'n3';
import { SubjectDataset, termKey } from '../rdf/subject-dataset.js';
import { affectedNodes, changedSubjects, readsForwardOnly, targetedObjectsOf } from './affected-nodes.js';
import type { DatasetCore, Quad, Term } from '@rdfjs/types';
import { Validator } from 'shacl-engine';
import { validateInThread } from './validation-thread.js';
import { carryMirror, sparqlTargetResolvers, sparqlValidations } from './sparql-constraints.js';
import { ConformancePrecheck, type PrecheckEngine } from './conformance-precheck.js';
import { parseTurtle, readTurtle, type TurtleSource } from '../rdf/turtle.js';
import { DCTERMS, ONTOLOGY_FILE, RDF, SHAPES_FILE, SH, STUDIO, XSD, compactIri } from '../vocabulary.js';
import { declaredPrefixes, propertyLine, subjectLines } from './locate.js';
import { TurtleSyntaxError } from '../errors.js';
import type { Progress } from '../store/graph-store.js';

/** One thing wrong with a policy, said so that its author can fix it. */
export interface Violation {
  /** The file that describes the focus node, where known. */
  readonly file?: string;
  /** The line of the offending property where it can be found, else where the focus node's description starts. */
  readonly line?: number;
  readonly severity: 'violation' | 'warning' | 'info';
  /** The node that breaks the shape, compacted ("kes:gifts-004"). */
  readonly focusNode: string;
  /** The property concerned, compacted, where there is one. */
  readonly path?: string;
  /** The offending value, where there is one. */
  readonly value?: string;
  /** The provision's section ("4.2 Gifts from suppliers"), where known. */
  readonly section?: string;
  /** What is wrong and what to do about it. */
  readonly message: string;
  /** The SHACL constraint component that failed, without its namespace ("MinCount"). */
  readonly constraint: string;
  readonly shape: string;
}

/** What validating a set of files found. */
export interface ValidationReport {
  readonly conforms: boolean;
  readonly files: readonly string[];
  readonly syntaxErrors: readonly TurtleSyntaxError[];
  readonly violations: readonly Violation[];
  /** Triples validated, vocabulary excluded. */
  readonly triples: number;
}

// The data factory shacl-engine builds terms (and, for a report asked as RDF, its dataset) with.
const factory = { ...N3.DataFactory, dataset: (quads?: Quad[]) => new N3.Store(quads) };

/**
 * Sources of at least this many characters (about 5k rules) are validated in
 * a worker thread with a larger young generation than a process has by
 * default: shacl-engine's many short-lived objects then cost the collector
 * less (at 30k rules 112 scavenges against 406, about a seventh less CPU).
 * Node reads that size only when a thread starts (`resourceLimits`).
 */
const THREAD_FROM = 2_000_000;

/**
 * Focus nodes per call of shacl-engine: it remembers every (shape, node) it
 * visited for the length of a call, so pieces keep that memory flat.
 */
const PIECE = 2_000;

// The parts of shacl-engine's Shape and of grapoi's PathList used to resolve a shape's targets once.
interface EngineShape {
  resolveTargets(context: { focusNode: unknown }): Promise<{ terms: Term[] }>;
}
interface EngineValidator {
  shapesPtr: { constructor: new (options: { dataset: DatasetCore; factory: unknown; terms?: Term[] }) => unknown; node(terms: Term[]): unknown };
  shape(ptr: unknown): EngineShape;
}

/** shacl-engine over a shapes graph, as the studio runs it: SHACL-SPARQL answered in oxigraph (sparql-constraints.ts). */
export function shaclEngine(shapes: DatasetCore): Validator {
  return new Validator(shapes, { factory, validations: sparqlValidations, targetResolvers: sparqlTargetResolvers });
}

/** Validates policies; build one with PolicyValidator.create() and reuse it. */
export class PolicyValidator {
  private constructor(
    private readonly validator: Validator,
    private readonly nodeShapes: readonly Term[],
    private readonly vocabulary: readonly Quad[],
    /** Whether every shape reads only forward from its focus node (affected-nodes.ts): then an edit can be revalidated in part. */
    private readonly forwardOnly: boolean,
    /** The predicates whose objects shapes target. */
    private readonly targetObjectsOf: readonly Term[],
    /** Sources of at least this many characters are validated in a thread of their own (validation-thread.ts). */
    private readonly threadFrom: number,
    /** Passes the focus nodes that certainly conform without shacl-engine (conformance-precheck.ts); none when switched off. */
    private readonly precheck: ConformancePrecheck | undefined,
  ) {}

  /**
   * Loads the shapes and the vocabulary from ontology/. `precheck: false`
   * hands every focus node to shacl-engine, as a reference for the
   * pre-check's tests; the findings are the same either way.
   */
  static async create(options: { threadFrom?: number; precheck?: boolean } = {}): Promise<PolicyValidator> {
    const vocabulary = parseTurtle(await readTurtle(ONTOLOGY_FILE));
    // shacl-engine reads rdfs:subClassOf from the shapes graph, so the vocabulary goes there too.
    const shapes = new SubjectDataset([...parseTurtle(await readTurtle(SHAPES_FILE)), ...vocabulary]);
    const validator = shaclEngine(shapes);
    const nodeShapes = [...(shapes.match(null, N3.DataFactory.namedNode(`${RDF}type`), N3.DataFactory.namedNode(`${SH}NodeShape`)) as Iterable<Quad>)].map((q) => q.subject);
    const precheck = options.precheck === false ? undefined : new ConformancePrecheck(validator as unknown as PrecheckEngine);
    return new PolicyValidator(validator, nodeShapes, vocabulary, readsForwardOnly(shapes), targetedObjectsOf(shapes), options.threadFrom ?? THREAD_FROM, precheck);
  }

  /** Reads, parses and validates the given files together (they may refer to each other). */
  async validateFiles(files: readonly string[], progress?: Progress): Promise<ValidationReport> {
    const sources: TurtleSource[] = [];
    for (const file of files) sources.push(await readTurtle(file));
    return this.validateSources(sources, progress);
  }

  /**
   * Parses and validates Turtle sources already in memory. `parsed` sees each
   * file's quads as they are parsed, so that a caller that goes on to load
   * them (`studio load`) need not parse the files again.
   */
  async validateSources(sources: readonly TurtleSource[], progress?: Progress, parsed?: (source: TurtleSource, quads: readonly Quad[]) => void): Promise<ValidationReport> {
    const characters = sources.reduce((sum, source) => sum + source.text.length, 0);
    if (parsed || characters < this.threadFrom) return this.validateHere(sources, progress, parsed);
    const report = await validateInThread(sources, progress, { precheck: this.precheck !== undefined });
    return { ...report, syntaxErrors: report.syntaxErrors.map((e) => new TurtleSyntaxError(e.file, e.line, e.column, e.detail)) };
  }

  /** validateSources in the calling thread, whatever the size of the sources. */
  async validateHere(sources: readonly TurtleSource[], progress?: Progress, parsed?: (source: TurtleSource, quads: readonly Quad[]) => void): Promise<ValidationReport> {
    const syntaxErrors: TurtleSyntaxError[] = [];
    const unused: Violation[] = [];
    const dataset = this.newDataset();
    let triples = 0;
    for (const source of sources) {
      try {
        // Each file's quads go straight into the dataset, so they are not held twice.
        const quads = parseTurtle(source);
        dataset.addQuads(quads);
        triples += quads.length;
        unused.push(...noVocabulary(source, quads));
        parsed?.(source, quads);
      } catch (error) {
        if (error instanceof TurtleSyntaxError) syntaxErrors.push(error);
        else throw error;
      }
    }
    const files = sources.map((s) => s.file);
    if (syntaxErrors.length > 0) {
      return { conforms: false, files, syntaxErrors, violations: [], triples: 0 };
    }
    const violations = [...unused, ...(await this.validateDataset(dataset, sources, progress))];
    return { conforms: violations.length === 0, files, syntaxErrors, violations, triples };
  }

  /** Validates one source already parsed (the API parses an upload once, then checks and loads the same quads). */
  async validateParsed(source: TurtleSource, quads: readonly Quad[], progress?: Progress): Promise<Violation[]> {
    return (await this.revalidateParsed(source, quads, undefined, progress)).violations;
  }

  /**
   * Validates one source already parsed, and keeps what the next version of
   * it needs to be revalidated only where it changed. Given the validation of
   * an earlier version, only the nodes whose descriptions differ are
   * validated again, with every node that reaches one of them (a rule whose
   * bearer is no longer declared a role, say); the other findings carry over.
   * The violations are those a whole validation gives, located in the new text.
   */
  async revalidateParsed(source: TurtleSource, quads: readonly Quad[], previous?: KeptValidation, progress?: Progress): Promise<Revalidation> {
    let dataset: SubjectDataset;
    let findings: Finding[];
    let revalidated: number;
    if (previous && this.forwardOnly) {
      const changed = changedSubjects(previous.quads, quads);
      const keys = new Set(changed.keys());
      // The vocabulary's own triples about a changed subject stay with it.
      const revision = previous.dataset.revised(keys, [...this.vocabulary, ...quads]);
      dataset = revision.dataset;
      carryMirror(previous.dataset, dataset, revision.removed, revision.added);
      const affected = affectedNodes(previous.dataset, dataset, changed, this.targetObjectsOf);
      const carried = previous.findings.filter((finding) => !affected.has(termKey(finding.focus)));
      const fresh = await this.findings(dataset, progress, [...affected.values()]);
      findings = [...carried, ...fresh.found];
      revalidated = fresh.nodes;
    } else {
      dataset = this.newDataset();
      dataset.addQuads(quads);
      ({ found: findings, nodes: revalidated } = await this.findings(dataset, progress));
    }
    const violations = [...noVocabulary(source, quads), ...report(findings, dataset, [source])];
    return { violations, kept: { quads, dataset, findings }, revalidated };
  }

  private newDataset(): SubjectDataset {
    return new SubjectDataset(this.vocabulary);
  }

  /** Validates a dataset that already holds the vocabulary and the policies. */
  async validateDataset(dataset: SubjectDataset, sources: readonly TurtleSource[] = [], progress?: Progress): Promise<Violation[]> {
    return report((await this.findings(dataset, progress)).found, dataset, sources);
  }

  /** What the shapes find, on every focus node or (`only`) on the given nodes that shapes target. */
  private async findings(dataset: SubjectDataset, progress?: Progress, only?: readonly Term[]): Promise<{ found: Finding[]; nodes: number }> {
    const found: Finding[] = [];
    const validated = new Set<string>();
    if (only?.length === 0) return { found, nodes: 0 };
    const engine = this.validator as unknown as EngineValidator;
    // shacl-engine's own target resolution, over the same data its validation reads: for given nodes, the
    // pointer starts at them (targets by class are then looked up on them alone).
    const focusNode = new engine.shapesPtr.constructor({ dataset, factory, ...(only ? { terms: [...only] } : {}) });
    const wanted = only ? new Set(only.map(termKey)) : undefined;
    for (const [index, shape] of this.nodeShapes.entries()) {
      progress?.(index, this.nodeShapes.length);
      let targets = (await engine.shape(engine.shapesPtr.node([shape])).resolveTargets({ focusNode })).terms;
      if (wanted) targets = targets.filter((term) => wanted.has(termKey(term)));
      for (const term of targets) validated.add(termKey(term));
      // Only the nodes the pre-check cannot tell about need shacl-engine: the others would give it nothing to report.
      if (this.precheck) targets = this.precheck.undecided(shape, targets, dataset);
      for (let start = 0; start < targets.length; start += PIECE) {
        const terms = targets.slice(start, start + PIECE);
        const results = await this.validator.validate({ dataset: dataset as DatasetCore, terms } as { dataset: DatasetCore }, [{ terms: [shape] }]);
        for (const result of results.results as ShaclResult[]) found.push(toFinding(result));
      }
    }
    progress?.(this.nodeShapes.length, this.nodeShapes.length);
    return { found, nodes: validated.size };
  }
}

/** A validation of one version of a source, and what the next version needs. */
export interface Revalidation {
  readonly violations: Violation[];
  readonly kept: KeptValidation;
  /** Focus nodes validated: all of them, or after an earlier version those the edit reaches. */
  readonly revalidated: number;
}

/** What a validation keeps for revalidating the next version of the same source (PolicyValidator.revalidateParsed). */
export interface KeptValidation {
  /** The source's triples in the order parsed. */
  readonly quads: readonly Quad[];
  readonly dataset: SubjectDataset;
  readonly findings: readonly Finding[];
}

/** One result of a shape, in plain terms rather than shacl-engine's pointers (which hold on to the whole data). */
export interface Finding {
  readonly focus: Term;
  readonly path?: Term;
  readonly value?: Term;
  readonly severity: Term;
  readonly constraint: Term;
  readonly message?: Term;
  readonly shape: Term;
  /** For a blank-node property shape, whose label changes with every parse: the shape that holds it, and its path. */
  readonly heldBy?: { readonly shape: Term; readonly path?: Term };
}

function toFinding(result: ShaclResult): Finding {
  const path = result.path?.[0]?.predicates?.[0];
  const value = result.value?.term;
  const message = result.message[0];
  return {
    focus: result.focusNode.term,
    ...(path ? { path } : {}),
    ...(value !== undefined ? { value } : {}),
    severity: result.severity,
    constraint: result.constraintComponent,
    ...(message ? { message } : {}),
    shape: result.shape.ptr.term,
    ...(result.shape.ptr.term.termType === 'BlankNode' ? heldBy(result.shape.ptr) : {}),
  };
}

const SH_PROPERTY = N3.DataFactory.namedNode(`${SH}property`);
const SH_PATH = N3.DataFactory.namedNode(`${SH}path`);

/** Where a blank-node shape sits: the named shape with it as sh:property, and its path (a plain predicate). */
function heldBy(ptr: ShapePointer): Pick<Finding, 'heldBy'> {
  const holder = ptr.in([SH_PROPERTY]).terms.find((t) => t.termType === 'NamedNode');
  if (!holder) return {};
  const path = ptr.out([SH_PATH]).terms.find((t) => t.termType === 'NamedNode');
  return { heldBy: { shape: holder, ...(path ? { path } : {}) } };
}

/** The violations of a validation, located in its sources, each once, in the order of the files. */
function report(findings: readonly Finding[], dataset: SubjectDataset, sources: readonly TurtleSource[]): Violation[] {
  const locate = locator(sources);
  // The sources' prefixes, read from the texts only when there is something to report.
  let read: Record<string, string> | undefined;
  const prefixes = () => (read ??= sourcePrefixes(sources));
  const violations = [...findings.map((finding) => toViolation(finding, dataset, locate, prefixes)), ...impossibleDates(dataset, locate, prefixes)];
  // One mistake can reach a node through two shapes (a misspelt property on a term that is also a role):
  // each violation is reported once, as the first shape by name gives it, whatever the order they were found in.
  const unique = new Map<string, Violation>();
  for (const violation of violations) {
    const key = JSON.stringify([violation.file, violation.line, violation.focusNode, violation.path, violation.value, violation.constraint, violation.message]);
    const seen = unique.get(key);
    if (!seen || violation.shape < seen.shape) unique.set(key, violation);
  }
  return [...unique.values()].sort(byPlace);
}

// The parts of shacl-engine's Result the studio reads.
interface ShaclResult {
  focusNode: { term: Term };
  path?: { predicates: Term[] }[] | null;
  value?: { term: Term } | null;
  severity: Term;
  constraintComponent: Term;
  shape: { ptr: ShapePointer };
  message: Term[];
}

// The part of grapoi's pointer (shacl-engine's shape.ptr) the studio reads.
interface ShapePointer {
  term: Term;
  in(predicates: Term[]): { terms: Term[] };
  out(predicates: Term[]): { terms: Term[] };
}

function toViolation(
  finding: Finding,
  dataset: SubjectDataset,
  locate: (iri: string, predicate?: string) => { file: string; line: number } | undefined,
  prefixes: () => Record<string, string>,
): Violation {
  const { focus, path: pathStep, value } = finding;
  const show = (term: Term): string =>
    term.termType === 'NamedNode' ? compactIri(term.value, prefixes()) : term.termType === 'BlankNode' ? `_:${term.value}` : JSON.stringify(term.value);
  const constraint = finding.constraint.value.replace(SH, '').replace(/ConstraintComponent$/, '');
  let message = finding.message?.value ?? `Fails ${constraint}`;
  if (constraint === 'Closed' && value !== undefined && pathStep) {
    message = `${show(pathStep)} is not a property the vocabulary allows on this node: check its spelling against ontology/studio.ttl, or move it to rdfs:comment.`;
  }
  // A node described nowhere (a misspelt class, say) is located where it is used.
  const describedAt = focus.termType === 'NamedNode' ? locate(focus.value, pathStep?.value) : undefined;
  const user = describedAt ? undefined : first(dataset.match(null, null, focus))?.subject;
  const place = describedAt ?? (user?.termType === 'NamedNode' ? locate(user.value) : undefined);
  const section = sectionOf(focus, dataset);
  return {
    ...(place ?? {}),
    severity: finding.severity.value.endsWith('Warning') ? 'warning' : finding.severity.value.endsWith('Info') ? 'info' : 'violation',
    focusNode: show(focus),
    ...(pathStep ? { path: show(pathStep) } : {}),
    ...(value !== undefined && !value.equals(focus) ? { value: show(value) } : {}),
    ...(section ? { section } : {}),
    message,
    constraint,
    shape: finding.heldBy ? `${show(finding.heldBy.shape)} sh:property${finding.heldBy.path ? ` (sh:path ${show(finding.heldBy.path)})` : ''}` : show(finding.shape),
  };
}

const SECTION = N3.DataFactory.namedNode(`${STUDIO}section`);
const NUMBER = N3.DataFactory.namedNode(`${STUDIO}number`);
const TITLE = N3.DataFactory.namedNode(`${DCTERMS}title`);

function sectionOf(node: Term, dataset: SubjectDataset): string | undefined {
  const section = first(dataset.match(node, SECTION))?.object;
  if (!section) return undefined;
  const number = first(dataset.match(section, NUMBER))?.object.value;
  const title = first(dataset.match(section, TITLE))?.object.value;
  return [number, title].filter(Boolean).join(' ') || section.value;
}

function first(quads: DatasetCore): Quad | undefined {
  for (const quad of quads) return quad;
  return undefined;
}

/** Finds where a node is described, and within that where one of its properties is written. */
function locator(sources: readonly TurtleSource[]) {
  // Read from the texts on the first violation to locate: most validations have none.
  let indexes: { file: string; text: string; lines: Map<string, number>; prefixes: Record<string, string> }[] | undefined;
  return (iri: string, predicate?: string): { file: string; line: number } | undefined => {
    indexes ??= sources.map((source) => ({ file: source.file, text: source.text, lines: subjectLines(source.text), prefixes: declaredPrefixes(source.text) }));
    for (const { file, text, lines, prefixes } of indexes) {
      const line = lines.get(iri);
      if (line !== undefined) return { file, line: (predicate && propertyLine(text, line, predicate, prefixes)) || line };
    }
    return undefined;
  };
}

const DATE = /^(-?\d{4,})-(\d{2})-(\d{2})/;

/** xsd:date and xsd:dateTime values of the right form naming no day of the calendar ("2024-02-30"). */
function impossibleDates(
  dataset: SubjectDataset,
  locate: (iri: string, predicate?: string) => { file: string; line: number } | undefined,
  prefixes: () => Record<string, string>,
): Violation[] {
  const found: Violation[] = [];
  const dated = new Set([`${XSD}date`, `${XSD}dateTime`]);
  for (const q of dataset) {
    if (q.object.termType !== 'Literal' || !dated.has(q.object.datatype.value)) continue;
    const match = DATE.exec(q.object.value);
    if (!match) continue;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    // Months out of range are the datatype check's; here only days a month does not have.
    if (month < 1 || month > 12 || day < 1) continue;
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
    if (day <= days) continue;
    const subject = q.subject.termType === 'NamedNode' ? q.subject.value : undefined;
    found.push({
      ...((subject && locate(subject, q.predicate.value)) || {}),
      severity: 'violation',
      focusNode: q.subject.termType === 'NamedNode' ? compactIri(q.subject.value, prefixes()) : `_:${q.subject.value}`,
      path: compactIri(q.predicate.value, prefixes()),
      value: JSON.stringify(q.object.value),
      message: `${q.object.value} is no day of the calendar: month ${match[2]} of ${match[1]} has ${days} days.`,
      constraint: 'Datatype',
      shape: 'studio:calendar',
    });
  }
  return found;
}

/** A file with triples none of which uses the studio vocabulary: most often its studio: prefix is bound to another namespace. */
function noVocabulary(source: TurtleSource, quads: readonly Quad[]): Violation[] {
  if (quads.length === 0) return [];
  const uses = (term: Term) => term.termType === 'NamedNode' && term.value.startsWith(STUDIO);
  if (quads.some((q) => uses(q.subject) || uses(q.predicate) || uses(q.object))) return [];
  const bound = declaredPrefixes(source.text).studio;
  const line = source.text.split('\n').findIndex((row) => /^\s*(?:@prefix|PREFIX)\s+studio:/i.test(row)) + 1;
  return [
    {
      file: source.file,
      ...(line > 0 ? { line } : {}),
      severity: 'violation',
      focusNode: source.file,
      ...(bound !== undefined ? { path: 'studio:', value: `<${bound}>` } : {}),
      message:
        bound !== undefined && bound !== STUDIO
          ? `The file uses no studio vocabulary: its studio: prefix is bound to <${bound}>, not <${STUDIO}>.`
          : `The file uses no studio vocabulary: declare @prefix studio: <${STUDIO}> and describe the policy with it.`,
      constraint: 'Vocabulary',
      shape: 'studio:vocabulary',
    },
  ];
}

function sourcePrefixes(sources: readonly TurtleSource[]): Record<string, string> {
  return Object.assign({}, ...sources.map((source) => declaredPrefixes(source.text)));
}

/** By file, line and node, then by what is wrong: one order whatever the order the shapes found them in. */
function byPlace(a: Violation, b: Violation): number {
  return (
    (a.file ?? '~').localeCompare(b.file ?? '~') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    a.focusNode.localeCompare(b.focusNode) ||
    (a.path ?? '').localeCompare(b.path ?? '') ||
    a.constraint.localeCompare(b.constraint) ||
    (a.value ?? '').localeCompare(b.value ?? '') ||
    a.message.localeCompare(b.message)
  );
}
