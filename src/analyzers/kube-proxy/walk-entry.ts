import type { Packet } from '../../model/packet.ts';
import type { EntryKind } from '../../model/results.ts';
import { parseIP, sameIP } from '../../net/ip.ts';
import type { Family } from '../../net/ip.ts';
import type { DataplaneFamily, NodePortAddressView } from './node-port-addresses.ts';
import { acceptsNodePort, isOwnAddress } from './node-port-addresses.ts';
import { clusterIPOfFamily, externalIPsOfFamily } from './service-view.ts';
import type { ServicePortView, ServiceView } from './service-view.ts';

export type EntryMatch =
  | { ok: true; port: ServicePortView; address: string; family: Family; sentence: string }
  | { ok: false; verdict: 'NO-MATCH' | 'REJECT'; sentence: string };

const describePort = (p: ServicePortView) => `${p.portName} (${p.protocol} ${p.port})`;

/**
 * Which port of the Service a packet to this entry hits, or why kube-proxy has no rule for it.
 * A wrong port on a ClusterIP is still answered in nftables (cluster-ips-check rejects it) and
 * IPVS (the VIP sits on kube-ipvs0 and KUBE-IPVS-FILTER rejects new connections to it).
 */
export function matchEntry(
  view: ServiceView,
  entry: EntryKind,
  packet: Packet,
  mode: DataplaneFamily,
  nodePorts: NodePortAddressView,
): EntryMatch {
  const id = `${view.namespace}/${view.name}`;
  const family = parseIP(packet.dst)?.family;
  if (family === undefined) return { ok: false, verdict: 'NO-MATCH', sentence: `${packet.dst} is not an IP address` };
  const clusterIP = clusterIPOfFamily(view, family);
  if (clusterIP === null) {
    return {
      ok: false,
      verdict: 'NO-MATCH',
      sentence: `${id} has no IPv${family} ClusterIP: kube-proxy's IPv${family} rules leave it out`,
    };
  }
  const proto = packet.protocol;
  const byServicePort = () => view.ports.find((p) => p.port === packet.port && p.protocol === proto);

  if (entry === 'ClusterIP') {
    if (!sameIP(packet.dst, clusterIP)) {
      return { ok: false, verdict: 'NO-MATCH', sentence: `${packet.dst} is not the ClusterIP of ${id} (${clusterIP})` };
    }
    const port = byServicePort();
    if (port) {
      return { ok: true, port, address: clusterIP, family, sentence: `${describePort(port)}: cluster IP ${clusterIP}` };
    }
    const noPort = `no port of ${id} is ${proto} ${packet.port}`;
    if (mode === 'nftables') {
      return { ok: false, verdict: 'REJECT', sentence: `${noPort}: cluster-ips-check rejects traffic to unused ports of ClusterIPs` };
    }
    if (mode === 'ipvs') {
      return { ok: false, verdict: 'REJECT', sentence: `${noPort}: ${clusterIP} is on kube-ipvs0 and KUBE-IPVS-FILTER rejects new connections to other ports` };
    }
    return { ok: false, verdict: 'NO-MATCH', sentence: `${noPort}: kube-proxy has no rule for it` };
  }

  if (entry === 'NodePort') {
    const port = view.ports.find((p) => p.nodePort === packet.port && p.protocol === proto);
    if (!port) return { ok: false, verdict: 'NO-MATCH', sentence: `no port of ${id} has NodePort ${proto} ${packet.port}` };
    if (!isOwnAddress(nodePorts, packet.dst)) {
      return { ok: false, verdict: 'NO-MATCH', sentence: `${packet.dst} is not an address of ${packet.entryNode} (per ${nodePorts.own?.source ?? 'nothing'}): not addrtype LOCAL there, no NodePort rule applies` };
    }
    if (!acceptsNodePort(nodePorts, packet.dst)) {
      return { ok: false, verdict: 'NO-MATCH', sentence: `${nodePorts.description}: ${packet.dst} is not one of them` };
    }
    return {
      ok: true,
      port,
      address: packet.dst,
      family,
      sentence: `${describePort(port)}: NodePort ${proto} ${packet.port} on ${packet.dst}`,
    };
  }

  if (entry === 'LoadBalancer') {
    const ingress = view.loadBalancerIngress.find((i) => sameIP(i.ip, packet.dst));
    if (!ingress) {
      return { ok: false, verdict: 'NO-MATCH', sentence: `${packet.dst} is not a load balancer ingress IP of ${id}` };
    }
    if (!ingress.programmed) {
      return {
        ok: false,
        verdict: 'NO-MATCH',
        sentence: `${ingress.ip} has ipMode ${ingress.ipMode}: kube-proxy programs no rule for it, the load balancer forwards to node ports itself`,
      };
    }
    const port = byServicePort();
    if (!port) return { ok: false, verdict: 'NO-MATCH', sentence: `no port of ${id} is ${proto} ${packet.port}` };
    return { ok: true, port, address: ingress.ip, family, sentence: `${describePort(port)}: load balancer IP ${ingress.ip}` };
  }

  const externalIP = externalIPsOfFamily(view, family).find((ip) => sameIP(ip, packet.dst));
  if (!externalIP) return { ok: false, verdict: 'NO-MATCH', sentence: `${packet.dst} is not an external IP of ${id}` };
  const port = byServicePort();
  if (!port) return { ok: false, verdict: 'NO-MATCH', sentence: `no port of ${id} is ${proto} ${packet.port}` };
  return { ok: true, port, address: externalIP, family, sentence: `${describePort(port)}: external IP ${externalIP}` };
}
