import type { ServiceSummary } from '../../model/results.ts';
import type { LoadBalancerReport } from '../load-balancer/index.ts';

/** Said when the implementation is unknown: the message holds for the model netpath assumes (even over nodes passing the health check). */
export const ASSUMED_LB = ' (load-balancer model assumed: implementation unknown)';

/**
 * Does the load balancer stop sending to a node whose kube-proxy answers 503? Only when it probes
 * healthCheckNodePort (cloud LBs under Local); MetalLB and kube-vip probe nothing, ip targets
 * are probed per pod (src/analyzers/load-balancer/ cites each provider's documentation).
 */
export const probesHealthCheckNodePort = (lb: LoadBalancerReport, service: ServiceSummary): boolean =>
  lb.healthCheck?.target === 'node' && lb.healthCheck.port !== null && lb.healthCheck.port === service.healthCheckNodePort;

/** The nodes the load balancer sends traffic to, with their share (the LB model's nodeShares). */
export const entryShares = (lb: LoadBalancerReport): Map<string, number> => new Map(lb.nodeShares.filter((s) => s.share > 0).map((s) => [s.node, s.share]));

/** How traffic enters the cluster, in words, for a message. */
export function entryWords(lb: LoadBalancerReport): string {
  const nodes = lb.nodeShares.filter((s) => s.share > 0).map((s) => s.node).join(', ') || 'no node';
  switch (lb.entry) {
    case 'single-node':
      return `${lb.implementation} delivers all of it to one node (${nodes})`;
    case 'ecmp':
      return `${lb.implementation} advertises the address from ${nodes} and the router spreads flows evenly over them (ECMP)`;
    case 'pods':
      return `${lb.implementation} sends to the pods' IPs directly (ip targets)`;
    case 'all-healthy-nodes':
      return `${lb.implementation} spreads it over ${nodes}`;
  }
}
