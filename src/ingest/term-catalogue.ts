/**
 * The terms a draft may name: the roles, organisations, actions, assets,
 * circumstances and quantities declared in the policy files an author passes
 * to `studio ingest --terms`, each with its labels, so that a model's answer
 * can be mapped onto a term that exists rather than a new one.
 */

import N3 from 'n3';
import { parseTurtle, readTurtle, type TurtleSource } from '../rdf/turtle.js';
import { ONTOLOGY_FILE, RDF, RDFS, SKOS, STUDIO } from '../vocabulary.js';

/** The kinds of term a draft's fields take. */
export const TERM_CLASSES = ['Role', 'Organization', 'Action', 'Asset', 'Circumstance', 'Quantity'] as const;
export type TermClass = (typeof TERM_CLASSES)[number];

/** Classes read as one of the above (an agency is an organisation). */
const SUBCLASSES: Readonly<Record<string, TermClass>> = { Agency: 'Organization', Department: 'Organization' };

export interface CatalogueTerm {
  readonly iri: string;
  readonly label: string;
  readonly termClass: TermClass;
  /** Every label and alternative label, normalised for matching. */
  readonly keys: readonly string[];
}

export interface TermCatalogue {
  readonly terms: readonly CatalogueTerm[];
  /** The files the terms were read from, to validate a draft that names them. */
  readonly sources: readonly { readonly file: string; readonly text: string; readonly baseIri: string }[];
}


/** A label as matching compares it: lower case, no leading article, single spaces, no trailing punctuation. */
export function termKey(label: string): string {
  return label.toLowerCase().replace(/[\s_-]+/g, ' ').replace(/^(?:an?|the)\s+/, '').replace(/[.,;:]+$/, '').trim();
}

/**
 * Reads the terms of policies (Turtle files, or sources already read, such as
 * a loaded policy the API exports) and the studio's own shared terms
 * (employee, manager, customer ... of the ontology); a syntax error names the
 * file and line.
 */
export async function readTermCatalogue(policies: readonly (string | TurtleSource)[]): Promise<TermCatalogue> {
  const sources = await Promise.all(policies.map((f) => (typeof f === 'string' ? readTurtle(f) : f)));
  const store = new N3.Store();
  for (const source of [await readTurtle(ONTOLOGY_FILE), ...sources]) {
    store.addQuads(parseTurtle(source) as N3.Quad[]);
  }
  const terms: CatalogueTerm[] = [];
  const seen = new Set<string>();
  const type = N3.DataFactory.namedNode(`${RDF}type`);
  for (const quad of store.getQuads(null, type, null, null)) {
    const local = quad.object.value.startsWith(STUDIO) ? quad.object.value.slice(STUDIO.length) : '';
    const termClass = (TERM_CLASSES as readonly string[]).includes(local) ? (local as TermClass) : SUBCLASSES[local];
    if (!termClass || quad.subject.termType !== 'NamedNode' || seen.has(`${termClass} ${quad.subject.value}`)) continue;
    seen.add(`${termClass} ${quad.subject.value}`);
    const labels = [`${RDFS}label`, `${SKOS}prefLabel`, `${SKOS}altLabel`].flatMap((p) => store.getObjects(quad.subject, N3.DataFactory.namedNode(p), null).map((o) => o.value));
    const label = labels[0] ?? quad.subject.value.replace(/^.*[#/]/, '');
    terms.push({ iri: quad.subject.value, label, termClass, keys: [...new Set([label, ...labels].map(termKey))] });
  }
  terms.sort((a, b) => a.termClass.localeCompare(b.termClass) || a.label.localeCompare(b.label));
  return { terms, sources };
}
