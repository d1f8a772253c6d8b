import type { ClusterState } from '../model/cluster.ts';
import { cidrContains, parseIP } from '../net/ip.ts';
import { nodePodCIDRs } from './kube-proxy/nodes.ts';

/** Where an address lives, and which fact says so. */
export interface AddressHome {
  node: string;
  /** `pod`: a Pod with this IP runs there; `node`: a Node address; `podCIDR`: inside that node's podCIDR. */
  basis: 'pod' | 'node' | 'podCIDR';
  /** The pod (namespace/name) when basis is `pod`. */
  pod: { namespace: string; name: string } | null;
}

/**
 * The node a packet to (or from) an address physically reaches: the node a Pod with that IP
 * runs on (`spec.nodeName`), else the node owning it as a Node address, else the node whose
 * podCIDR holds it (the route every node has for that podCIDR). This is where packets go; it is
 * independent of what EndpointSlices say, which is what kube-proxy's rules follow.
 */
export class AddressHomes {
  private readonly byIP = new Map<string, AddressHome>();
  private readonly cidrs: { cidr: string; node: string }[] = [];

  constructor(state: ClusterState) {
    for (const node of state.nodes) {
      const name = node.metadata?.name;
      if (!name) continue;
      for (const cidr of nodePodCIDRs(node)) this.cidrs.push({ cidr, node: name });
      for (const a of node.status?.addresses ?? []) {
        if (a.type === 'InternalIP' || a.type === 'ExternalIP') this.set(a.address, { node: name, basis: 'node', pod: null });
      }
    }
    for (const pod of state.pods ?? []) {
      const node = pod.spec?.nodeName;
      // A hostNetwork pod's IP is its node's: the Node address above already says where it is.
      if (!node || pod.spec?.hostNetwork) continue;
      // Finished pods keep their IP in status, but the address may already belong to a new pod.
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      const ref = { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '' };
      const ips = new Set([...(pod.status?.podIPs ?? []).map((p) => p.ip), ...(pod.status?.podIP ? [pod.status.podIP] : [])]);
      for (const ip of ips) this.set(ip, { node, basis: 'pod', pod: ref });
    }
  }

  private set(ip: string, home: AddressHome): void {
    const k = addressKey(ip);
    if (k !== null) this.byIP.set(k, home);
  }

  /** The node `ip` lives on, or null when it is outside the cluster (or nothing says). */
  of(ip: string): AddressHome | null {
    const k = addressKey(ip);
    const known = k === null ? undefined : this.byIP.get(k);
    if (known) return known;
    const inCidr = this.cidrs.find((c) => cidrContains(c.cidr, ip));
    return inCidr ? { node: inCidr.node, basis: 'podCIDR', pod: null } : null;
  }
}

/** IPv4 as the API writes it (no leading zeros, no spaces): its key is read without BigInt. */
const PLAIN_V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * Normalises IPv6 spellings so `fd00::1` and `fd00:0::1` meet. Every endpoint of the cluster
 * gets a key once per run (100,000 at 10,000 services): plain IPv4 takes a fast path to the same
 * key parseIP gives.
 */
export function addressKey(ip: string): string | null {
  const v4 = PLAIN_V4.exec(ip);
  if (v4) return `4:${((Number(v4[1]) * 256 + Number(v4[2])) * 256 + Number(v4[3])) * 256 + Number(v4[4])}`;
  const p = parseIP(ip);
  return p ? `${p.family}:${p.value}` : null;
}
