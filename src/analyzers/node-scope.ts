import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../model/cluster.ts';
import { loadBalancerExclusion, serviceEndpointSlices } from './kube-proxy/index.ts';

const names = (state: ClusterState) => state.nodes.map((n) => n.metadata?.name ?? '').filter((n) => n !== '').sort();

/**
 * Nodes whose dataplane a question about `service` needs to read: those hosting its endpoints,
 * plus, for NodePort and LoadBalancer services, every node an external load balancer targets.
 * Other nodes are answered from the API objects alone.
 */
export function nodesForService(state: ClusterState, service: V1Service, all: boolean): string[] {
  if (all) return names(state);
  const wanted = new Set<string>();
  for (const slice of serviceEndpointSlices(state, service)) {
    for (const ep of slice.endpoints ?? []) if (ep.nodeName) wanted.add(ep.nodeName);
  }
  const type = service.spec?.type;
  if (type === 'NodePort' || type === 'LoadBalancer') {
    for (const n of state.nodes) if (loadBalancerExclusion(n) === null && n.metadata?.name) wanted.add(n.metadata.name);
  }
  return names(state).filter((n) => wanted.has(n));
}

/** Every node in the state, sorted: explain-svc shows a path for each. */
export const allNodeNames = names;
