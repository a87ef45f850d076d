/**
 * Validates authored policies against ontology/shapes.ttl with shacl-engine,
 * and turns each SHACL result into a violation a knowledge engineer can act
 * on: file and line, focus node, path, the provision's section, what to fix.
 */

import N3 from 'n3';
import type { DatasetCore, Quad, Term } from '@rdfjs/types';
import { Validator } from 'shacl-engine';
import { sparqlTargetResolvers, sparqlValidations } from './sparql-constraints.js';
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

const factory = { ...N3.DataFactory, dataset: (quads?: Quad[]) => new N3.Store(quads) };

/** Validates policies; build one with PolicyValidator.create() and reuse it. */
export class PolicyValidator {
  private constructor(
    private readonly validator: Validator,
    private readonly nodeShapes: readonly Term[],
    private readonly vocabulary: readonly Quad[],
  ) {}

  /** Loads the shapes and the vocabulary from ontology/. */
  static async create(): Promise<PolicyValidator> {
    const vocabulary = parseTurtle(await readTurtle(ONTOLOGY_FILE));
    // shacl-engine reads rdfs:subClassOf from the shapes graph, so the vocabulary goes there too.
    const shapes = new N3.Store([...parseTurtle(await readTurtle(SHAPES_FILE)), ...vocabulary]);
    const validator = new Validator(shapes, { factory, validations: sparqlValidations, targetResolvers: sparqlTargetResolvers });
    const nodeShapes = shapes.getSubjects(N3.DataFactory.namedNode(`${RDF}type`), N3.DataFactory.namedNode(`${SH}NodeShape`), null);
    return new PolicyValidator(validator, nodeShapes, vocabulary);
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
    const dataset = this.newDataset();
    dataset.addQuads(quads as Quad[]);
    return [...noVocabulary(source, quads), ...(await this.validateDataset(dataset, [source], progress))];
  }

  private newDataset(): N3.Store {
    const dataset = new N3.Store();
    dataset.addQuads(this.vocabulary as Quad[]);
    return dataset;
  }

  /** Validates a dataset that already holds the vocabulary and the policies. */
  async validateDataset(dataset: N3.Store, sources: readonly TurtleSource[] = [], progress?: Progress): Promise<Violation[]> {
    // One call per node shape: shacl-engine remembers every (shape, node) it
    // visited for the length of a call, which at 100k rules grew to 3.5 GB and
    // doubled the time (60 s against 28 s, scripts/bench/load-validate.ts).
    const results: ShaclResult[] = [];
    for (const [index, shape] of this.nodeShapes.entries()) {
      progress?.(index, this.nodeShapes.length);
      const report = await this.validator.validate({ dataset: dataset as unknown as DatasetCore }, [{ terms: [shape] }]);
      results.push(...(report.results as ShaclResult[]));
    }
    progress?.(this.nodeShapes.length, this.nodeShapes.length);
    const locate = locator(sources);
    const prefixes = sourcePrefixes(sources);
    const violations = [...results.map((result) => toViolation(result, dataset, locate, prefixes)), ...impossibleDates(dataset, locate, prefixes)];
    // One mistake can reach a node through two shapes (a misspelt property on a term that is also a role):
    // each violation is reported once.
    const unique = new Map(violations.map((v) => [JSON.stringify([v.file, v.line, v.focusNode, v.path, v.value, v.constraint, v.message]), v]));
    return [...unique.values()].sort(byPlace);
  }
}

// The parts of shacl-engine's Result the studio reads.
interface ShaclResult {
  focusNode: { term: Term };
  path?: { predicates: Term[] }[] | null;
  value?: { term: Term } | null;
  severity: Term;
  constraintComponent: Term;
  shape: { ptr: { term: Term } };
  message: Term[];
}

function toViolation(
  result: ShaclResult,
  dataset: N3.Store,
  locate: (iri: string, predicate?: string) => { file: string; line: number } | undefined,
  prefixes: Record<string, string>,
): Violation {
  const focus = result.focusNode.term;
  const show = (term: Term): string =>
    term.termType === 'NamedNode' ? compactIri(term.value, prefixes) : term.termType === 'BlankNode' ? `_:${term.value}` : JSON.stringify(term.value);
  const pathStep = result.path?.[0]?.predicates?.[0];
  const constraint = result.constraintComponent.value.replace(SH, '').replace(/ConstraintComponent$/, '');
  const value = result.value?.term;
  let message = result.message[0]?.value ?? `Fails ${constraint}`;
  if (constraint === 'Closed' && value !== undefined && pathStep) {
    message = `${show(pathStep)} is not a property the vocabulary allows on this node: check its spelling against ontology/studio.ttl, or move it to rdfs:comment.`;
  }
  // A node described nowhere (a misspelt class, say) is located where it is used.
  const describedAt = focus.termType === 'NamedNode' ? locate(focus.value, pathStep?.value) : undefined;
  const user = describedAt ? undefined : dataset.getSubjects(null, focus as N3.Term, null)[0];
  const place = describedAt ?? (user?.termType === 'NamedNode' ? locate(user.value) : undefined);
  const section = sectionOf(focus, dataset);
  return {
    ...(place ?? {}),
    severity: result.severity.value.endsWith('Warning') ? 'warning' : result.severity.value.endsWith('Info') ? 'info' : 'violation',
    focusNode: show(focus),
    ...(pathStep ? { path: show(pathStep) } : {}),
    ...(value !== undefined && !value.equals(focus) ? { value: show(value) } : {}),
    ...(section ? { section } : {}),
    message,
    constraint,
    shape: show(result.shape.ptr.term),
  };
}

const SECTION = N3.DataFactory.namedNode(`${STUDIO}section`);
const NUMBER = N3.DataFactory.namedNode(`${STUDIO}number`);
const TITLE = N3.DataFactory.namedNode(`${DCTERMS}title`);

function sectionOf(node: Term, dataset: N3.Store): string | undefined {
  const section = dataset.getObjects(node as N3.Term, SECTION, null)[0];
  if (!section) return undefined;
  const number = dataset.getObjects(section, NUMBER, null)[0]?.value;
  const title = dataset.getObjects(section, TITLE, null)[0]?.value;
  return [number, title].filter(Boolean).join(' ') || section.value;
}

/** Finds where a node is described, and within that where one of its properties is written. */
function locator(sources: readonly TurtleSource[]) {
  const indexes = sources.map((source) => ({ file: source.file, text: source.text, lines: subjectLines(source.text), prefixes: declaredPrefixes(source.text) }));
  return (iri: string, predicate?: string): { file: string; line: number } | undefined => {
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
  dataset: N3.Store,
  locate: (iri: string, predicate?: string) => { file: string; line: number } | undefined,
  prefixes: Record<string, string>,
): Violation[] {
  const found: Violation[] = [];
  const dated = new Set([`${XSD}date`, `${XSD}dateTime`]);
  for (const q of dataset.match(null, null, null, null)) {
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
      focusNode: q.subject.termType === 'NamedNode' ? compactIri(q.subject.value, prefixes) : `_:${q.subject.value}`,
      path: compactIri(q.predicate.value, prefixes),
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

function byPlace(a: Violation, b: Violation): number {
  return (a.file ?? '~').localeCompare(b.file ?? '~') || (a.line ?? 0) - (b.line ?? 0) || a.focusNode.localeCompare(b.focusNode);
}
