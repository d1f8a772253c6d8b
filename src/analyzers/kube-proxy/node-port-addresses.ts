import type { V1Node } from '@kubernetes/client-node';
import { cidrContains, isLoopback, isLoopbackIP, parseIP, sameIP } from '../../net/ip.ts';
import { primaryNodeIPs } from './nodes.ts';
import type { ProxyConfigView } from './proxy-config.ts';

export type DataplaneFamily = 'iptables' | 'nftables' | 'ipvs';

export interface NodePortAddressView {
  /** all-local: every address of the node; primary: the node's primary IPs; cidrs: addresses in these CIDRs. */
  kind: 'all-local' | 'primary' | 'cidrs';
  cidrs: string[];
  /** The node's primary IPs (for `primary`) as the API shows them. */
  primaryIPs: string[];
  /** 127.0.0.1 accepts NodePorts (iptables only, IPv4, localhostNodePorts). */
  localhost: boolean;
  description: string;
  /** The node's own addresses (where a NodePort packet can arrive at all), and where they come from. */
  own: { addresses: string[]; source: string } | null;
}

/**
 * Which addresses of `node` accept NodePorts. Defaults: iptables and IPVS every local address,
 * nftables `primary` (cmd/kube-proxy platformApplyDefaults). Loopback works only in iptables
 * mode with localhostNodePorts (route_localnet); nftables and IPVS never serve it.
 */
export function nodePortAddressesFor(
  view: ProxyConfigView,
  mode: DataplaneFamily,
  node: V1Node | null,
  hostAddresses?: readonly string[] | null,
): NodePortAddressView {
  const configured = view.nodePortAddresses.length
    ? view.nodePortAddresses
    : mode === 'nftables'
      ? ['primary']
      : [];
  const primaryIPs = node ? primaryNodeIPs(node) : [];
  const cidrs = configured.filter((c) => c !== 'primary');
  const kind = configured.length === 0 ? 'all-local' : configured.includes('primary') ? 'primary' : 'cidrs';
  const loopbackAllowed = kind === 'all-local' || cidrs.some((c) => cidrContains(c, '127.0.0.1'));
  const localhost = mode === 'iptables' && view.localhostNodePorts && loopbackAllowed;
  const where =
    kind === 'all-local'
      ? 'every node address'
      : kind === 'primary'
        ? `the primary node IPs (${primaryIPs.join(', ') || 'unknown'})${cidrs.length ? ` and ${cidrs.join(', ')}` : ''}`
        : `node addresses in ${cidrs.join(', ')}`;
  return {
    kind,
    cidrs,
    primaryIPs,
    localhost,
    description: `${mode} NodePorts answer on ${where}${localhost ? ' and 127.0.0.1' : ', not on localhost'}`,
    own: hostAddresses
      ? { addresses: [...hostAddresses], source: 'its ip-addr.json' }
      : node
        ? { addresses: (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address), source: 'the Node object; no ip-addr.json says what else it has' }
        : null,
  };
}

/** True when `ip` is one of the node's own addresses as far as is known (loopback always is). */
export function isOwnAddress(v: NodePortAddressView, ip: string): boolean {
  const parsed = parseIP(ip);
  if (!parsed) return false;
  if (isLoopbackIP(parsed)) return true;
  return v.own === null || v.own.addresses.some((a) => sameIP(a, ip));
}

/** True when a NodePort packet to `ip` (an address of the node) is captured by kube-proxy. */
export function acceptsNodePort(v: NodePortAddressView, ip: string): boolean {
  const parsed = parseIP(ip);
  if (!parsed) return false;
  if (isLoopback(ip)) return v.localhost && parsed.family === 4;
  if (v.kind === 'all-local') return true;
  return v.primaryIPs.some((p) => v.kind === 'primary' && sameIP(p, ip)) || v.cidrs.some((c) => cidrContains(c, ip));
}
