import type { V1Node, V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../model/cluster.ts';
import type { Protocol } from '../model/packet.ts';
import { isLoopback, parseIP, sameIP } from '../net/ip.ts';
import { clusterIPOfFamily, externalIPsOfFamily, loadBalancerVIPs } from './kube-proxy/index.ts';
import type { RunFacts } from './run-facts.ts';

/*
 * kube-proxy's service map read backwards: which Service entry an IP:PORT belongs to. trace
 * resolves its target with it, and the expected walker its packets, as kube-proxy's rules do.
 */

const nameOf = (n: V1Node) => n.metadata?.name ?? '';

/** Finds which service entry owns IP:PORT (ClusterIP, LB IP, external IP, or a node IP's NodePort). */
export function serviceEntryAt(facts: RunFacts, ip: string, port: number, protocol: Protocol | null) {
  const { state } = facts;
  for (const svc of state.services) {
    const view = facts.view(svc);
    const fam = parseIP(ip)?.family ?? 4;
    const byPort = view.ports.find((p) => p.port === port && (protocol === null || p.protocol === protocol));
    if (byPort) {
      const cip = clusterIPOfFamily(view, fam);
      if (cip && sameIP(cip, ip)) return { svc, entry: 'ClusterIP' as const, protocol: byPort.protocol, node: null };
      if (loadBalancerVIPs(view, fam).some((v) => sameIP(v, ip))) return { svc, entry: 'LoadBalancer' as const, protocol: byPort.protocol, node: null };
      if (externalIPsOfFamily(view, fam).some((v) => sameIP(v, ip))) return { svc, entry: 'ExternalIP' as const, protocol: byPort.protocol, node: null };
    }
    const byNodePort = view.ports.find((p) => p.nodePort === port && (protocol === null || p.protocol === protocol));
    if (byNodePort) {
      const node = nodeOfAddress(state, ip);
      if (node) return { svc, entry: 'NodePort' as const, protocol: byNodePort.protocol, node: nameOf(node) };
      // Loopback is every node's own: the sending node is where the packet is seen.
      if (isLoopback(ip)) return { svc, entry: 'NodePort' as const, protocol: byNodePort.protocol, node: null };
    }
  }
  // A NodePort on an address no Node object lists (a bridge or CNI address): the entry node's
  // own addresses (ip-addr.json) or its rules decide whether it is one of its addresses.
  for (const svc of state.services) {
    const byNodePort = facts.view(svc).ports.find((p) => p.nodePort === port && (protocol === null || p.protocol === protocol));
    if (byNodePort) return { svc, entry: 'NodePort' as const, protocol: byNodePort.protocol, node: null };
  }
  return null;
}

export const nodeOfAddress = (state: ClusterState, ip: string) =>
  state.nodes.find((n) => (n.status?.addresses ?? []).some((a) => sameIP(a.address, ip))) ?? null;

/** The Service whose healthCheckNodePort (TCP, served by kube-proxy on every node) is `port`. */
export function healthCheckServiceAt(facts: RunFacts, port: number, protocol: Protocol | null): V1Service | null {
  if (protocol !== null && protocol !== 'TCP') return null;
  return facts.state.services.find((svc) => facts.view(svc).healthCheckNodePort === port) ?? null;
}

