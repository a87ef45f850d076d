/**
 * The conformance pre-check (src/validation/conformance-precheck.ts) passes
 * only focus nodes shacl-engine finds nothing on, and PolicyValidator finds
 * the same with it as without it.
 *
 * - Over every sample policy, every fixture policy, the planted mistakes of
 *   the second opinion and a synthetic policy with mistakes of its own: each
 *   (node shape, focus node) of ontology/shapes.ttl that shacl-engine,
 *   validating that node alone, reports anything on is one the pre-check
 *   cannot tell about; and the validator's report (or revalidation) is the
 *   same with the pre-check and without it.
 * - Per constraint kind the pre-check supports, on shapes of its own: a node
 *   that breaks it is one it cannot tell about, and a node that keeps it is
 *   one it passes (so that the kind is really decided, not merely left to
 *   shacl-engine); a kind it leaves to shacl-engine passes nothing.
 */

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import N3 from 'n3';
import type { Quad, Term } from '@rdfjs/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyValidator, shaclEngine } from '../../src/validation/validator.js';
import { ConformancePrecheck, type PrecheckEngine } from '../../src/validation/conformance-precheck.js';
import { SubjectDataset } from '../../src/rdf/subject-dataset.js';
import { parseTurtle, readTurtle, type TurtleSource } from '../../src/rdf/turtle.js';
import { ONTOLOGY_FILE, RDF, SH, SHAPES_FILE } from '../../src/vocabulary.js';
import { writeSyntheticPolicy } from '../../scripts/bench/synthetic-policy.js';
import { MINI, sourceOf } from '../store/store-spec.js';
import { plantedMistakes } from './planted-mistakes.js';

const { namedNode } = N3.DataFactory;

// The parts of shacl-engine read here to resolve a shape's targets, as PolicyValidator does.
interface Engine extends PrecheckEngine {
  readonly shapesPtr: PrecheckEngine['shapesPtr'] & { constructor: new (options: { dataset: SubjectDataset; factory: unknown }) => unknown };
  shape(ptr: unknown): ReturnType<PrecheckEngine['shape']> & { resolveTargets(context: { focusNode: unknown }): Promise<{ terms: Term[] }> };
  validate(data: { dataset: SubjectDataset; terms: Term[] }, shapes: { terms: Term[] }[]): Promise<{ results: unknown[] }>;
}

/** shacl-engine and the pre-check over a shapes graph, as PolicyValidator.create builds them. */
function engineOver(shapes: readonly Quad[]): { engine: Engine; precheck: ConformancePrecheck; nodeShapes: Term[] } {
  const graph = new SubjectDataset(shapes);
  const engine = shaclEngine(graph) as unknown as Engine;
  const nodeShapes = [...(graph.match(null, namedNode(`${RDF}type`), namedNode(`${SH}NodeShape`)) as Iterable<Quad>)].map((q) => q.subject);
  return { engine, precheck: new ConformancePrecheck(engine), nodeShapes };
}

/** How many of a dataset's (node shape, focus node) the pre-check passed and left; each one shacl-engine reports on must be left. */
async function audit(
  { engine, precheck, nodeShapes }: ReturnType<typeof engineOver>,
  data: SubjectDataset,
  label: string,
): Promise<{ passed: number; left: number; reported: number }> {
  const counts = { passed: 0, left: 0, reported: 0 };
  const focusNode = new engine.shapesPtr.constructor({ dataset: data, factory: N3.DataFactory });
  for (const shape of nodeShapes) {
    const targets = (await engine.shape(engine.shapesPtr.node([shape])).resolveTargets({ focusNode })).terms;
    for (const target of targets) {
      const passed = precheck.conforms(shape, target, data);
      // One node per call, so that what shacl-engine reports is that node's alone.
      const { results } = await engine.validate({ dataset: data, terms: [target] }, [{ terms: [shape] }]);
      if (results.length > 0) {
        counts.reported++;
        expect(passed, `${label}: ${shape.value} on ${target.value} reports ${results.length} result(s)`).toBe(false);
      }
      counts[passed ? 'passed' : 'left']++;
    }
  }
  return counts;
}

let studioShapes: ReturnType<typeof engineOver>;
let vocabulary: Quad[];
let withPrecheck: PolicyValidator;
let withoutPrecheck: PolicyValidator;
let tmp: string;
beforeAll(async () => {
  vocabulary = parseTurtle(await readTurtle(ONTOLOGY_FILE));
  studioShapes = engineOver([...parseTurtle(await readTurtle(SHAPES_FILE)), ...vocabulary]);
  withPrecheck = await PolicyValidator.create();
  withoutPrecheck = await PolicyValidator.create({ precheck: false });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'precheck-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Audits a policy's focus nodes and expects the same report from the validator with and without the pre-check. */
async function sound(source: TurtleSource): Promise<{ passed: number; left: number; reported: number }> {
  const data = new SubjectDataset(vocabulary);
  data.addQuads(parseTurtle(source));
  const counts = await audit(studioShapes, data, source.file);
  const report = await withPrecheck.validateSources([source]);
  expect(unlabelled(report), source.file).toEqual(unlabelled(await withoutPrecheck.validateSources([source])));
  return counts;
}

/** A report with its blank nodes' labels left out: each parse labels them anew. */
function unlabelled(report: unknown): unknown {
  return JSON.parse(JSON.stringify(report).replace(/_:[\w-]+/g, '_:'));
}

const policies = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.ttl')).sort().map((f) => `${dir}/${f}`);
const read = async (file: string) => sourceOf(file, await readFile(file, 'utf8'));

describe('the conformance pre-check on the studio shapes', () => {
  it('passes no node shacl-engine reports on, and changes no report, over every sample and fixture policy', async () => {
    let passed = 0;
    let reported = 0;
    for (const file of [...(await policies('policies')), ...(await policies('tests/fixtures'))]) {
      const counts = await sound(await read(file));
      passed += counts.passed;
      reported += counts.reported;
    }
    // Not idle: most nodes of these policies are passed; and the fixtures of defects do give shacl-engine something.
    expect(passed).toBeGreaterThan(500);
    expect(reported).toBeGreaterThan(0);
  });

  it('passes no node shacl-engine reports on, and changes no report, with each planted mistake', async () => {
    for (const [label, text] of plantedMistakes(await readFile(MINI, 'utf8'))) {
      const counts = await sound(sourceOf(`${label}.ttl`, text));
      expect(counts.reported, label).toBeGreaterThan(0);
    }
  });

  it('passes every node of a synthetic policy that conforms, none that shacl-engine reports on once mistakes are planted, and revalidates alike', async () => {
    const file = path.join(tmp, 'synthetic.ttl');
    await writeSyntheticPolicy(1_200, file);
    const clean = await readFile(file, 'utf8');
    const cleanCounts = await sound(sourceOf('synthetic.ttl', clean));
    expect(cleanCounts).toMatchObject({ left: 0, reported: 0 });
    expect(cleanCounts.passed).toBeGreaterThan(2_500);

    let text = clean;
    const plant = (from: RegExp, to: string) => {
      expect(text).toMatch(from);
      text = text.replace(from, to);
    };
    plant(/(syn:rule-10 a [^]*?)studio:bearer syn:role-\d+ ;\n\s*/, '$1');
    plant(/(syn:rule-20 a [^]*?studio:action syn:action-\d+)/, '$1, syn:action-1');
    plant(/(syn:rule-301 a [^]*?studio:expectedBehaviour studio:\w+)/, '$1 ;\n    studio:effectiveFrom "2025-01-01"');
    plant(/(syn:rule-999 a [^]*?studio:target )syn:asset-\d+/, '$1syn:nothing');
    plant(/(syn:rule-402 a [^]*?studio:expectedBehaviour )studio:\w+/, '$1studio:DirectToChannel');
    plant(/studio:exceptionTo syn:rule-1199 ;/, 'studio:exceptionTo syn:exception-1199 ;');
    plant(/(syn:rule-5 a )studio:Permission/, '$1studio:Permission, studio:Prohibition');
    plant(/(syn:action-3 a studio:Action ; rdfs:label "action 3" ; studio:withObject )"action 3 on \{object\}"/, '$1"action 3"@en');
    const broken = sourceOf('synthetic.ttl', text);
    const counts = await sound(broken);
    expect(counts.reported).toBeGreaterThanOrEqual(8);

    // Revalidated from the clean version and back, with the pre-check and without.
    const source = sourceOf('synthetic.ttl', clean);
    const [kept, keptWithout] = await Promise.all([withPrecheck, withoutPrecheck].map(async (v) => (await v.revalidateParsed(source, parseTurtle(source))).kept));
    const again = await withPrecheck.revalidateParsed(broken, parseTurtle(broken), kept);
    const againWithout = await withoutPrecheck.revalidateParsed(broken, parseTurtle(broken), keptWithout);
    expect(again.violations).toEqual(againWithout.violations);
    expect(again.revalidated).toBe(againWithout.revalidated);
    expect(again.violations).toEqual(await withoutPrecheck.validateParsed(broken, parseTurtle(broken)));
  });
});

const PREFIXES = `@prefix sh: <${SH}> .
@prefix rdf: <${RDF}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
`;

/**
 * One constraint kind: shapes (ex:S the node shape checked), data, and the
 * nodes it is checked on. `breaks`: nodes shacl-engine reports on, which the
 * pre-check must leave; `keeps`: nodes shacl-engine passes and the pre-check
 * passes too; `undecided`: nodes shacl-engine passes that the pre-check leaves
 * to it (what it does not decide).
 */
interface Kind {
  readonly shapes: string;
  readonly data: string;
  readonly breaks: readonly string[];
  readonly keeps: readonly string[];
  readonly undecided?: readonly string[];
}

const KINDS: Record<string, Kind> = {
  'sh:minCount': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:minCount 2 ] .',
    data: 'ex:good ex:p 1, 2 . ex:bad ex:p 1 . ex:none ex:q 1 .',
    breaks: ['ex:bad', 'ex:none'],
    keeps: ['ex:good'],
  },
  'sh:maxCount': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:maxCount 1 ] .',
    data: 'ex:good ex:p 1 . ex:bad ex:p 1, 2 . ex:empty ex:q 1 .',
    breaks: ['ex:bad'],
    keeps: ['ex:good', 'ex:empty'],
  },
  'sh:datatype': {
    shapes: 'ex:S sh:property [ sh:path ex:d ; sh:datatype xsd:date ] , [ sh:path ex:s ; sh:datatype xsd:string ] , [ sh:path ex:i ; sh:datatype xsd:integer ] .',
    data: `ex:good ex:d "2024-01-31"^^xsd:date ; ex:s "text" ; ex:i 42 .
      ex:illTyped ex:d "2024-13-01"^^xsd:date .
      ex:plain ex:d "2024-01-31" .
      ex:tagged ex:s "text"@en .
      ex:iri ex:s ex:thing .
      ex:blank ex:s [] .
      ex:decimal ex:i 4.2 .
      ex:textInteger ex:i "4x"^^xsd:integer .
      ex:astral ex:s "\u{1F600}" .
      ex:zoned ex:d "2024-01-31Z"^^xsd:date .`,
    breaks: ['ex:illTyped', 'ex:plain', 'ex:tagged', 'ex:iri', 'ex:blank', 'ex:decimal', 'ex:textInteger', 'ex:astral'],
    keeps: ['ex:good'],
    // A valid date with a time zone: shacl-engine takes it, the pre-check only dates without one.
    undecided: ['ex:zoned'],
  },
  'sh:class (subclasses from the shapes graph)': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:class ex:Animal ] . ex:Dog rdfs:subClassOf ex:Animal . ex:Puppy rdfs:subClassOf ex:Dog .',
    data: `ex:good ex:p ex:rex, ex:pup . ex:rex a ex:Dog . ex:pup a ex:Puppy .
      ex:bad ex:p ex:tom . ex:tom a ex:Cat .
      ex:untyped ex:p ex:nobody .
      ex:literal ex:p "rex" .
      ex:dataSubclass ex:p ex:kit . ex:kit a ex:Kitten . ex:Kitten rdfs:subClassOf ex:Animal .`,
    breaks: ['ex:bad', 'ex:untyped', 'ex:literal', 'ex:dataSubclass'],
    keeps: ['ex:good'],
  },
  'sh:class on the focus node': {
    shapes: 'ex:S sh:class ex:Animal .',
    data: 'ex:good a ex:Animal . ex:bad a ex:Plant .',
    breaks: ['ex:bad'],
    keeps: ['ex:good'],
  },
  'sh:nodeKind': {
    shapes: 'ex:S sh:property [ sh:path ex:iri ; sh:nodeKind sh:IRI ] , [ sh:path ex:lit ; sh:nodeKind sh:Literal ] , [ sh:path ex:bi ; sh:nodeKind sh:BlankNodeOrIRI ] .',
    data: `ex:good ex:iri ex:x ; ex:lit "x" ; ex:bi [] , ex:y .
      ex:blankIri ex:iri [] .
      ex:iriLiteral ex:lit ex:x .
      ex:literalBi ex:bi "x" .`,
    breaks: ['ex:blankIri', 'ex:iriLiteral', 'ex:literalBi'],
    keeps: ['ex:good'],
  },
  'sh:in': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:in ( ex:a ex:b "c" ) ] .',
    data: 'ex:good ex:p ex:a, "c" . ex:bad ex:p ex:z . ex:typed ex:p "c"@en . ex:half ex:p ex:b, ex:z .',
    breaks: ['ex:bad', 'ex:typed', 'ex:half'],
    keeps: ['ex:good'],
  },
  'sh:minLength and sh:maxLength': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:minLength 3 ; sh:maxLength 5 ] .',
    data: 'ex:good ex:p "abcd", 1234 . ex:short ex:p "ab" . ex:long ex:p "abcdef" . ex:blank ex:p [] . ex:iri ex:p ex:abc .',
    breaks: ['ex:short', 'ex:long', 'ex:blank', 'ex:iri'],
    keeps: ['ex:good'],
  },
  'sh:pattern with sh:flags': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:pattern "^ab+c$" ; sh:flags "i" ] .',
    data: 'ex:good ex:p "ABBC", "abc" . ex:bad ex:p "abd" . ex:iri ex:p ex:abc .',
    breaks: ['ex:bad', 'ex:iri'],
    keeps: ['ex:good'],
  },
  'sh:closed with sh:ignoredProperties': {
    shapes: 'ex:S sh:closed true ; sh:ignoredProperties ( rdf:type ) ; sh:property [ sh:path ex:p ] , [ sh:path ex:off ; sh:deactivated true ] .',
    data: 'ex:good a ex:T ; ex:p 1 . ex:bad ex:p 1 ; ex:q 2 . ex:deactivated ex:off 1 .',
    breaks: ['ex:bad', 'ex:deactivated'],
    keeps: ['ex:good'],
  },
  'sh:hasValue': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:hasValue ex:a ] .',
    data: 'ex:good ex:p ex:a, ex:b . ex:bad ex:p ex:b .',
    breaks: ['ex:bad'],
    keeps: ['ex:good'],
  },
  'sh:minInclusive and sh:maxExclusive on integers': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:minInclusive 1 ; sh:maxExclusive 10 ] .',
    data: 'ex:good ex:p 1, 9 . ex:low ex:p 0 . ex:high ex:p 10 . ex:iri ex:p ex:one . ex:decimal ex:p 2.5 .',
    breaks: ['ex:low', 'ex:high', 'ex:iri'],
    keeps: ['ex:good'],
    // Compared only as integers here.
    undecided: ['ex:decimal'],
  },
  'sh:lessThanOrEquals (decided only with nothing to compare)': {
    shapes: 'ex:S sh:property [ sh:path ex:from ; sh:lessThanOrEquals ex:until ] .',
    data: `ex:good ex:from "2024-01-01"^^xsd:date .
      ex:alone ex:until "2024-01-01"^^xsd:date .
      ex:bad ex:from "2024-02-01"^^xsd:date ; ex:until "2024-01-01"^^xsd:date .
      ex:ordered ex:from "2024-01-01"^^xsd:date ; ex:until "2024-02-01"^^xsd:date .`,
    breaks: ['ex:bad'],
    keeps: ['ex:good', 'ex:alone'],
    undecided: ['ex:ordered'],
  },
  'sh:or': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:or ( [ sh:class ex:A ] [ sh:class ex:B ] ) ] .',
    data: 'ex:good ex:p ex:a, ex:b . ex:a a ex:A . ex:b a ex:B . ex:bad ex:p ex:c . ex:c a ex:C .',
    breaks: ['ex:bad'],
    keeps: ['ex:good'],
  },
  'sh:and': {
    shapes: 'ex:S sh:and ( [ sh:class ex:A ] [ sh:class ex:B ] ) .',
    data: 'ex:good a ex:A, ex:B . ex:bad a ex:A .',
    breaks: ['ex:bad'],
    keeps: ['ex:good'],
  },
  'sh:not': {
    shapes: 'ex:S sh:not [ sh:class ex:A ] .',
    data: 'ex:good a ex:B . ex:bad a ex:A .',
    breaks: ['ex:bad'],
    keeps: ['ex:good'],
  },
  'sh:not of a property shape with counts': {
    shapes: 'ex:S sh:not [ sh:path ex:p ; sh:minCount 1 ] .',
    data: 'ex:good ex:q 1 . ex:bad ex:p 1 .',
    breaks: ['ex:bad'],
    keeps: ['ex:good'],
  },
  'sh:not of a shape failing on a value (left to shacl-engine)': {
    shapes: 'ex:S sh:not [ sh:path ex:p ; sh:class ex:A ] .',
    data: 'ex:good ex:p ex:b . ex:b a ex:B . ex:bad ex:p ex:a . ex:a a ex:A .',
    breaks: ['ex:bad'],
    keeps: [],
    undecided: ['ex:good'],
  },
  'sh:xone': {
    shapes: 'ex:S sh:xone ( [ sh:path ex:p ; sh:minCount 1 ] [ sh:path ex:q ; sh:minCount 1 ] ) .',
    data: 'ex:good ex:p 1 . ex:both ex:p 1 ; ex:q 1 . ex:neither ex:r 1 .',
    breaks: ['ex:both', 'ex:neither'],
    keeps: ['ex:good'],
  },
  'sh:node': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:node ex:N ] . ex:N sh:class ex:A .',
    data: 'ex:good ex:p ex:a . ex:a a ex:A . ex:bad ex:p ex:b .',
    breaks: ['ex:bad'],
    keeps: ['ex:good'],
  },
  'sh:qualifiedValueShape': {
    shapes: 'ex:S sh:property [ sh:path rdf:type ; sh:qualifiedValueShape [ sh:in ( ex:A ex:B ) ] ; sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ] .',
    data: 'ex:good a ex:A, ex:Other . ex:none a ex:Other . ex:two a ex:A, ex:B .',
    breaks: ['ex:none', 'ex:two'],
    keeps: ['ex:good'],
  },
  'sh:sparql': {
    shapes: `ex:S sh:sparql [ a sh:SPARQLConstraint ; sh:select """SELECT $this ?value WHERE { $this <http://example.org/p> $this . BIND($this AS ?value) }""" ] .`,
    data: 'ex:good ex:p ex:other . ex:bad ex:p ex:bad .',
    breaks: ['ex:bad'],
    keeps: ['ex:good'],
  },
  'paths: sequence, alternative, zero or more, one or more, zero or one': {
    shapes: `ex:S sh:property [ sh:path ( ex:list [ sh:zeroOrMorePath rdf:rest ] rdf:first ) ; sh:class ex:A ] ,
        [ sh:path [ sh:alternativePath ( ex:p ex:q ) ] ; sh:maxCount 2 ] ,
        [ sh:path [ sh:oneOrMorePath ex:next ] ; sh:minCount 2 ] ,
        [ sh:path [ sh:zeroOrOnePath ex:next ] ; sh:minCount 2 ] .`,
    data: `ex:a a ex:A . ex:b a ex:B .
      ex:good ex:list ( ex:a ex:a ) ; ex:p 1 ; ex:q 2 ; ex:next ex:n1 . ex:n1 ex:next ex:good .
      ex:badMember ex:list ( ex:a ex:b ) ; ex:next ex:m1 . ex:m1 ex:next ex:m2 .
      ex:threeAlternatives ex:list () ; ex:p 1, 2 ; ex:q 3 ; ex:next ex:t1 . ex:t1 ex:next ex:t2 .
      ex:shortChain ex:next ex:end .`,
    breaks: ['ex:badMember', 'ex:threeAlternatives', 'ex:shortChain'],
    keeps: ['ex:good'],
  },
  'sh:inversePath (left to shacl-engine)': {
    shapes: 'ex:S sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:maxCount 1 ] .',
    data: 'ex:a ex:p ex:good . ex:a ex:p ex:bad . ex:b ex:p ex:bad .',
    breaks: ['ex:bad'],
    keeps: [],
    undecided: ['ex:good'],
  },
  'severities: a warning and an info count as findings': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity sh:Warning ] , [ sh:path ex:q ; sh:maxCount 0 ; sh:severity sh:Info ] .',
    data: 'ex:good ex:p 1 . ex:warned ex:r 1 . ex:informed ex:p 1 ; ex:q 1 .',
    breaks: ['ex:warned', 'ex:informed'],
    keeps: ['ex:good'],
  },
  'sh:deactivated: a shape shacl-engine skips is passed': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:deactivated true ] , [ sh:path ex:q ; sh:maxCount 0 ] .',
    data: 'ex:good ex:r 1 . ex:bad ex:q 1 .',
    breaks: ['ex:bad'],
    keeps: ['ex:good'],
  },
  'a constraint the pre-check does not decide (sh:languageIn)': {
    shapes: 'ex:S sh:property [ sh:path ex:p ; sh:languageIn ( "en" ) ] .',
    data: 'ex:good ex:p "x"@en . ex:bad ex:p "x"@fr .',
    breaks: ['ex:bad'],
    keeps: [],
    undecided: ['ex:good'],
  },
};

describe('the conformance pre-check, per constraint kind', () => {
  it.each(Object.entries(KINDS))('%s', async (_label, kind) => {
    const shapes = parseTurtle(sourceOf('shapes.ttl', `${PREFIXES}ex:S a sh:NodeShape .\n${kind.shapes}`));
    const checked = engineOver(shapes);
    const data = new SubjectDataset(parseTurtle(sourceOf('data.ttl', `${PREFIXES}${kind.data}`)));
    const shape = namedNode('http://example.org/S');
    const node = (name: string) => namedNode(name.replace('ex:', 'http://example.org/'));
    const reported = async (name: string) => (await checked.engine.validate({ dataset: data, terms: [node(name)] }, [{ terms: [shape] }])).results.length;
    for (const name of kind.breaks) {
      expect(await reported(name), `shacl-engine reports on ${name}`).toBeGreaterThan(0);
      expect(checked.precheck.conforms(shape, node(name), data), `${name} is left to shacl-engine`).toBe(false);
    }
    for (const name of kind.keeps) {
      expect(await reported(name), `shacl-engine passes ${name}`).toBe(0);
      expect(checked.precheck.conforms(shape, node(name), data), `${name} is passed`).toBe(true);
    }
    for (const name of kind.undecided ?? []) {
      expect(await reported(name), `shacl-engine passes ${name}`).toBe(0);
      expect(checked.precheck.conforms(shape, node(name), data), `${name} is left to shacl-engine`).toBe(false);
    }
  });
});
