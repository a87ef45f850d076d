/**
 * What the studio's graph view draws, bounded in size: a policy as an
 * overview by section (GET /v1/policies/{policy}/graph: one node per section
 * with its rule count, edges for the references, exceptions, overrides and
 * conflicts that cross sections; named queries graph-sections,
 * graph-section-links and report-sections), and one rule's neighbourhood
 * (GET /v1/rules/{rule}/graph: its exceptions, references both ways,
 * overrides, conflicts, terms and their broader terms; named queries rule and
 * graph-rule-neighbourhood), and one term's place in its hierarchy
 * (GET /v1/terms/{term}/graph: its broader terms, narrower terms and the
 * provisions that name it; named query graph-term-neighbourhood). Past the
 * limit, nodes are left off and counted in `more`, with the edges that touch
 * them.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore, Row } from '../../store/graph-store.js';
import { ANY_ROLE } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, pathIri, policyParams, problems } from '../schemas.js';
import { findLoadedPolicy } from '../derived-graphs.js';

export interface GraphRoutesOptions {
  readonly store: GraphStore;
}

/** Most nodes one answer holds. */
export const MAX_GRAPH_NODES = 500;
const DEFAULT_GRAPH_NODES = 200;

const limitQuery = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_GRAPH_NODES, default: DEFAULT_GRAPH_NODES, description: `most nodes in the answer (at most ${MAX_GRAPH_NODES}); the rest are counted in more` } },
  additionalProperties: false,
} as const;

const more = { type: 'integer', description: 'nodes left off past the limit (their edges are left off too)' } as const;

/** Relations of a rule's neighbourhood, as edges: source → target. */
export const NEIGHBOURHOOD_RELATIONS = ['exceptionTo', 'refersTo', 'overrides', 'conflict', 'bearer', 'action', 'target', 'broader'] as const;
/** Relations between sections in the overview. */
export const SECTION_RELATIONS = ['exceptionTo', 'refersTo', 'overrides', 'conflict'] as const;

/** Each row relation of graph-rule-neighbourhood: the edge it draws, and which end is the neighbour. */
const ROW_EDGES: Record<string, { relation: (typeof NEIGHBOURHOOD_RELATIONS)[number]; from: 'node' | 'via'; term: boolean }> = {
  exception: { relation: 'exceptionTo', from: 'node', term: false },
  refersTo: { relation: 'refersTo', from: 'via', term: false },
  referencedBy: { relation: 'refersTo', from: 'node', term: false },
  overrides: { relation: 'overrides', from: 'via', term: false },
  overriddenBy: { relation: 'overrides', from: 'node', term: false },
  conflict: { relation: 'conflict', from: 'via', term: false },
  bearer: { relation: 'bearer', from: 'via', term: true },
  action: { relation: 'action', from: 'via', term: true },
  target: { relation: 'target', from: 'via', term: true },
  broader: { relation: 'broader', from: 'via', term: true },
};

/** The same for graph-term-neighbourhood, whose provisions point at the term. */
const TERM_ROW_EDGES: typeof ROW_EDGES = {
  broader: { relation: 'broader', from: 'via', term: true },
  narrower: { relation: 'broader', from: 'node', term: true },
  bearer: { relation: 'bearer', from: 'node', term: false },
  action: { relation: 'action', from: 'node', term: false },
  target: { relation: 'target', from: 'node', term: false },
};

/** Kinds of node in a neighbourhood: a rule, an exception, a term, or another provision (a definition a rule refers to). */
export const NODE_KINDS = ['rule', 'exception', 'term', 'provision'] as const;

/** A neighbourhood's nodes and edges, as the API shows them. */
const nodesSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: { id: { type: 'string' }, label: { type: ['string', 'null'] }, kind: { type: 'string', enum: NODE_KINDS } },
    required: ['id', 'label', 'kind'],
    additionalProperties: false,
  },
} as const;
const edgesSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: { source: { type: 'string' }, target: { type: 'string' }, relation: { type: 'string', enum: NEIGHBOURHOOD_RELATIONS } },
    required: ['source', 'target', 'relation'],
    additionalProperties: false,
  },
} as const;

const tags = ['graph'];
const byNumber = new Intl.Collator('en', { numeric: true });

interface Node {
  id: string;
  label: string | null;
  kind: (typeof NODE_KINDS)[number];
}
interface Edge {
  source: string;
  target: string;
  relation: string;
}

export async function graphRoutes(app: FastifyInstance, options: GraphRoutesOptions): Promise<void> {
  const { store } = options;

  app.get<{ Params: { policy: string }; Querystring: { limit: number } }>(
    '/policies/:policy/graph',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: "A policy's graph, by section",
        description:
          'The overview the graph view draws of a whole policy: one node per section that holds rules or exceptions, with how many, and one edge per pair of sections and relation (refersTo, exceptionTo, overrides, and conflict once a conflicts run recorded some) with how many links cross between them. Sections in the order of their numbers; past limit they are left off and counted in more.',
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: limitQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              policy: { type: 'string' },
              nodes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string', description: 'the section IRI' },
                    label: { type: ['string', 'null'], description: 'its number and title' },
                    rules: { type: 'integer', description: 'rules stated in the section itself' },
                    exceptions: { type: 'integer', description: 'exceptions stated in the section itself' },
                  },
                  required: ['id', 'label', 'rules', 'exceptions'],
                  additionalProperties: false,
                },
              },
              edges: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    source: { type: 'string' },
                    target: { type: 'string' },
                    relation: { type: 'string', enum: SECTION_RELATIONS },
                    links: { type: 'integer', description: 'links of that relation from provisions of source to provisions of target' },
                  },
                  required: ['source', 'target', 'relation', 'links'],
                  additionalProperties: false,
                },
              },
              more,
            },
            required: ['policy', 'nodes', 'edges', 'more'],
            additionalProperties: false,
          },
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request) => {
      const { policy } = await findLoadedPolicy(store, request.params.policy);
      const [sections, links, tree] = await Promise.all([store.namedQuery('graph-sections', { policy }), store.namedQuery('graph-section-links', { policy }), store.namedQuery('report-sections', { policy })]);
      const titles = new Map(tree.map((s) => [String(s.node), [s.number, s.title].filter((p) => p !== null && p !== undefined).join(' ') || null]));
      // In the order of the sections' numbers (2 before 10), then of their IRIs.
      const nodes = sections
        .map((s) => ({ id: String(s.section), label: titles.get(String(s.section)) ?? null, rules: Number(s.rules), exceptions: Number(s.exceptions) }))
        .sort((a, b) => byNumber.compare(a.label ?? '', b.label ?? '') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const kept = nodes.slice(0, request.query.limit);
      const shown = new Set(kept.map((n) => n.id));
      const edges = links
        .filter((l) => shown.has(String(l.source)) && shown.has(String(l.target)))
        .map((l) => ({ source: String(l.source), target: String(l.target), relation: String(l.relation), links: Number(l.links) }));
      return { policy, nodes: kept, edges, more: nodes.length - kept.length };
    },
  );

  app.get<{ Params: { rule: string }; Querystring: { limit: number } }>(
    '/rules/:rule/graph',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: "A rule's neighbourhood",
        description:
          "What the graph view draws around one rule: the rule first, then its exceptions, the rules it refers to and that refer to it, the rules it overrides and that override it, the rules a conflicts run found it in conflict with, its bearer, action and target terms and their broader terms. Each node has its kind: rule, exception, term, or provision (another provision, such as a definition referring to the rule). Edges run source → target (an exception → the rule it qualifies; a term → its broader term). Past limit, nodes are left off and counted in more.",
        security: BEARER_SECURITY,
        params: { type: 'object', properties: { rule: pathIri('the rule IRI, URL-encoded') }, required: ['rule'], additionalProperties: false },
        querystring: limitQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              rule: { type: 'string' },
              policy: { type: ['string', 'null'] },
              nodes: nodesSchema,
              edges: edgesSchema,
              more,
            },
            required: ['rule', 'policy', 'nodes', 'edges', 'more'],
            additionalProperties: false,
          },
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request) => {
      const rule = request.params.rule;
      const [heads, rows] = await Promise.all([store.namedQuery('rule', { rule }), store.namedQuery('graph-rule-neighbourhood', { rule })]);
      const head = heads[0];
      if (!head) throw new HttpProblem(404, 'not-found', 'No such rule', `No loaded policy states a rule ${rule} (an obligation, prohibition or permission).`);
      return { rule, policy: head.policy === null || head.policy === undefined ? null : String(head.policy), ...neighbourhood(rule, head.label, 'rule', rows, ROW_EDGES, request.query.limit) };
    },
  );

  app.get<{ Params: { term: string }; Querystring: { limit: number } }>(
    '/terms/:term/graph',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: "A term's place in its hierarchy",
        description:
          'What the graph view draws around one term (a role, action, asset…): the term first, then its broader terms up the hierarchy, its narrower terms one step down, and the provisions that name it as bearer, action or target. Edges run source → target (a term → its broader term; a rule → the term it names). Past limit, nodes are left off and counted in more. 404 when the IRI names nothing with a label.',
        security: BEARER_SECURITY,
        params: { type: 'object', properties: { term: pathIri('the term IRI, URL-encoded') }, required: ['term'], additionalProperties: false },
        querystring: limitQuery,
        response: {
          200: {
            type: 'object',
            properties: { term: { type: 'string' }, nodes: nodesSchema, edges: edgesSchema, more },
            required: ['term', 'nodes', 'edges', 'more'],
            additionalProperties: false,
          },
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request) => {
      const term = request.params.term;
      const rows = await store.namedQuery('graph-term-neighbourhood', { term });
      const self = rows.find((r) => r.relation === 'self');
      if (!self) throw new HttpProblem(404, 'not-found', 'No such term', `Nothing loaded is named ${term} with a label (a role, action, asset or other term).`);
      return { term, ...neighbourhood(term, self.label, 'term', rows, TERM_ROW_EDGES, request.query.limit) };
    },
  );
}

/** Nodes and edges from the rows of a neighbourhood query, the centre first, at most `limit` nodes. */
function neighbourhood(centre: string, centreLabel: unknown, centreKind: Node['kind'], rows: readonly Row[], shapes: typeof ROW_EDGES, limit: number): { nodes: Node[]; edges: Edge[]; more: number } {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  const nodes = new Map<string, Node>([[centre, { id: centre, label: text(centreLabel), kind: centreKind }]]);
  const edges = new Map<string, Edge>();
  for (const row of rows) {
    const shape = shapes[String(row.relation)];
    if (!shape) continue;
    const [node, via] = [String(row.node), String(row.via)];
    const kind = row.nodeKind === 'rule' || row.nodeKind === 'exception' ? row.nodeKind : shape.term ? 'term' : 'provision';
    if (!nodes.has(node)) nodes.set(node, { id: node, label: text(row.label), kind });
    const [source, target] = shape.from === 'via' ? [via, node] : [node, via];
    // A conflict is one edge whichever way it was found.
    const key = shape.relation === 'conflict' ? `conflict ${[source, target].sort().join(' ')}` : `${shape.relation} ${source} ${target}`;
    edges.set(key, { source, target, relation: shape.relation });
  }
  const all = [...nodes.values()];
  const kept = all.slice(0, limit);
  const shown = new Set(kept.map((n) => n.id));
  return { nodes: kept, edges: [...edges.values()].filter((e) => shown.has(e.source) && shown.has(e.target)), more: all.length - kept.length };
}
