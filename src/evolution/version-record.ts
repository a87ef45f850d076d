/**
 * The versions of a policy as PROV-O: each version an entity named by its
 * SHA-256 (versionIri), a specialization of the policy, generated when it
 * was loaded, attributed to who loaded it, and a revision of the version it
 * replaced. What `studio versions --format ttl` writes.
 */

import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import { versionIri, type LoadedPolicy } from '../store/graph-store.js';
import { DCTERMS, PROV, RDF, RDFS, XSD } from '../vocabulary.js';

const { namedNode, literal, quad, blankNode } = N3.DataFactory;

/** One version of a policy, with whether it is the one loaded now. */
export interface VersionRow extends LoadedPolicy {
  readonly current: boolean;
}

/** The PROV-O triples of the versions listed. */
export function versionQuads(rows: readonly VersionRow[]): Quad[] {
  const out: Quad[] = [];
  for (const row of rows) {
    const v = namedNode(versionIri(row.sha256));
    out.push(
      quad(v, namedNode(`${RDF}type`), namedNode(`${PROV}Entity`)),
      quad(v, namedNode(`${PROV}specializationOf`), namedNode(row.policy)),
      quad(v, namedNode(`${PROV}generatedAtTime`), literal(row.loadedAt, namedNode(`${XSD}dateTime`))),
      quad(v, namedNode(`${DCTERMS}source`), literal(row.source)),
    );
    if (row.title) out.push(quad(v, namedNode(`${DCTERMS}title`), literal(row.title)));
    if (row.revisionOf) out.push(quad(v, namedNode(`${PROV}wasRevisionOf`), namedNode(versionIri(row.revisionOf))));
    if (row.loadedBy) {
      const agent = blankNode();
      out.push(quad(v, namedNode(`${PROV}wasAttributedTo`), agent), quad(agent, namedNode(`${RDF}type`), namedNode(`${PROV}Agent`)), quad(agent, namedNode(`${RDFS}label`), literal(row.loadedBy)));
    }
  }
  return out;
}
