import type { NodeHealth } from '../analyzers/node-health.ts';
import { allNodeNames } from '../analyzers/node-scope.ts';
import type { ClusterSource } from '../cluster/source.ts';
import { notFound } from '../errors.ts';
import { nodeHealthOf } from './observations.ts';

export interface NodeHealthReport {
  apiVersion: 'netpath/v1alpha1';
  kind: 'NodeHealthReport';
  nodes: (NodeHealth & { read: boolean })[];
}

/**
 * node: collect the API objects, check the names asked for (none: every node), collect their
 * dumps, parse each one's health. `now` is the time of a live reading; null judges a bundle at
 * the moment of its capture.
 */
export async function nodeReportFrom(source: ClusterSource, names: readonly string[], now: number | null): Promise<NodeHealthReport> {
  const state = await source.readState({ kind: 'all-services' });
  const known = allNodeNames(state);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw notFound(`node ${unknown.join(', ')} not found (nodes: ${known.join(', ') || 'none'})`);
  const nodes = names.length > 0 ? [...names] : known;
  // One batch of dumps at a time (source.nodesPerRead), each let go once its health is read.
  const health = new Map<string, NodeHealth>();
  const batch = source.nodesPerRead ?? nodes.length;
  const readBatch = async (some: string[]) => [...(await source.readNodes({ nodes: some, healthCheckPorts: [] })).values()].map((d) => nodeHealthOf(d, state, now));
  for (let i = 0; i < nodes.length; i += batch) for (const h of await readBatch(nodes.slice(i, i + batch))) health.set(h.node, h);
  return {
    apiVersion: 'netpath/v1alpha1',
    kind: 'NodeHealthReport',
    nodes: nodes.map((node) => {
      const h = health.get(node);
      return h ? { ...h, read: true } : { ...unread(node), read: false };
    }),
  };
}

function unread(node: string): NodeHealth {
  return {
    node, proxyMode: null, kubeProxyVersion: null, healthy: null, sync: [], pendingChanges: null,
    iptablesBackend: null, rules: null, conntrack: null, findings: [],
  };
}
