import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../../model/cluster.ts';
import type { Outcome, Step, Verdict } from '../../model/outcome.ts';
import type { Packet } from '../../model/packet.ts';
import type { EntryKind } from '../../model/results.ts';
import { cidrContains, parseIP, sameIP } from '../../net/ip.ts';
import { categorizeEndpoints } from './categorize.ts';
import { describeEndpoint, endpointRef, endpointsForPort } from './endpoints.ts';
import type { ServiceEndpoint } from './endpoints.ts';
import { detectPodTraffic } from './local-traffic.ts';
import { nodePortAddressesFor } from './node-port-addresses.ts';
import type { DataplaneFamily } from './node-port-addresses.ts';
import { findNode, nodeLabels, primaryNodeIPs } from './nodes.ts';
import { resolveProxyConfig } from './proxy-config.ts';
import type { ProxyConfigView } from './proxy-config.ts';
import { serviceView, servicePortFlags, sourceRangesOfFamily } from './service-view.ts';
import type { ServiceView } from './service-view.ts';
import { matchEntry } from './walk-entry.ts';

export interface ModelWalkInput {
  state: ClusterState;
  service: V1Service;
  entry: EntryKind;
  packet: Packet;
  /** The node's kube-proxy mode family. */
  mode: DataplaneFamily;
  /** The node's own addresses (ip-addr.json) when captured; else the Node object's stand in. */
  hostAddresses?: readonly string[] | null;
  /** kube-proxy's configuration and the Service's view, when the run has built them already. */
  config?: ProxyConfigView;
  view?: ServiceView;
}

/** IPVS schedulers whose split, with every real server at weight 1, is a plain round robin. */
const ROUND_ROBIN_SCHEDULERS = new Set(['rr', 'wrr']);

function terminal(verdict: Verdict, steps: Step[]): Outcome {
  return { verdict, probability: 1, endpoint: null, hop: null, sourceIPPreserved: null, steps, conditions: [], dynamic: false };
}

/** Where each dataplane discards a packet for which kube-proxy has no (local) endpoint. */
function discardPlace(mode: DataplaneFamily, entry: EntryKind): string {
  if (mode === 'nftables') return entry === 'NodePort' ? 'nftables no-endpoint-nodeports' : 'nftables no-endpoint-services';
  return entry === 'ClusterIP' ? 'filter KUBE-SERVICES' : 'filter KUBE-EXTERNAL-SERVICES';
}

/**
 * What kube-proxy in `mode` would do with one packet to one entry of one Service, computed from
 * the API objects alone (basis `model`). Follows the proxiers' syncProxyRules: no usable endpoint
 * anywhere REJECTs; Local policy without a local endpoint DROPs (iptables/nftables) or falls
 * back to the cluster endpoints (IPVS); pod and node traffic to external addresses of an
 * eTP=Local service short-circuits to the cluster endpoints (iptables/nftables); each chosen
 * endpoint gets 1/n. Headless, ExternalName and other-proxy Services give an empty list.
 */
export function modelOutcomes(input: ModelWalkInput): Outcome[] {
  const { state, service, entry, packet, mode } = input;
  const config = input.config ?? resolveProxyConfig(state.kubeProxyConfig, state.nodes);
  const view = input.view ?? serviceView(service, config.gates);
  if (view.notProxiedReason !== null) return [];

  const nodeName = packet.entryNode;
  const node = findNode(state.nodes, nodeName);
  const at = (rule: string): Step => ({ node: nodeName, table: 'model', chain: 'kube-proxy', rule, line: null });
  const match = matchEntry(view, entry, packet, mode, nodePortAddressesFor(config, mode, node, input.hostAddresses));
  const origin = `packet ${packet.protocol} ${packet.src} -> ${packet.dst}:${packet.port} from ${packet.origin === 'external' ? 'outside' : `a ${packet.origin}`} entering ${nodeName}`;
  if (!match.ok) return [terminal(match.verdict, [at(origin), at(match.sentence)])];

  const { port, family } = match;
  const steps: Step[] = [at(origin), at(match.sentence)];
  const endpoints = endpointsForPort(state, service, port, family);
  const flags = servicePortFlags(view, port, family);
  const cat = categorizeEndpoints(endpoints, flags, nodeName, nodeLabels(node), config.gates);
  const external = entry !== 'ClusterIP';

  if (!cat.hasAnyEndpoints) {
    const seen = endpoints.length
      ? endpoints.map((ep) => at(describeEndpoint(ep)))
      : [at(`no EndpointSlice of ${view.namespace}/${view.name} lists an endpoint for port ${port.name || port.port}`)];
    const how =
      mode === 'ipvs'
        ? 'the IPVS virtual server has no real server, the kernel answers ICMP port unreachable'
        : `${discardPlace(mode, entry)} rejects it ("${port.portName} has no endpoints")`;
    return [terminal('REJECT', [...steps, ...seen, at(`no ready or serving-terminating endpoint anywhere: ${how}`)])];
  }

  if (entry === 'LoadBalancer') {
    const ranges = sourceRangesOfFamily(view, family);
    if (ranges.length > 0) {
      const inRange = ranges.find((r) => cidrContains(r, packet.src));
      const nodeIP = node ? primaryNodeIPs(node).find((ip) => parseIP(ip)?.family === family) : undefined;
      const fromNodeViaVIP =
        sameIP(packet.src, match.address) && nodeIP !== undefined && ranges.some((r) => cidrContains(r, nodeIP));
      const list = ranges.join(', ');
      if (!inRange && !fromNodeViaVIP) {
        const where = mode === 'iptables' ? 'filter KUBE-PROXY-FIREWALL' : mode === 'nftables' ? 'nftables firewall-check' : 'filter KUBE-SOURCE-RANGES-FIREWALL';
        return [terminal('DROP', [...steps, at(`loadBalancerSourceRanges (${list}) do not include ${packet.src}: ${where} drops it`)])];
      }
      steps.push(at(`loadBalancerSourceRanges (${list}) admit ${packet.src}${inRange ? ` (in ${inRange})` : ' (the LB IP itself, node IP in range)'}`));
    }
  }

  const pod = detectPodTraffic(config, packet, node);
  const conditions: string[] = [];
  let targets: ServiceEndpoint[];
  let masquerade: boolean;

  if (!external) {
    if (view.internalPolicyLocal && cat.localEndpoints.length > 0) {
      targets = cat.localEndpoints;
      steps.push(at(`internalTrafficPolicy=Local: ${cat.localReason}`));
    } else if (view.internalPolicyLocal && mode === 'ipvs' && flags.usesClusterEndpoints) {
      targets = cat.clusterEndpoints;
      steps.push(at(`internalTrafficPolicy=Local but ${cat.localReason}: IPVS falls back to the cluster endpoints (${cat.clusterReason})`));
    } else if (view.internalPolicyLocal && mode === 'ipvs') {
      return [terminal('REJECT', [...steps, at(`internalTrafficPolicy=Local and ${cat.localReason}: the IPVS virtual server has no real server, the kernel answers ICMP port unreachable`)])];
    } else if (view.internalPolicyLocal) {
      return [terminal('DROP', [...steps, at(`internalTrafficPolicy=Local and ${cat.localReason}: ${discardPlace(mode, entry)} drops it ("${port.portName} has no local endpoints")`)])];
    } else {
      targets = cat.clusterEndpoints;
      steps.push(at(`cluster endpoints: ${cat.clusterReason}`));
    }
    if (config.masqueradeAll) {
      masquerade = true;
      steps.push(at('masqueradeAll: every connection to a ClusterIP is masqueraded'));
    } else if (pod.implemented) {
      masquerade = !pod.isPodTraffic;
      steps.push(at(`${pod.reason}: ${masquerade ? 'not pod traffic, masqueraded' : 'pod traffic, source IP kept'}`));
    } else if (mode === 'ipvs') {
      masquerade = packet.origin === 'node';
      steps.push(at(`${pod.reason}: IPVS masquerades only traffic sent by the node itself (source is the VIP)${masquerade ? ', as this is' : ''}`));
    } else {
      masquerade = false;
      steps.push(at(`${pod.reason}: no ClusterIP masquerade rule, source IP kept`));
    }
  } else if (mode === 'ipvs') {
    if (view.externalPolicyLocal && cat.localEndpoints.length > 0) {
      targets = cat.localEndpoints;
      steps.push(at(`externalTrafficPolicy=Local: ${cat.localReason}`));
    } else if (view.externalPolicyLocal) {
      targets = cat.clusterEndpoints;
      steps.push(at(`externalTrafficPolicy=Local but ${cat.localReason}: IPVS falls back to the cluster endpoints (${cat.clusterReason})`));
    } else {
      targets = cat.clusterEndpoints;
      steps.push(at(`cluster endpoints: ${cat.clusterReason}`));
    }
    masquerade = !view.externalPolicyLocal;
    steps.push(at(masquerade ? 'externalTrafficPolicy=Cluster: masqueraded' : 'externalTrafficPolicy=Local: not masqueraded, source IP kept'));
  } else if (!view.externalPolicyLocal) {
    targets = cat.clusterEndpoints;
    masquerade = true;
    steps.push(at(`cluster endpoints: ${cat.clusterReason}`));
    steps.push(at('externalTrafficPolicy=Cluster: masqueraded, as the endpoint may be on another node'));
  } else if (pod.implemented && pod.isPodTraffic) {
    targets = cat.clusterEndpoints;
    masquerade = false;
    steps.push(at(`${pod.reason}: pod traffic short-circuits externalTrafficPolicy=Local to the cluster endpoints (${cat.clusterReason}), source IP kept`));
  } else if (packet.origin === 'node') {
    targets = cat.clusterEndpoints;
    masquerade = true;
    steps.push(at(`traffic from the node itself short-circuits externalTrafficPolicy=Local to the cluster endpoints (${cat.clusterReason}), masqueraded`));
  } else if (cat.localEndpoints.length > 0) {
    targets = cat.localEndpoints;
    masquerade = false;
    steps.push(at(`externalTrafficPolicy=Local: ${cat.localReason}; source IP kept`));
  } else {
    return [terminal('DROP', [...steps, at(`externalTrafficPolicy=Local and ${cat.localReason}: ${discardPlace(mode, entry)} drops it ("${port.portName} has no local endpoints")`)])];
  }

  const affinity = view.sessionAffinity.type === 'ClientIP';
  if (affinity) {
    conditions.push(`new client (no affinity entry): ClientIP affinity then keeps it on its endpoint for ${view.sessionAffinity.timeoutSeconds}s`);
  }
  const dynamicScheduler = mode === 'ipvs' && !ROUND_ROBIN_SCHEDULERS.has(config.ipvsScheduler);
  if (dynamicScheduler) {
    conditions.push(`IPVS scheduler ${config.ipvsScheduler}: 1/${targets.length} is the share across many clients, not a per-connection probability`);
  }

  const n = targets.length;
  return targets.map((ep): Outcome => {
    const hop = ep.nodeName === nodeName ? 'local' : 'remote';
    // iptables/nftables masquerade any packet whose source is the chosen endpoint; IPVS only local ones.
    const hairpin = sameIP(ep.ip, packet.src) && (mode !== 'ipvs' || hop === 'local');
    const epSteps = [...steps];
    if (hairpin && !masquerade) epSteps.push(at(`hairpin: ${packet.src} reaches itself through the service, masqueraded`));
    epSteps.push(at(`${describeEndpoint(ep)}: DNAT to ${ep.key} with probability ${n === 1 ? '1' : `1/${n}`}`));
    return {
      verdict: 'DNAT',
      probability: 1 / n,
      endpoint: endpointRef(ep),
      hop,
      sourceIPPreserved: !(masquerade || hairpin),
      steps: epSteps,
      conditions,
      dynamic: affinity || dynamicScheduler,
    };
  });
}
