import type { V1Node } from '@kubernetes/client-node';
import type { EndpointRef } from '../model/outcome.ts';
import type { LoadBalancerShare, NodeReport, PathReport } from '../model/results.ts';
import { loadBalancerExclusion } from './kube-proxy/index.ts';

export interface ShareResult {
  shares: LoadBalancerShare[];
  imbalanceFactor: number | null;
  targetNodes: string[];
}

/**
 * Each endpoint's share of traffic an external load balancer spreads evenly over the nodes whose
 * health check passes (every candidate node when there is no health check), each node then
 * forwarding as its own path says — the walked rules where they were read. Candidates are the
 * nodes a cloud service controller would register (see loadBalancerExclusion).
 */
export function loadBalancerSharesFromPaths(
  paths: readonly PathReport[],
  nodes: readonly NodeReport[],
  nodeObjects: readonly V1Node[],
  /** Endpoints listed with share 0 when no healthy node sends them anything: worth seeing. */
  endpoints: readonly EndpointRef[],
): ShareResult {
  const entry = paths.some((p) => p.entry === 'LoadBalancer') ? 'LoadBalancer' : 'NodePort';
  const first = paths.find((p) => p.entry === entry && p.from.startsWith('an external client'));
  if (!first) return { shares: [], imbalanceFactor: null, targetNodes: [] };
  const excluded = new Set(nodeObjects.filter((n) => loadBalancerExclusion(n) !== null).map((n) => n.metadata?.name));
  const targets = nodes
    .filter((n) => !excluded.has(n.name) && n.healthCheck.status !== 503)
    .map((n) => n.name);
  const byEndpoint = new Map<string, LoadBalancerShare>(endpoints.map((e) => [`${e.ip}:${e.port}`, { endpoint: e, share: 0 }]));
  for (const node of targets) {
    const path = paths.find(
      (p) => p.node === node && p.entry === entry && p.address === (entry === 'NodePort' ? p.address : first.address) && p.port === first.port && p.protocol === first.protocol,
    );
    for (const o of path?.outcomes ?? []) {
      if (o.verdict !== 'DNAT' || !o.endpoint) continue;
      const key = `${o.endpoint.ip}:${o.endpoint.port}`;
      const prev = byEndpoint.get(key) ?? { endpoint: o.endpoint, share: 0 };
      byEndpoint.set(key, { endpoint: prev.endpoint, share: prev.share + o.probability / targets.length });
    }
  }
  const shares = [...byEndpoint.values()].sort((a, b) => b.share - a.share || a.endpoint.ip.localeCompare(b.endpoint.ip));
  const nonZero = shares.map((s) => s.share).filter((s) => s > 1e-12);
  const imbalanceFactor = nonZero.length ? Math.max(...nonZero) / Math.min(...nonZero) : null;
  return { shares, imbalanceFactor, targetNodes: targets };
}
