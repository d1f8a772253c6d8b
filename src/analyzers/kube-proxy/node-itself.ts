import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../../model/cluster.ts';
import type { Outcome, Step } from '../../model/outcome.ts';
import type { Packet } from '../../model/packet.ts';
import { cidrContains, isLoopback, sameIP } from '../../net/ip.ts';
import { predictHealthCheck } from './health.ts';
import { nodePortAddressesFor } from './node-port-addresses.ts';
import type { DataplaneFamily } from './node-port-addresses.ts';
import { findNode } from './nodes.ts';
import { resolveProxyConfig } from './proxy-config.ts';
import type { ProxyConfigView } from './proxy-config.ts';
import { serviceView } from './service-view.ts';
import type { ServiceView } from './service-view.ts';

/**
 * Where each mode's rules let a packet for a health-check node port into the node:
 * - iptables: filter INPUT -> KUBE-NODEPORTS `"NS/SVC:PORT health check node port" -p tcp
 *   --dport HC -j ACCEPT` (pkg/proxy/iptables/proxier.go writes it for every service with a
 *   healthCheckNodePort; TestOverallIPTablesRules: `--dport 30000 -j ACCEPT` for ns2/svc2).
 * - IPVS: filter INPUT -> KUBE-NODE-PORT `--match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT`
 *   (pkg/proxy/ipvs/proxier.go, "Kubernetes health check node port").
 * - nftables: no rule at all (TestOverallNFTablesRules has none for ns2/svc2's 30000): the
 *   kube-proxy table's base chains accept by policy, so no kube-proxy rule applies.
 */
const ADMISSION: Record<DataplaneFamily, { verdict: 'ACCEPT' | 'NO-MATCH'; how: string }> = {
  iptables: { verdict: 'ACCEPT', how: 'filter INPUT -> KUBE-NODEPORTS accepts it ("health check node port" rule)' },
  ipvs: { verdict: 'ACCEPT', how: 'filter INPUT -> KUBE-NODE-PORT accepts it (port in ipset KUBE-HEALTH-CHECK-NODE-PORT)' },
  nftables: {
    verdict: 'NO-MATCH',
    how: 'kube-proxy\'s nftables table has no rule for health-check node ports: its base chains accept it by policy',
  },
};

/**
 * What kube-proxy's health server for `service` answers a packet to `packet.dst` on the entry
 * node. It listens on every address, or with nodePortAddresses only on the node addresses they
 * select (pkg/proxy/healthcheck/service_health.go); 200/503 as predictHealthCheck counts.
 */
export function healthAnswer(
  state: ClusterState,
  service: V1Service,
  packet: Packet,
  mode: DataplaneFamily,
  config: ProxyConfigView = resolveProxyConfig(state.kubeProxyConfig, state.nodes),
  view: ServiceView = serviceView(service, config.gates),
): string {
  const id = `${view.namespace}/${view.name}`;
  const addresses = nodePortAddressesFor(config, mode, findNode(state.nodes, packet.entryNode));
  const selected =
    addresses.kind === 'all-local' ||
    (!isLoopback(packet.dst) &&
      ((addresses.kind === 'primary' && addresses.primaryIPs.some((ip) => sameIP(ip, packet.dst))) ||
        addresses.cidrs.some((c) => cidrContains(c, packet.dst))));
  if (!selected) {
    return `kube-proxy's health server for ${id} listens only on the nodePortAddresses, and ${packet.dst} is not one of them: connection refused`;
  }
  const health = predictHealthCheck(state, service, packet.entryNode, config.gates, view);
  return `delivered to kube-proxy's health server for ${id} on ${packet.entryNode}, which answers ${health.status ?? 'nothing'}: ${health.reason}`;
}

/**
 * A packet to the health-check node port of `service` on one of the entry node's own addresses,
 * answered from the API objects (basis `model`): whether the rules let it in, and what the
 * health server says there.
 */
export function healthCheckOutcome(
  state: ClusterState,
  service: V1Service,
  packet: Packet,
  mode: DataplaneFamily,
  config: ProxyConfigView = resolveProxyConfig(state.kubeProxyConfig, state.nodes),
  view: ServiceView = serviceView(service, config.gates),
): Outcome {
  const at = (rule: string): Step => ({ node: packet.entryNode, table: 'model', chain: 'kube-proxy', rule, line: null });
  const id = `${service.metadata?.namespace}/${service.metadata?.name}`;
  const admission = ADMISSION[mode];
  return {
    verdict: admission.verdict,
    probability: 1,
    endpoint: null,
    hop: null,
    sourceIPPreserved: null,
    steps: [
      at(`packet TCP ${packet.src} -> ${packet.dst}:${packet.port} for ${packet.entryNode} itself: health-check node port of ${id}`),
      at(`${mode}: ${admission.how}`),
    ],
    conditions: [healthAnswer(state, service, packet, mode, config, view)],
    dynamic: false,
  };
}
