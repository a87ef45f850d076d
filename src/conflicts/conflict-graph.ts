/**
 * Detected conflicts as nodes in the graph, so that data generation and
 * reports can use them: each policy gets a derived graph holding one
 * studio:DetectedConflict per pair, with edges to both rules and to its
 * resolution (the principle that decided, the winner and the loser), all
 * prov:wasGeneratedBy the detection run that records the precedence order.
 */

import { createHash } from 'node:crypto';
import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import { versionIri, type DerivedGraph, type GraphStore } from '../store/graph-store.js';
import { PROV, RDF, RDFS, STUDIO } from '../vocabulary.js';
import { principleIri } from './precedence.js';
import type { Conflict, ConflictReport } from './detect.js';
import { dateTimeLiteral } from '../rdf/date-time.js';

const { namedNode, literal, quad } = N3.DataFactory;

/** The kind of derived graph conflicts are kept in. */
export const CONFLICTS_KIND = 'conflicts';

/** The derived graph holding a policy's conflicts. */
export function conflictGraphIri(policy: string): string {
  return `urn:studio:derived:conflicts:${createHash('sha256').update(policy).digest('hex').slice(0, 32)}`;
}

/** The triples describing the conflicts found in one policy. */
export function conflictQuads(policy: string, conflicts: readonly Conflict[], precedence: readonly string[], detectedAt: string, policySha256?: string): Quad[] {
  const activity = namedNode(`${conflictGraphIri(policy)}:detection`);
  const quads: Quad[] = [
    quad(activity, namedNode(`${RDF}type`), namedNode(`${STUDIO}ConflictDetection`)),
    quad(activity, namedNode(`${PROV}used`), namedNode(policy)),
    quad(activity, namedNode(`${STUDIO}precedence`), literal(precedence.join(','))),
    quad(activity, namedNode(`${PROV}endedAtTime`), dateTimeLiteral(detectedAt)),
    ...(policySha256 ? [quad(activity, namedNode(`${STUDIO}derivedFromVersion`), namedNode(versionIri(policySha256)))] : []),
  ];
  for (const c of conflicts) {
    const node = namedNode(c.iri);
    quads.push(
      quad(node, namedNode(`${RDF}type`), namedNode(`${STUDIO}DetectedConflict`)),
      quad(node, namedNode(`${STUDIO}between`), namedNode(c.prohibition)),
      quad(node, namedNode(`${STUDIO}between`), namedNode(c.permissive)),
      quad(node, namedNode(`${STUDIO}inPolicy`), namedNode(policy)),
      quad(node, namedNode(`${STUDIO}certainty`), namedNode(`${STUDIO}${c.certainty === 'definite' ? 'Definite' : 'Possible'}`)),
      quad(node, namedNode(`${PROV}wasGeneratedBy`), activity),
    );
    if (c.documented) quads.push(quad(node, namedNode(`${RDFS}seeAlso`), namedNode(c.documented.iri)));
    if (c.winner && c.principle) {
      const resolution = namedNode(`${c.iri}:resolution`);
      const loser = c.winner === c.prohibition ? c.permissive : c.prohibition;
      quads.push(
        quad(node, namedNode(`${STUDIO}resolution`), resolution),
        quad(resolution, namedNode(`${RDF}type`), namedNode(`${STUDIO}Resolution`)),
        quad(resolution, namedNode(`${STUDIO}decidedBy`), namedNode(principleIri(c.principle))),
        quad(resolution, namedNode(`${STUDIO}winner`), namedNode(c.winner)),
        quad(resolution, namedNode(`${STUDIO}loser`), namedNode(loser)),
        quad(resolution, namedNode(`${RDFS}comment`), literal(c.reason ?? '')),
      );
    }
  }
  return quads;
}

/**
 * Writes each policy's conflicts to its derived graph, replacing what an
 * earlier run wrote (a policy with no conflicts left gets an empty set).
 */
export async function writeConflicts(store: GraphStore, report: ConflictReport): Promise<DerivedGraph[]> {
  const policies = (await store.listPolicies()).filter((p) => report.policy === null || p.policy === report.policy);
  const detectedAt = new Date().toISOString();
  const written: DerivedGraph[] = [];
  for (const policy of policies) {
    const conflicts = report.conflicts.filter((c) => c.policy === policy.policy);
    written.push(
      await store.putDerivedGraph(
        { graph: conflictGraphIri(policy.policy), kind: CONFLICTS_KIND, policy: policy.policy, policySha256: policy.sha256 },
        conflictQuads(policy.policy, conflicts, report.precedence, detectedAt, policy.sha256),
      ),
    );
  }
  return written;
}
