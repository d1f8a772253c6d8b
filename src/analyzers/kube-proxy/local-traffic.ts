import type { V1Node } from '@kubernetes/client-node';
import type { Packet } from '../../model/packet.ts';
import { cidrContains, parseCidr, parseIP } from '../../net/ip.ts';
import type { Family } from '../../net/ip.ts';
import { nodePodCIDRs } from './nodes.ts';
import type { ProxyConfigView } from './proxy-config.ts';

export interface PodTrafficVerdict {
  /** kube-proxy writes pod-traffic rules at all (false for the no-op detector). */
  implemented: boolean;
  /** The packet counts as pod traffic. */
  isPodTraffic: boolean;
  /** "10.0.0.5 is in 10.0.0.0/8 (clusterCIDR)", "no pod-traffic detector", ... */
  reason: string;
}

/**
 * The CIDR kube-proxy's detector of this family matches on `node` (it keeps the first CIDR of
 * the family), or null when the detector is not CIDR based or not implemented for the family.
 */
export function podTrafficCidr(view: ProxyConfigView, node: V1Node | null, family: Family): string | null {
  const firstOfFamily = (cidrs: readonly string[]) => cidrs.find((c) => parseCidr(c)?.family === family) ?? null;
  switch (view.detector.kind) {
    case 'cidr':
      return firstOfFamily(view.detector.cidrs);
    case 'node-cidr':
      return node ? firstOfFamily(nodePodCIDRs(node)) : null;
    default:
      return null;
  }
}

/** Whether kube-proxy on the entry node treats this packet's source as pod traffic. */
export function detectPodTraffic(view: ProxyConfigView, packet: Packet, node: V1Node | null): PodTrafficVerdict {
  const family = parseIP(packet.src)?.family ?? 4;
  const d = view.detector;
  if (d.kind === 'none') return { implemented: false, isPodTraffic: false, reason: 'kube-proxy has no pod-traffic detector' };
  if (d.kind === 'interface') {
    const isPodTraffic = packet.origin === 'pod';
    return {
      implemented: true,
      isPodTraffic,
      reason: `${d.mode}: ${isPodTraffic ? 'sent' : 'not sent'} from a pod interface on ${packet.entryNode}`,
    };
  }
  if (d.kind === 'stand-in') {
    const match = d.cidrs.find((c) => cidrContains(c, packet.src));
    return {
      implemented: true,
      isPodTraffic: match !== undefined,
      reason: match
        ? `${packet.src} is in node podCIDR ${match} (stand-in for the cluster CIDR)`
        : `${packet.src} is in no node podCIDR (stand-in for the cluster CIDR)`,
    };
  }
  const cidr = podTrafficCidr(view, node, family);
  const label = d.kind === 'cidr' ? 'clusterCIDR' : `podCIDR of ${packet.entryNode}`;
  if (cidr === null) {
    return { implemented: false, isPodTraffic: false, reason: `no ${label} of IPv${family}: kube-proxy has no pod-traffic detector` };
  }
  const isPodTraffic = cidrContains(cidr, packet.src);
  return {
    implemented: true,
    isPodTraffic,
    reason: `${packet.src} is ${isPodTraffic ? 'in' : 'outside'} ${cidr} (${label})`,
  };
}
