import type { V1Node } from '@kubernetes/client-node';
import type { ClusterState } from '../model/cluster.ts';
import { addressFromEnd, formatIP, parseCidr, parseIP } from '../net/ip.ts';
import type { Family } from '../net/ip.ts';
import { nodePodCIDRs, primaryNodeIPs } from './kube-proxy/index.ts';
import type { ProxyConfigView } from './kube-proxy/index.ts';

/** A source address with the words that say where it comes from. */
export interface SourcePoint {
  ip: string;
  label: string;
}

/** Documentation range (RFC 5737): clearly "somewhere outside", never a real client. */
const OUTSIDE: Record<Family, string> = { 4: '203.0.113.10', 6: '2001:db8::10' };

/**
 * A pod on `node` to start ClusterIP paths from: a real pod when the bundle has pods (not one of
 * the service's own endpoints, which would be hairpin traffic), else an address of the node's
 * podCIDR, else of the configured cluster CIDR. Null when no pod address can be known.
 */
export function podSourceOn(
  state: ClusterState,
  node: V1Node,
  config: ProxyConfigView,
  family: Family,
  avoid: ReadonlySet<string>,
): SourcePoint | null {
  const name = node.metadata?.name ?? '';
  for (const pod of state.pods ?? []) {
    if (pod.spec?.nodeName !== name || pod.spec?.hostNetwork) continue;
    const ip = (pod.status?.podIPs ?? []).map((p) => p.ip).find((a) => parseIP(a)?.family === family);
    if (ip && !avoid.has(ip)) return { ip, label: `pod ${pod.metadata?.namespace}/${pod.metadata?.name} on ${name}` };
  }
  const cidrs = [...nodePodCIDRs(node), ...(config.detector.kind === 'cidr' ? config.detector.cidrs : [])];
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    const ip = cidr && cidr.family === family ? addressFromEnd(cidr, 1) : null;
    if (ip) return { ip, label: `a pod on ${name} (${ip}, an address of ${text})` };
  }
  return null;
}

/** The node itself as a source (traffic from the host network namespace). */
export function nodeSource(node: V1Node, family: Family): SourcePoint | null {
  const ip = primaryNodeIPs(node).find((a) => parseIP(a)?.family === family);
  return ip ? { ip, label: `node ${node.metadata?.name} itself (${ip})` } : null;
}

/** A client outside the cluster; inside the first loadBalancerSourceRange when there are ranges. */
export function externalSource(sourceRanges: readonly string[], family: Family): SourcePoint {
  for (const text of sourceRanges) {
    const cidr = parseCidr(text);
    // A /32 (or /31) range has no "last usable" address: the range's own address is the client.
    const ip = cidr && cidr.family === family ? (addressFromEnd(cidr, 1) ?? formatIP(cidr.family, cidr.base)) : null;
    if (ip) return { ip, label: `an external client in ${text.trim()} (${ip})` };
  }
  return { ip: OUTSIDE[family], label: `an external client (${OUTSIDE[family]})` };
}
