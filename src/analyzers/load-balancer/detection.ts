import type { V1Service } from '@kubernetes/client-node';
import type { Entry, LoadBalancerEvidence, LoadBalancerHealthCheck, LoadBalancerImplementation, TargetType } from './types.ts';

/**
 * What the rules conclude about one LoadBalancer Service, before any path is walked: who
 * implements it, how it targets, where traffic enters and what its own health check probes.
 */
export interface Detection {
  implementation: LoadBalancerImplementation;
  targetType: TargetType;
  entry: Entry;
  assumed: boolean;
  evidence: LoadBalancerEvidence[];
  /** port 'traffic-port': the port traffic is sent to (the NodePort, or the pod's port for ip targets). */
  healthCheck: (Omit<LoadBalancerHealthCheck, 'port'> & { port: number | 'traffic-port' | null }) | null;
  /**
   * What the packets the load balancer sends look like: to the load-balancer IP on a node
   * (kube-proxy's LoadBalancer rules), to node:NodePort (its NodePort rules), or to a pod.
   */
  delivery: 'vip' | 'node-port' | 'pod';
  /** Nodes the implementation names as entry (L2 announcer, BGP advertisers); null: every target node. */
  entryNodes: string[] | null;
  /** Under Local, only nodes with a ready local endpoint announce the address (MetalLB). */
  localAnnouncers: boolean;
  /** pods-per-node: the split over nodes follows their ready local endpoints (GKE weighted load balancing). */
  weighting: 'even' | 'pods-per-node';
  /** Does the load balancer keep the client's address on what it sends to targets? */
  preservesClientIP: boolean;
}

export const annotationsOf = (svc: V1Service): Record<string, string> => svc.metadata?.annotations ?? {};

export const refOf = (svc: V1Service): string => `service ${svc.metadata?.namespace}/${svc.metadata?.name}`;

export const isLocal = (svc: V1Service): boolean => svc.spec?.externalTrafficPolicy === 'Local';

/** Annotations of the service whose key starts with one of `prefixes`, as evidence. */
export function annotationEvidence(svc: V1Service, prefixes: readonly string[], source: string): LoadBalancerEvidence[] {
  return Object.entries(annotationsOf(svc))
    .filter(([k]) => prefixes.some((p) => k.startsWith(p)))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => ({ kind: 'annotation', ref: refOf(svc), detail: `${k}: ${v} (${source})` }));
}

/**
 * kube-proxy's own health check convention for Local policy, which the cloud providers probe:
 * HTTP GET /healthz on spec.healthCheckNodePort, 200 while the node has a ready local endpoint.
 * https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip
 */
export function localHealthCheck(svc: V1Service): Detection['healthCheck'] {
  return { target: 'node', port: svc.spec?.healthCheckNodePort ?? null, protocol: 'HTTP', path: '/healthz' };
}
