/**
 * Draws a graph on a canvas: graphology holds it and lays it out
 * (ForceAtlas2 from positions on a circle, a fixed number of steps, so the
 * same graph is drawn the same way each time), sigma.js draws it with WebGL.
 * The page loads this module (and with it the two libraries) only when the
 * graph view opens: it is its own chunk of the bundle.
 */

import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import Sigma from 'sigma';

export interface DrawnNode {
  readonly id: string;
  readonly label: string;
  readonly size: number;
  readonly color: string;
}

export interface DrawnEdge {
  readonly source: string;
  readonly target: string;
  readonly color: string;
  readonly size: number;
}

export interface Drawing {
  /** Removes the drawing and its canvases. */
  kill(): void;
}

/** Lays the nodes out and draws them in `container`; `centre` (when given) starts in the middle; a click on a node calls `onClick`. */
export function drawGraph(container: HTMLElement, nodes: readonly DrawnNode[], edges: readonly DrawnEdge[], options: { centre?: string; onClick: (node: string) => void }): Drawing {
  const graph = new Graph({ multi: true, type: 'directed' });
  const around = nodes.filter((n) => n.id !== options.centre);
  for (const node of nodes) {
    const i = around.indexOf(node);
    const angle = (2 * Math.PI * i) / Math.max(1, around.length);
    const [x, y] = node.id === options.centre ? [0, 0] : [Math.cos(angle) * 100, Math.sin(angle) * 100];
    graph.addNode(node.id, { label: node.label, size: node.size, color: node.color, x, y });
  }
  for (const edge of edges) graph.addDirectedEdge(edge.source, edge.target, { color: edge.color, size: edge.size });
  if (graph.order > 1) forceAtlas2.assign(graph, { iterations: 200, settings: { ...forceAtlas2.inferSettings(graph), adjustSizes: true } });
  const sigma = new Sigma(graph, container, { settings: { labelRenderedSizeThreshold: 4, enableNodeDrag: false } });
  sigma.on('clickNode', ({ node }) => options.onClick(node));
  sigma.on('enterNode', () => (container.style.cursor = 'pointer'));
  sigma.on('leaveNode', () => (container.style.cursor = ''));
  return { kill: () => sigma.kill() };
}
