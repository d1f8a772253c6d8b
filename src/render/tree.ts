import type { ServiceExplanation, TraceReport } from '../model/results.ts';
import { makeStyle } from './colors.ts';
import { visibleWidth, wrapText } from './format.ts';
import { buildPathGraph, type GraphNode } from './path-graph.ts';

export interface TreeOptions {
  color: boolean;
  /** Columns to fit: long lines wrap under their branch, nothing is cut. */
  width: number;
}

/**
 * `-o tree`: the path graph as a compact tree, one line per hop: `share -> what`. An endpoint
 * reached from several nodes appears under each of them.
 */
export function toTree(result: ServiceExplanation | TraceReport, { color, width }: TreeOptions): string {
  const style = makeStyle(color);
  const graph = buildPathGraph(result);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const children = (id: string) => graph.edges.filter((e) => e.from === id);
  const hasParent = new Set(graph.edges.map((e) => e.to));
  const lines: string[] = wrapText(graph.title, width).map((l) => style.bold(l));
  const describe = (n: GraphNode) => n.label.join(' ');
  const push = (first: string, rest: string, content: string) => {
    const wrapped = wrapText(content, Math.max(width - Math.max(visibleWidth(first), visibleWidth(rest)), 8));
    wrapped.forEach((l, i) => lines.push((i === 0 ? first : rest) + l));
  };
  const walk = (id: string, prefix: string, seen: Set<string>) => {
    const edges = children(id);
    edges.forEach((e, i) => {
      const last = i === edges.length - 1;
      const node = byId.get(e.to)!;
      push(prefix + (last ? '└─ ' : '├─ '), prefix + (last ? '   ' : '│  ') + '   ', `${e.label} -> ${describe(node)}`);
      // The graph has no cycles, but a guard keeps a malformed one from looping.
      if (!seen.has(e.to)) walk(e.to, prefix + (last ? '   ' : '│  '), new Set([...seen, e.to]));
    });
  };
  for (const root of graph.nodes.filter((n) => !hasParent.has(n.id))) {
    push('', '  ', describe(root));
    walk(root.id, '', new Set([root.id]));
  }
  return lines.join('\n') + '\n';
}
