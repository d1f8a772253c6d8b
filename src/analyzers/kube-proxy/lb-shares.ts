import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../../model/cluster.ts';
import type { LoadBalancerShare } from '../../model/results.ts';
import { categorizeEndpoints } from './categorize.ts';
import { endpointRef, endpointsForPort } from './endpoints.ts';
import type { FeatureGates } from './feature-gates.ts';
import { loadBalancerExclusion, nodeLabels } from './nodes.ts';
import { primaryFamily, serviceView, servicePortFlags } from './service-view.ts';

export interface LoadBalancerShares {
  shares: LoadBalancerShare[];
  /** Largest share / smallest non-zero share; null when no endpoint gets traffic. */
  imbalanceFactor: number | null;
  /** Nodes the load balancer sends to (health check passing), each getting 1/targets.length. */
  targetNodes: string[];
  /** Nodes left out, with the reason. */
  skippedNodes: { node: string; reason: string }[];
}

const EMPTY: LoadBalancerShares = { shares: [], imbalanceFactor: null, targetNodes: [], skippedNodes: [] };

/**
 * Each endpoint's share of the traffic an external load balancer spreads evenly over the nodes
 * whose health check passes. Candidate nodes are the cloud service controller's (see
 * loadBalancerExclusion). Under Cluster policy every candidate passes and forwards over its own
 * cluster endpoints (topology hints may differ per node); under Local only nodes with a ready
 * local endpoint pass (the 503 rule of the health check) and each splits evenly over its local
 * endpoints. So with pods 2/1/0 on three nodes under Local: 1/2 x 1/2 = 1/4, 1/4 and 1/2.
 * Computed for one service port (the first when `portName` is not given).
 */
export function loadBalancerShares(
  state: ClusterState,
  svc: V1Service,
  gates: FeatureGates,
  portName?: string,
): LoadBalancerShares {
  const view = serviceView(svc, gates);
  if (view.notProxiedReason !== null || (view.type !== 'NodePort' && view.type !== 'LoadBalancer')) return EMPTY;
  const port = portName === undefined ? view.ports[0] : view.ports.find((p) => p.name === portName);
  if (!port) return EMPTY;
  const family = primaryFamily(view);
  const endpoints = endpointsForPort(state, svc, port, family);
  const flags = servicePortFlags(view, port, family);

  const skippedNodes: { node: string; reason: string }[] = [];
  const perNode: { node: string; keys: string[] }[] = [];
  for (const node of state.nodes) {
    const name = node.metadata?.name ?? '';
    const excluded = loadBalancerExclusion(node);
    if (excluded) {
      skippedNodes.push({ node: name, reason: excluded });
      continue;
    }
    const cat = categorizeEndpoints(endpoints, flags, name, nodeLabels(node), gates);
    if (view.externalPolicyLocal) {
      const ready = cat.localEndpoints.filter((ep) => ep.ready);
      if (ready.length === 0) {
        skippedNodes.push({ node: name, reason: `health check fails on ${name}: ${cat.localReason}` });
        continue;
      }
      perNode.push({ node: name, keys: ready.map((ep) => ep.key) });
    } else {
      perNode.push({ node: name, keys: cat.clusterEndpoints.map((ep) => ep.key) });
    }
  }

  const share = new Map<string, number>(endpoints.map((ep) => [ep.key, 0]));
  for (const { keys } of perNode) {
    for (const key of keys) share.set(key, (share.get(key) ?? 0) + 1 / perNode.length / keys.length);
  }
  const shares = endpoints.map((ep) => ({ endpoint: endpointRef(ep), share: share.get(ep.key) ?? 0 }));
  const nonZero = shares.map((s) => s.share).filter((s) => s > 0);
  return {
    shares,
    imbalanceFactor: nonZero.length ? Math.max(...nonZero) / Math.min(...nonZero) : null,
    targetNodes: perNode.map((p) => p.node),
    skippedNodes,
  };
}
