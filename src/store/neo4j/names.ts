/**
 * Readable names in the property graph for RDF IRIs, following neosemantics
 * (n10s) where it helps: the studio's own vocabulary by its local name
 * (:Prohibition, text, EXCEPTION_TO), other vocabularies as prefix__local
 * (rdfs__label, dcterms__title), unknown namespaces with a prefix derived
 * from the namespace (ns5d41402a__term), so names are stable across imports.
 */

import { createHash } from 'node:crypto';
import { PREFIXES, STUDIO } from '../../vocabulary.js';

export type NameKind = 'label' | 'property' | 'relationship';

const KNOWN: [string, string][] = Object.entries({
  ...PREFIXES,
  odrl: 'http://www.w3.org/ns/odrl/2/',
  lrml: 'http://docs.oasis-open.org/legalruleml/ns/v1.0/',
  eli: 'http://data.europa.eu/eli/ontology#',
  foaf: 'http://xmlns.com/foaf/0.1/',
  schema: 'https://schema.org/',
});

/** Splits an IRI into namespace and local name at its last '#' or '/'. */
function split(iri: string): [string, string] {
  const at = Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/'));
  return at >= 0 && at < iri.length - 1 ? [iri.slice(0, at + 1), iri.slice(at + 1)] : [iri, ''];
}

/** The property-graph name of an IRI used as a label, a property key or a relationship type. */
export function graphName(iri: string, kind: NameKind): string {
  if (iri.startsWith(STUDIO) && /^[A-Za-z][A-Za-z0-9]*$/.test(iri.slice(STUDIO.length))) {
    const local = iri.slice(STUDIO.length);
    return kind === 'relationship' ? upperSnake(local) : local;
  }
  for (const [prefix, namespace] of KNOWN) {
    if (prefix !== 'studio' && iri.startsWith(namespace) && iri.length > namespace.length) return `${prefix}__${iri.slice(namespace.length)}`;
  }
  const [namespace, local] = split(iri);
  const prefix = `ns${createHash('sha1').update(namespace).digest('hex').slice(0, 8)}`;
  return local ? `${prefix}__${local}` : prefix;
}

/** exceptionTo -> EXCEPTION_TO */
export function upperSnake(local: string): string {
  return local.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
