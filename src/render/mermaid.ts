import type { ServiceExplanation, TraceReport } from '../model/results.ts';
import { buildPathGraph } from './path-graph.ts';

/** Mermaid labels are quoted; a quote inside is written as the entity `#quot;`. */
const text = (s: string) => s.replace(/"/g, '#quot;');

/**
 * `-o mermaid`: the path graph as a Mermaid flowchart (GitHub renders it in a ```mermaid
 * block). Mermaid ids must be plain words, so nodes are n0, n1, ... in graph order.
 */
export function toMermaid(result: ServiceExplanation | TraceReport): string {
  const graph = buildPathGraph(result);
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = [
    '---',
    `title: "${text(graph.title)}"`,
    '---',
    'flowchart LR',
    ...graph.nodes.map((n) => `  ${ids.get(n.id)}["${n.label.map(text).join('<br/>')}"]`),
    ...graph.edges.map((e) => `  ${ids.get(e.from)} -->|"${text(e.label)}"| ${ids.get(e.to)}`),
  ];
  return lines.join('\n') + '\n';
}
