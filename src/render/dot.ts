import type { ServiceExplanation, TraceReport } from '../model/results.ts';
import { buildPathGraph, type GraphNodeKind } from './path-graph.ts';

/** A Graphviz quoted string: backslash and quote escaped, label lines joined with `\n`. */
const quote = (text: string) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const label = (lines: string[]) => `"${lines.map((l) => l.replace(/[\\"]/g, (c) => `\\${c}`)).join('\\n')}"`;

const SHAPES: Record<GraphNodeKind, string> = {
  client: 'shape=oval',
  balancer: 'shape=box, style=rounded',
  node: 'shape=box3d',
  rule: 'shape=note, fontname="monospace"',
  endpoint: 'shape=box, style=filled, fillcolor="#d9f2d9"',
  sink: 'shape=octagon, style=filled, fillcolor="#f7d4d4"',
};

/** `-o dot`: the path graph for Graphviz (`| dot -Tsvg > path.svg`); node ids are the graph's ids. */
export function toDot(result: ServiceExplanation | TraceReport): string {
  const graph = buildPathGraph(result);
  const lines = [
    'digraph netpath {',
    '  rankdir=LR;',
    `  label=${quote(graph.title)};`,
    '  labelloc=t;',
    '  fontname="Helvetica";',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
    ...graph.nodes.map((n) => `  ${quote(n.id)} [label=${label(n.label)}, ${SHAPES[n.kind]}];`),
    ...graph.edges.map((e) => `  ${quote(e.from)} -> ${quote(e.to)} [label=${quote(e.label)}];`),
    '}',
  ];
  return lines.join('\n') + '\n';
}
