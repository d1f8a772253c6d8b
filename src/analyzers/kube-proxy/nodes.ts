import type { V1Node } from '@kubernetes/client-node';
import { parseIP } from '../../net/ip.ts';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

export function findNode(nodes: readonly V1Node[], name: string): V1Node | null {
  return nodes.find((n) => n.metadata?.name === name) ?? null;
}

export function nodeLabels(node: V1Node | null): Record<string, string> {
  return node?.metadata?.labels ?? {};
}

/** spec.podCIDRs, or the older single spec.podCIDR. */
export function nodePodCIDRs(node: V1Node): string[] {
  const many = node.spec?.podCIDRs ?? [];
  if (many.length > 0) return [...many];
  return node.spec?.podCIDR ? [node.spec.podCIDR] : [];
}

/**
 * The node's primary IPs as kube-proxy finds them without --bind-address (utilnode.GetNodeHostIPs):
 * InternalIPs before ExternalIPs, the first address, then the first of the other family.
 */
export function primaryNodeIPs(node: V1Node): string[] {
  const addrs = node.status?.addresses ?? [];
  const ordered = [
    ...addrs.filter((a) => a.type === 'InternalIP'),
    ...addrs.filter((a) => a.type === 'ExternalIP'),
  ]
    .map((a) => a.address)
    .filter((ip) => parseIP(ip) !== null);
  const first = ordered[0];
  if (first === undefined) return [];
  const firstFamily = parseIP(first)?.family;
  const other = ordered.find((ip) => parseIP(ip)?.family !== firstFamily);
  return other === undefined ? [first] : [first, other];
}

/**
 * Why the cloud service controller leaves this node out of load balancer pools, or null.
 * Mirrors its stable node set (KEP-3458, Kubernetes 1.27+): nodes being deleted, nodes labelled
 * node.kubernetes.io/exclude-from-external-load-balancers and nodes tainted
 * ToBeDeletedByClusterAutoscaler are excluded. Unschedulable (cordoned) nodes stay in since
 * Kubernetes 1.19 (kubernetes/kubernetes PR #90823), and NotReady nodes stay in since 1.27: the
 * LB's own health check decides about those, so they count as targets here.
 */
export function loadBalancerExclusion(node: V1Node): string | null {
  const name = node.metadata?.name ?? '?';
  if (node.metadata?.deletionTimestamp) return `node ${name} is being deleted`;
  if (node.metadata?.labels?.[EXCLUDE_FROM_LB_LABEL] !== undefined) {
    return `node ${name} is labelled ${EXCLUDE_FROM_LB_LABEL}`;
  }
  if ((node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT)) {
    return `node ${name} is tainted ${TO_BE_DELETED_TAINT}`;
  }
  return null;
}
