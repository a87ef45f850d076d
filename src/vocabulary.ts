/** IRIs of the studio's vocabulary and the standard vocabularies it uses. */

import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const STUDIO = 'https://w3id.org/alignment-studio/ns#';
/** Named graph holding the vocabulary (ontology/studio.ttl) inside a store. */
export const VOCABULARY_GRAPH = 'https://w3id.org/alignment-studio/ns';
export const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
export const OWL = 'http://www.w3.org/2002/07/owl#';
export const XSD = 'http://www.w3.org/2001/XMLSchema#';
export const SH = 'http://www.w3.org/ns/shacl#';
export const DCTERMS = 'http://purl.org/dc/terms/';
export const SKOS = 'http://www.w3.org/2004/02/skos/core#';
export const PROV = 'http://www.w3.org/ns/prov#';
export const EARL = 'http://www.w3.org/ns/earl#';

/** Prefixes used when the studio prints IRIs or writes Turtle. */
export const PREFIXES: Record<string, string> = {
  studio: STUDIO,
  rdf: RDF,
  rdfs: RDFS,
  owl: OWL,
  xsd: XSD,
  sh: SH,
  dcterms: DCTERMS,
  skos: SKOS,
  prov: PROV,
  earl: EARL,
};

/** The project's root, where ontology/, sparql/ and cypher/ live (works from src/ and dist/). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const ONTOLOGY_FILE = path.join(PROJECT_ROOT, 'ontology', 'studio.ttl');
export const ALIGNMENT_FILE = path.join(PROJECT_ROOT, 'ontology', 'alignment.ttl');
export const SHAPES_FILE = path.join(PROJECT_ROOT, 'ontology', 'shapes.ttl');

/** Shortens an IRI with the known prefixes, plus any given ones. */
export function compactIri(iri: string, extra: Record<string, string> = {}): string {
  let best: string | undefined;
  let bestLength = 0;
  for (const [prefix, ns] of Object.entries({ ...PREFIXES, ...extra })) {
    if (iri.startsWith(ns) && ns.length > bestLength && /^[\w.-]*$/.test(iri.slice(ns.length))) {
      best = `${prefix}:${iri.slice(ns.length)}`;
      bestLength = ns.length;
    }
  }
  return best ?? `<${iri}>`;
}
