/**
 * The graph: a whole policy as an overview by section (#/graph?policy=…: one
 * node per section sized by its rules, edges for the references, exceptions,
 * overrides and conflicts that cross sections), or one rule's neighbourhood
 * (#/graph?rule=…: its exceptions, references both ways, conflicts, terms and
 * their broader terms), or one term in its hierarchy (#/graph?term=…: broader
 * terms, narrower terms, the provisions naming it). The drawing (graphology and sigma.js, WebGL) loads
 * only here, as its own chunk; the same nodes and edges are listed in tables
 * below it, which is what a keyboard or a screen reader uses, and all there
 * is when the browser has no WebGL.
 */

import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { enc, getJson } from '../api.js';
import { useLoad } from '../load.js';
import { Await, PolicyTabs, RuleLink } from '../parts.js';
import { nameOf } from '../policy-data.js';
import { policyTitle } from '../policy-title.js';
import { go, href } from '../router.js';
import type { DrawnEdge, DrawnNode } from '../graph-drawing.js';

interface PolicyGraph {
  policy: string;
  nodes: { id: string; label: string | null; rules: number; exceptions: number }[];
  edges: { source: string; target: string; relation: string; links: number }[];
  more: number;
}

interface Neighbourhood {
  nodes: { id: string; label: string | null; kind: 'rule' | 'exception' | 'term' | 'provision' }[];
  edges: { source: string; target: string; relation: string }[];
  more: number;
}

interface RuleGraph extends Neighbourhood {
  rule: string;
  policy: string | null;
}

/** Most sections the overview asks for (the API's own limit), and most nodes of a neighbourhood. */
const SECTIONS_SHOWN = 500;
const NEIGHBOURS_SHOWN = 200;

/** How each relation is named and coloured, in the drawing and in the tables. */
const RELATIONS: Record<string, { name: string; color: string }> = {
  exceptionTo: { name: 'is an exception to', color: '#b26a00' },
  refersTo: { name: 'refers to', color: '#0b57a4' },
  overrides: { name: 'overrides', color: '#6b3fa0' },
  conflict: { name: 'conflicts with', color: '#a3161f' },
  bearer: { name: 'binds', color: '#7d8594' },
  action: { name: 'concerns the action', color: '#7d8594' },
  target: { name: 'concerns', color: '#7d8594' },
  broader: { name: 'is a narrower term of', color: '#b9c0cc' },
};
const KINDS: Record<string, { name: string; color: string }> = {
  rule: { name: 'rule', color: '#0b57a4' },
  exception: { name: 'exception', color: '#b26a00' },
  term: { name: 'term', color: '#1d6b32' },
  provision: { name: 'other provision', color: '#4a5260' },
  section: { name: 'section', color: '#14233a' },
};
const relationName = (relation: string) => RELATIONS[relation]?.name ?? relation;
/** Edges to draw, the most telling last: two rules linked twice (a reference and a conflict) show the conflict on top. */
const drawOrder = <E extends { relation: string }>(edges: readonly E[]): E[] => {
  const rank = (e: E) => ['exceptionTo', 'overrides', 'conflict'].indexOf(e.relation) + 1;
  return [...edges].sort((a, b) => rank(a) - rank(b));
};

export function GraphView({ params }: { params: URLSearchParams }) {
  const rule = params.get('rule');
  const term = params.get('term');
  const policy = params.get('policy');
  if (rule) return <NeighbourhoodView rule={rule} />;
  if (term) return <TermView term={term} policy={policy} />;
  if (policy) return <OverviewView policy={policy} />;
  return (
    <>
      <h1>Graph</h1>
      <p>
        The graph shows a policy by section (its <em>Graph</em> tab) or one rule's neighbourhood (<em>See in the graph</em> on a rule's page). <a href={href.policies()}>See the policies</a>.
      </p>
    </>
  );
}

async function readOverview(policy: string) {
  const [graph, title] = await Promise.all([getJson<PolicyGraph>(`/v1/policies/${enc(policy)}/graph?limit=${SECTIONS_SHOWN}`), policyTitle(policy)]);
  return { graph, title };
}

function OverviewView({ policy }: { policy: string }) {
  const loaded = useLoad(`graph policy ${policy}`, () => readOverview(policy));
  return (
    <Await loaded={loaded} what="the policy's graph">
      {({ graph, title }) => {
        const labels = new Map(graph.nodes.map((n) => [n.id, n.label ?? nameOf(n.id)]));
        const most = Math.max(1, ...graph.nodes.map((n) => n.rules + n.exceptions));
        const nodes: DrawnNode[] = graph.nodes.map((n) => ({ id: n.id, label: labels.get(n.id)!, size: 3 + 12 * Math.sqrt((n.rules + n.exceptions) / most), color: KINDS.section!.color }));
        const edges: DrawnEdge[] = drawOrder(graph.edges).map((e) => ({ source: e.source, target: e.target, color: RELATIONS[e.relation]?.color ?? '#999', size: Math.min(8, 1 + Math.log2(e.links)) }));
        const rules = graph.nodes.reduce((sum, n) => sum + n.rules, 0);
        return (
          <>
            <PolicyTabs policy={policy} title={title} current="graph" />
            <h1>Graph by section</h1>
            <p class="count">
              {graph.nodes.length} sections holding {rules} rules, {graph.edges.length} links between sections. A section's size is its number of rules and exceptions; click one to see its rules.
              {graph.more > 0 && ` ${graph.more} more sections are left off (the overview shows at most ${SECTIONS_SHOWN}).`}
            </p>
            <Legend relations={[...new Set(graph.edges.map((e) => e.relation))]} kinds={['section']} />
            <Drawing nodes={nodes} edges={edges} label={`Drawing of the policy's ${graph.nodes.length} sections and the links between them; the tables below list the same.`} onClick={(id) => go(href.rules(policy, { section: id }))} />

            <section aria-labelledby="graph-nodes-heading">
              <h2 id="graph-nodes-heading">Sections</h2>
              <table>
                <caption class="visually-hidden">The sections drawn, with their rules and exceptions</caption>
                <thead>
                  <tr>
                    <th scope="col">Section</th>
                    <th scope="col" class="num">Rules</th>
                    <th scope="col" class="num">Exceptions</th>
                  </tr>
                </thead>
                <tbody>
                  {graph.nodes.map((n) => (
                    <tr key={n.id}>
                      <th scope="row">
                        <a href={href.rules(policy, { section: n.id })} title={n.id}>
                          {labels.get(n.id)}
                        </a>
                      </th>
                      <td class="num">{n.rules}</td>
                      <td class="num">{n.exceptions}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section aria-labelledby="graph-edges-heading">
              <h2 id="graph-edges-heading">Links between sections</h2>
              {graph.edges.length === 0 ? (
                <p>No reference, exception, override or recorded conflict crosses from one section to another.</p>
              ) : (
                <table>
                  <caption class="visually-hidden">Links from the provisions of one section to those of another</caption>
                  <thead>
                    <tr>
                      <th scope="col">From</th>
                      <th scope="col">Relation</th>
                      <th scope="col">To</th>
                      <th scope="col" class="num">Links</th>
                    </tr>
                  </thead>
                  <tbody>
                    {graph.edges.map((e) => (
                      <tr key={`${e.source} ${e.relation} ${e.target}`}>
                        <td>{labels.get(e.source)}</td>
                        <td>{relationName(e.relation)}</td>
                        <td>{labels.get(e.target)}</td>
                        <td class="num">{e.links}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </>
        );
      }}
    </Await>
  );
}

async function readNeighbourhood(rule: string) {
  const graph = await getJson<RuleGraph>(`/v1/rules/${enc(rule)}/graph?limit=${NEIGHBOURS_SHOWN}`);
  return { graph, title: graph.policy ? await policyTitle(graph.policy) : null };
}

function NeighbourhoodView({ rule }: { rule: string }) {
  const loaded = useLoad(`graph rule ${rule}`, () => readNeighbourhood(rule));
  return (
    <Await loaded={loaded} what="the rule's neighbourhood">
      {({ graph, title }) => {
        // What the answer is about: while the next one loads, the page keeps showing the last answer whole.
        const centre = graph.rule;
        const labels = new Map(graph.nodes.map((n) => [n.id, n.label ?? nameOf(n.id)]));
        const kinds = new Map(graph.nodes.map((n) => [n.id, n.kind]));
        const nodes: DrawnNode[] = graph.nodes.map((n) => ({ id: n.id, label: labels.get(n.id)!, size: n.id === centre ? 9 : n.kind === 'term' ? 4 : 6, color: KINDS[n.kind]!.color }));
        const edges: DrawnEdge[] = drawOrder(graph.edges).map((e) => ({ source: e.source, target: e.target, color: RELATIONS[e.relation]?.color ?? '#999', size: 2 }));
        const name = labels.get(centre)!;
        const nodeLink = (id: string) => <NodeLink id={id} kind={kinds.get(id)} label={labels.get(id)!} centre={centre} policy={graph.policy} />;
        return (
          <>
            {graph.policy && <PolicyTabs policy={graph.policy} title={title} current="graph" />}
            <nav aria-label="Breadcrumb" class="crumbs">
              {graph.policy && (
                <>
                  <a href={href.graph(graph.policy)}>Graph by section</a> ›{' '}
                </>
              )}
              <span aria-current="page">{name}</span>
            </nav>
            <h1>Neighbourhood of {name}</h1>
            <p class="count">
              {graph.nodes.length} nodes and {graph.edges.length} edges around <RuleLink rule={centre} label={`the rule ${name}`} />. Click a rule to see its neighbourhood, a term to see its hierarchy.
              {graph.more > 0 && ` ${graph.more} more nodes are left off (a neighbourhood shows at most ${NEIGHBOURS_SHOWN}).`}
            </p>
            <Legend relations={[...new Set(graph.edges.map((e) => e.relation))]} kinds={[...new Set(graph.nodes.map((n) => n.kind))]} />
            <Drawing
              nodes={nodes}
              edges={edges}
              centre={centre}
              label={`Drawing of the neighbourhood of ${name}: ${graph.nodes.length} nodes, ${graph.edges.length} edges; the tables below list the same.`}
              onClick={(id) => id !== centre && opens(id, kinds.get(id), graph.policy)}
            />

            <NodeAndEdgeTables nodes={graph.nodes} edges={graph.edges} nodeLink={nodeLink} labels={labels} empty="The rule has no exception, reference, conflict or term." />
          </>
        );
      }}
    </Await>
  );
}

/** Where clicking a node leads: a rule's neighbourhood, a term's hierarchy; nowhere for other nodes. */
function targetOf(id: string, kind: string | undefined, policy: string | null | undefined): string | null {
  if (kind === 'rule') return href.ruleGraph(id);
  if (kind === 'term') return href.termGraph(id, policy ?? undefined);
  return null;
}
function opens(id: string, kind: string | undefined, policy: string | null | undefined): void {
  const link = targetOf(id, kind, policy);
  if (link) go(link);
}

/** A node in the tables: a link to its neighbourhood or hierarchy where it has one. */
function NodeLink({ id, kind, label, centre, policy }: { id: string; kind: string | undefined; label: string; centre: string; policy: string | null | undefined }) {
  const link = targetOf(id, kind, policy);
  return link ? (
    <a href={link} title={id} aria-current={id === centre ? 'page' : undefined}>
      {label}
    </a>
  ) : (
    <span title={id}>{label}</span>
  );
}

async function readTerm(term: string, policy: string | null) {
  const [graph, title] = await Promise.all([getJson<Neighbourhood & { term: string }>(`/v1/terms/${enc(term)}/graph?limit=${NEIGHBOURS_SHOWN}`), policy ? policyTitle(policy) : Promise.resolve(null)]);
  return { graph, title };
}

function TermView({ term, policy }: { term: string; policy: string | null }) {
  const loaded = useLoad(`graph term ${term} ${policy}`, () => readTerm(term, policy));
  return (
    <Await loaded={loaded} what="the term's hierarchy">
      {({ graph, title }) => {
        // What the answer is about: while the next one loads, the page keeps showing the last answer whole.
        const centre = graph.term;
        const labels = new Map(graph.nodes.map((n) => [n.id, n.label ?? nameOf(n.id)]));
        const kinds = new Map(graph.nodes.map((n) => [n.id, n.kind]));
        const nodes: DrawnNode[] = graph.nodes.map((n) => ({ id: n.id, label: labels.get(n.id)!, size: n.id === centre ? 9 : n.kind === 'term' ? 5 : 4, color: KINDS[n.kind]!.color }));
        const edges: DrawnEdge[] = drawOrder(graph.edges).map((e) => ({ source: e.source, target: e.target, color: RELATIONS[e.relation]?.color ?? '#999', size: 2 }));
        const name = labels.get(centre)!;
        const nodeLink = (id: string) => <NodeLink id={id} kind={kinds.get(id)} label={labels.get(id)!} centre={centre} policy={policy} />;
        return (
          <>
            {policy && <PolicyTabs policy={policy} title={title} current="graph" />}
            <h1>Hierarchy of {name}</h1>
            <p class="count">
              {graph.nodes.length} nodes and {graph.edges.length} edges: its broader terms, its narrower terms and the provisions that name it. Click a term to see its hierarchy, a rule to see its
              neighbourhood.
              {graph.more > 0 && ` ${graph.more} more nodes are left off (at most ${NEIGHBOURS_SHOWN}).`}
            </p>
            <Legend relations={[...new Set(graph.edges.map((e) => e.relation))]} kinds={[...new Set(graph.nodes.map((n) => n.kind))]} />
            <Drawing nodes={nodes} edges={edges} centre={centre} label={`Drawing of the hierarchy of ${name}: ${graph.nodes.length} nodes, ${graph.edges.length} edges; the tables below list the same.`} onClick={(id) => id !== centre && opens(id, kinds.get(id), policy)} />
            <NodeAndEdgeTables nodes={graph.nodes} edges={graph.edges} nodeLink={nodeLink} labels={labels} empty="Nothing is broader or narrower than this term, and no provision names it." />
          </>
        );
      }}
    </Await>
  );
}

/** The tables of a neighbourhood: its nodes (with their rule pages) and its edges. */
function NodeAndEdgeTables({ nodes, edges, nodeLink, labels, empty }: { nodes: Neighbourhood['nodes']; edges: Neighbourhood['edges']; nodeLink: (id: string) => JSX.Element; labels: Map<string, string>; empty: string }) {
  return (
    <>
      <section aria-labelledby="graph-nodes-heading">
        <h2 id="graph-nodes-heading">Nodes</h2>
        <table>
          <caption class="visually-hidden">The rules, exceptions and terms drawn</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Kind</th>
              <th scope="col">Rule page</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((n) => (
              <tr key={n.id}>
                <th scope="row">{nodeLink(n.id)}</th>
                <td>{KINDS[n.kind]!.name}</td>
                <td>{n.kind === 'rule' ? <a href={href.rule(n.id)} aria-label={`Rule page of ${labels.get(n.id)}`}>rule page</a> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="graph-edges-heading">
        <h2 id="graph-edges-heading">Edges</h2>
        {edges.length === 0 ? (
          <p>{empty}</p>
        ) : (
          <table>
            <caption class="visually-hidden">How the nodes are linked</caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">Relation</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {edges.map((e) => (
                <tr key={`${e.source} ${e.relation} ${e.target}`}>
                  <td>{nodeLink(e.source)}</td>
                  <td>{relationName(e.relation)}</td>
                  <td>{nodeLink(e.target)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function Legend({ relations, kinds }: { relations: string[]; kinds: string[] }) {
  return (
    <ul class="legend" aria-label="Legend">
      {kinds.map((k) => (
        <li key={k}>
          <span class="swatch dot" style={{ background: KINDS[k]?.color }} aria-hidden="true" /> {KINDS[k]?.name ?? k}
        </li>
      ))}
      {relations.map((r) => (
        <li key={r}>
          <span class="swatch line" style={{ background: RELATIONS[r]?.color }} aria-hidden="true" /> {relationName(r)}
        </li>
      ))}
    </ul>
  );
}

/** Whether this browser can draw with WebGL 2, which sigma.js needs. */
function hasWebGL(): boolean {
  try {
    return document.createElement('canvas').getContext('webgl2') !== null;
  } catch {
    return false;
  }
}

type DrawingState = { state: 'drawing' } | { state: 'drawn' } | { state: 'no-webgl' } | { state: 'failed'; message: string };

/** The canvas: loads the drawing module, lays out and draws; says why when it cannot. */
function Drawing({ nodes, edges, centre, label, onClick }: { nodes: DrawnNode[]; edges: DrawnEdge[]; centre?: string; label: string; onClick: (node: string) => void }) {
  const box = useRef<HTMLDivElement>(null);
  const [drawing, setDrawing] = useState<DrawingState>({ state: 'drawing' });
  const key = JSON.stringify([nodes.map((n) => n.id), edges.map((e) => [e.source, e.target, e.color])]);
  useEffect(() => {
    if (!hasWebGL()) return setDrawing({ state: 'no-webgl' });
    let live = true;
    let kill = () => {};
    setDrawing({ state: 'drawing' });
    import('../graph-drawing.js')
      .then(({ drawGraph }) => {
        if (!live || !box.current) return;
        kill = drawGraph(box.current, nodes, edges, { ...(centre ? { centre } : {}), onClick }).kill;
        setDrawing({ state: 'drawn' });
      })
      .catch((error: unknown) => live && setDrawing({ state: 'failed', message: error instanceof Error ? error.message : String(error) }));
    return () => {
      live = false;
      kill();
    };
  }, [key]);
  return (
    <figure class="graph-figure">
      <div ref={box} class="graph-canvas" role="img" aria-label={label} data-state={drawing.state} />
      <figcaption>
        {drawing.state === 'drawing' && <span role="status">Drawing the graph…</span>}
        {drawing.state === 'drawn' && 'Drag to move, scroll to zoom. The tables below list every node and edge.'}
        {drawing.state === 'no-webgl' && (
          <span role="status">The drawing needs WebGL 2, which this browser does not offer; the tables below list every node and edge.</span>
        )}
        {drawing.state === 'failed' && <span role="alert">The graph could not be drawn ({drawing.message}); the tables below list every node and edge.</span>}
      </figcaption>
    </figure>
  );
}
