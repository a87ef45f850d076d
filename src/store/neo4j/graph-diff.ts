/**
 * What must change in Neo4j to turn the stored version of a graph into a new
 * one: a reload writes only the difference, so an unchanged policy costs a
 * read, and an edit costs about its own size.
 */

import neo4j from 'neo4j-driver';
import { RESERVED_KEYS, type NodeRow, type Projection, type RelationshipRow } from './projection.js';

/** A graph as Neo4j holds it. */
export interface StoredGraph {
  readonly nodes: readonly { uri: string; id: string; labels: readonly string[]; rdfTypes: readonly string[]; props: Record<string, unknown> }[];
  readonly relationships: readonly RelationshipRow[];
}

export interface GraphChanges {
  /** Nodes new or changed, written whole. */
  readonly write: NodeRow[];
  /** Nodes the graph described before and no longer does. */
  readonly release: string[];
  readonly deleteRelationships: RelationshipRow[];
  readonly createRelationships: RelationshipRow[];
  /** Nodes that may be left with nothing describing or referring to them. */
  readonly maybeUnused: string[];
}

export function diffGraph(stored: StoredGraph, next: Projection): GraphChanges {
  // A first import: everything is new (a million triples need not be fingerprinted to learn it).
  if (stored.nodes.length === 0 && stored.relationships.length === 0) {
    return { write: next.nodes, release: [], deleteRelationships: [], createRelationships: next.relationships, maybeUnused: [] };
  }
  const before = new Map(stored.nodes.map((n) => [n.uri, fingerprint(n.labels, n.rdfTypes, n.props)]));
  const write = next.nodes.filter((n) => {
    const was = before.get(n.uri);
    return was === undefined || was !== fingerprint(n.labels, n.rdfTypes, n.props);
  });
  const described = new Set(next.nodes.map((n) => n.uri));
  const release = stored.nodes.map((n) => n.uri).filter((uri) => !described.has(uri));

  const key = (r: RelationshipRow) => `${r.from}\u0000${r.type}\u0000${r.to}`;
  const oldRelationships = new Map(stored.relationships.map((r) => [key(r), r]));
  const newKeys = new Set(next.relationships.map(key));
  const deleteRelationships = [...oldRelationships.entries()].filter(([k]) => !newKeys.has(k)).map(([, r]) => r);
  const createRelationships = next.relationships.filter((r) => !oldRelationships.has(key(r)));
  const maybeUnused = [...new Set([...release, ...deleteRelationships.flatMap((r) => [r.from, r.to])])];
  return { write, release, deleteRelationships, createRelationships, maybeUnused };
}

/** A comparable string for what a graph says of a node. */
function fingerprint(labels: readonly string[], rdfTypes: readonly string[], props: Record<string, unknown>): string {
  const keys = Object.keys(props).filter((k) => !RESERVED_KEYS.has(k)).sort();
  return JSON.stringify([
    labels.filter((l) => l !== 'Resource').sort(),
    [...rdfTypes].sort(),
    keys.map((k) => [k, comparable(props[k])]),
  ]);
}

function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (neo4j.isInt(value)) return `i:${value.toString()}`;
  if (neo4j.isDate(value)) return `d:${value.toString()}`;
  return `${typeof value}:${String(value)}`;
}
