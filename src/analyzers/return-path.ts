import type { Outcome, ReplyPath } from '../model/outcome.ts';
import type { Packet } from '../model/packet.ts';
import type { AddressHomes } from './address-homes.ts';

/**
 * Whether the reply to a DNATed connection passes back through the node that translated it,
 * whose conntrack entry turns the endpoint's address back into the one the client called.
 * - Masqueraded: the endpoint replies to that node's address, so yes.
 * - The endpoint runs on that node: the reply leaves through it, so yes.
 * - Otherwise the endpoint's node routes the reply straight to the client's address (every
 *   node has a route to every podCIDR: host-gw, BGP or an overlay, as the e2e harness does with
 *   plain routes). That passes the translating node only when the client is there (a pod on it,
 *   or the node itself). A client elsewhere, outside the cluster, on the endpoint's node or on a
 *   third node, gets a SYN-ACK from the pod's address it never called and the connection never
 *   opens. kube-proxy makes this case for pod traffic to another node's Local NodePort: pod
 *   sources short-circuit externalTrafficPolicy=Local to every endpoint without masquerade
 *   (pkg/proxy/iptables/proxier.go, KUBE-EXT chain: "pod traffic for ... external destinations"
 *   jumps to KUBE-SVC), and IPVS falls back to remote endpoints without SNAT.
 */
export function replyPath(o: Outcome, packet: Packet, homes: AddressHomes): ReplyPath | undefined {
  if (o.verdict !== 'DNAT' || !o.endpoint) return undefined;
  const entry = packet.entryNode;
  if (o.sourceIPPreserved === false) {
    return { returns: true, reason: `masqueraded: the endpoint replies to ${entry}, which reverses both translations` };
  }
  const epNode = o.endpoint.node;
  if (epNode === entry) {
    return { returns: true, reason: `the endpoint runs on ${entry}, the node that translated the packet: the reply passes back through it` };
  }
  const source = packet.origin === 'node' ? null : homes.of(packet.src);
  const home = packet.origin === 'node' ? entry : (source?.node ?? null);
  if (home === entry) {
    return { returns: true, reason: `the client ${packet.src} is on ${entry}: the reply is routed back through the node that translated the packet` };
  }
  const from = epNode ?? "the endpoint's node";
  const client =
    home === null
      ? `the client ${packet.src} (outside the cluster)`
      : home === epNode
        ? `the client ${packet.src}, on ${home} like the endpoint,`
        : `the client ${packet.src} on ${home}`;
  const cni = source === null || source.basis === 'node' ? '' : ` (unless ${home}'s CNI masquerades pod traffic to node addresses, as flannel, kindnet and Calico natOutgoing do)`;
  return {
    returns: false,
    reason:
      `reply lost, the connection times out: ${from} answers ${packet.src} directly from ${o.endpoint.ip}, bypassing ${entry} where the DNAT ` +
      `is undone (no SNAT); ${client} called ${packet.dst}:${packet.port}, so the client drops it (asymmetric return path)${cni}`,
  };
}
