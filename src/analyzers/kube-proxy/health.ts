import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../../model/cluster.ts';
import type { Evidence } from '../../model/finding.ts';
import type { HealthCheck } from '../../model/results.ts';
import { endpointEvidence, endpointsForPort } from './endpoints.ts';
import type { ServiceEndpoint } from './endpoints.ts';
import type { FeatureGates } from './feature-gates.ts';
import { primaryFamily, serviceView } from './service-view.ts';
import type { ServiceView } from './service-view.ts';

export interface HealthPrediction extends HealthCheck {
  /** Distinct ready local endpoint IPs: the `localEndpoints` kube-proxy would report. */
  readyLocalEndpoints: number;
  evidence: Evidence[];
}

/** Endpoints of every port of the service on `nodeName`, in the primary IP family. */
function localEndpoints(state: ClusterState, svc: V1Service, nodeName: string, view: ServiceView): ServiceEndpoint[] {
  const family = primaryFamily(view);
  return view.ports
    .flatMap((p) => endpointsForPort(state, svc, p, family))
    .filter((ep) => ep.nodeName === nodeName);
}

function distinctByIP(eps: readonly ServiceEndpoint[]): ServiceEndpoint[] {
  const seen = new Map<string, ServiceEndpoint>();
  for (const ep of eps) if (!seen.has(ep.ip)) seen.set(ep.ip, ep);
  return [...seen.values()];
}

/**
 * Ready endpoints of the service on the node, counted as kube-proxy's LocalReadyEndpoints does:
 * distinct IPs over all ports (10.0.0.1:80 and 10.0.0.1:443 are one), terminating ones excluded
 * because they are not ready. Dual-stack: the primary family's proxier is counted.
 */
export function readyLocalEndpoints(state: ClusterState, svc: V1Service, nodeName: string, gates: FeatureGates): number {
  return readyByIP(localEndpoints(state, svc, nodeName, serviceView(svc, gates))).length;
}

function readyByIP(local: readonly ServiceEndpoint[]): ServiceEndpoint[] {
  return distinctByIP(local.filter((ep) => ep.ready));
}

/**
 * What kube-proxy's service health server on healthCheckNodePort answers on this node
 * (pkg/proxy/healthcheck/service_health.go): 200 when the count of local ready endpoints is
 * non-zero (kube-proxy itself assumed healthy), else 503. null when kube-proxy serves no health
 * check for the service (only type LoadBalancer with externalTrafficPolicy=Local has one).
 */
export function predictHealthCheck(
  state: ClusterState,
  svc: V1Service,
  nodeName: string,
  gates: FeatureGates,
  /** The Service's view, when the run has built it already. */
  view: ServiceView = serviceView(svc, gates),
): HealthPrediction {
  const id = `${view.namespace}/${view.name}`;
  const local = localEndpoints(state, svc, nodeName, view);
  const ready = readyByIP(local);
  const evidence = ready.map(endpointEvidence);
  if (view.healthCheckNodePort === null) {
    return {
      status: null,
      reason: `${id} has no health check node port (only type LoadBalancer with externalTrafficPolicy=Local has one)`,
      readyLocalEndpoints: ready.length,
      evidence,
    };
  }
  const port = view.healthCheckNodePort;
  if (ready.length > 0) {
    const names = ready.map((ep) => (ep.pod ? ep.pod.name : ep.ip));
    return {
      status: 200,
      reason: `${ready.length} ready endpoint${ready.length === 1 ? '' : 's'} of ${id} on ${nodeName} (${names.join(', ')}): port ${port} answers 200`,
      readyLocalEndpoints: ready.length,
      evidence,
    };
  }
  const terminating = distinctByIP(local.filter((ep) => !ep.ready && ep.terminating));
  const note = terminating.length
    ? ` (${terminating.length} terminating endpoint${terminating.length === 1 ? '' : 's'} on it ${terminating.length === 1 ? 'does' : 'do'} not count)`
    : '';
  return {
    status: 503,
    reason: `no ready endpoint of ${id} on node ${nodeName}${note}; port ${port} answers 503 and the load balancer marks this node unhealthy`,
    readyLocalEndpoints: 0,
    evidence: terminating.map(endpointEvidence),
  };
}
