import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../../model/cluster.ts';
import type { EndpointRef } from '../../model/outcome.ts';
import type { LoadBalancerShare, NodeReport, PathReport, ServiceExplanation } from '../../model/results.ts';
import { detectLoadBalancer } from './detect-load-balancer.ts';
import type { Detection } from './detection.ts';
import { hopShares } from './hop-shares.ts';
import { inClusterPath } from './in-cluster.ts';
import { ingressesFor } from './ingresses.ts';
import type { LoadBalancerReport } from './types.ts';

export { detectLoadBalancer } from './detect-load-balancer.ts';
export type { Detection } from './detection.ts';
export type * from './types.ts';

/** What the load-balancer hop is computed from: the walked paths, the node reports and the even-model shares. */
export interface ExplainedPaths {
  paths: readonly PathReport[];
  nodes: readonly NodeReport[];
  loadBalancerShares: readonly LoadBalancerShare[];
}

/**
 * The load-balancer hop of a service: who implements it, how it targets, its own health check
 * and its split over nodes and pods; null for other service types. Computed once, where the
 * findings' context is built, so that findings and the JSON say the same.
 */
export function loadBalancerOf(state: ClusterState, service: V1Service, explained: ExplainedPaths): LoadBalancerReport | null {
  const d = detectLoadBalancer(state, service);
  return d && loadBalancerReport(d, explained, state, service);
}

/**
 * Places the load-balancer report (computed by explainService) after what the pipeline added
 * per node, where contract 2 lists it, and adds the Ingresses that route to the service.
 */
export function withLoadBalancer(result: ServiceExplanation, state: ClusterState, service: V1Service): ServiceExplanation {
  const { loadBalancer = null, ...rest } = result;
  const ingresses = ingressesFor(state, service);
  return { ...rest, loadBalancer, ...(ingresses.length ? { ingresses } : {}) };
}

function loadBalancerReport(d: Detection, result: ExplainedPaths, state: ClusterState, service: V1Service): LoadBalancerReport {
  const endpoints = readyEndpoints(state, service, result.loadBalancerShares.map((s) => s.endpoint));
  const hop = hopShares(d, service, result.paths, result.nodes, state.nodes, endpoints);
  const evidence = [...d.evidence];
  if (hop.unanswered.length) evidence.push({ kind: 'model', ref: `nodes ${hop.unanswered.join(', ')}`, detail: 'entry nodes without a walked path: their share is not counted in the pods\' shares' });
  const healthCheck = d.healthCheck && { ...d.healthCheck, port: d.healthCheck.port === 'traffic-port' ? trafficPort(d, service, endpoints) : d.healthCheck.port };
  return {
    implementation: d.implementation,
    targetType: d.targetType,
    kubeProxyOnPath: d.delivery !== 'pod',
    entry: d.entry,
    assumed: d.assumed,
    evidence,
    healthCheck,
    nodeShares: hop.nodeShares,
    shares: hop.shares,
    inCluster: inClusterPath(service, d),
  };
}

/** The port traffic is sent to: the NodePort for node targets, the endpoints' port for ip targets. */
function trafficPort(d: Detection, service: V1Service, endpoints: EndpointRef[]): number | null {
  if (d.delivery === 'pod') return endpoints[0]?.port ?? (typeof service.spec?.ports?.[0]?.targetPort === 'number' ? service.spec.ports[0].targetPort : null);
  return service.spec?.ports?.[0]?.nodePort ?? null;
}

/** Endpoints whose EndpointSlice condition is ready (unset counts as ready): what an LB registers as targets. */
function readyEndpoints(state: ClusterState, service: V1Service, candidates: EndpointRef[]): EndpointRef[] {
  const ready = new Set<string>();
  for (const s of state.endpointSlices) {
    if (s.metadata?.namespace !== service.metadata?.namespace || s.metadata?.labels?.['kubernetes.io/service-name'] !== service.metadata?.name) continue;
    for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) for (const a of e.addresses) ready.add(a);
  }
  return candidates.filter((e) => ready.has(e.ip));
}
