import type { V1Node } from '@kubernetes/client-node';
import type { KubeProxyConfig } from '../../model/cluster.ts';
import type { Evidence } from '../../model/finding.ts';
import type { ProxyMode } from '../../model/proxy-mode.ts';
import { isProxyMode } from '../../dataplane/registry.ts';
import { parseCidr } from '../../net/ip.ts';
import { resolveFeatureGates } from './feature-gates.ts';
import type { FeatureGates } from './feature-gates.ts';
import { nodePodCIDRs } from './nodes.ts';

/**
 * How kube-proxy tells pod traffic from other traffic (the "local traffic detector"):
 * - `cidr`: a fixed CIDR per family (detectLocalMode ClusterCIDR with clusterCIDR set);
 * - `node-cidr`: each node's own podCIDRs (detectLocalMode NodeCIDR);
 * - `stand-in`: config not in the bundle, the union of the nodes' podCIDRs stands in for the
 *   cluster CIDR (netpath's assumption, not a kube-proxy mode);
 * - `interface`: BridgeInterface / InterfaceNamePrefix: packets entering from a local pod interface;
 * - `none`: no detector (ClusterCIDR mode without clusterCIDR): kube-proxy writes no pod-traffic rule.
 */
export type LocalDetector =
  | { kind: 'cidr'; cidrs: string[] }
  | { kind: 'node-cidr' }
  | { kind: 'stand-in'; cidrs: string[] }
  | { kind: 'interface'; mode: string }
  | { kind: 'none' };

export interface ProxyConfigView {
  /** The mode the config asks for; iptables (the Linux default) when it does not say. */
  mode: ProxyMode;
  modeFromConfig: boolean;
  masqueradeAll: boolean;
  detector: LocalDetector;
  /** As configured; empty means the mode's default (see nodePortAddressesFor). */
  nodePortAddresses: string[];
  localhostNodePorts: boolean;
  ipvsScheduler: string;
  gates: FeatureGates;
  /** One sentence per default or stand-in netpath had to assume. */
  assumptions: string[];
  /** Where the config came from, for evidence; null when absent. */
  evidence: Evidence | null;
}

function standInAssumption(cidrs: string[]): string {
  return cidrs.length
    ? `kube-proxy config not in bundle: pod traffic detected by the nodes' podCIDRs (${cidrs.join(', ')})`
    : "kube-proxy config not in bundle and no node has a podCIDR: no source is treated as pod traffic";
}

/** The effective kube-proxy settings that change forwarding, with the defaults assumed when absent. */
export function resolveProxyConfig(config: KubeProxyConfig | null, nodes: readonly V1Node[]): ProxyConfigView {
  const assumptions: string[] = [];
  const { gates, assumptions: gateAssumptions } = resolveFeatureGates(config?.featureGates);

  if (config === null) {
    const cidrs = [...new Set(nodes.flatMap(nodePodCIDRs))];
    assumptions.push(
      standInAssumption(cidrs),
      'masqueradeAll=false assumed',
      'nodePortAddresses unset assumed: iptables and IPVS accept NodePorts on every node address, nftables on the primary node IPs',
      'iptables.localhostNodePorts=true assumed: NodePorts answer on 127.0.0.1 in iptables mode',
      'proxy mode not in bundle: iptables (the Linux default) assumed where the node does not report its mode',
      ...gateAssumptions,
    );
    return {
      mode: 'iptables',
      modeFromConfig: false,
      masqueradeAll: false,
      detector: { kind: 'stand-in', cidrs },
      nodePortAddresses: [],
      localhostNodePorts: true,
      ipvsScheduler: 'rr',
      gates,
      assumptions,
      evidence: null,
    };
  }

  const src = config.source;
  const rawMode = config.mode ?? '';
  const mode: ProxyMode = isProxyMode(rawMode) ? rawMode : 'iptables';
  if (rawMode === '') assumptions.push(`${src}: mode unset, iptables (the Linux default)`);
  else if (mode !== rawMode) assumptions.push(`${src}: unknown mode "${rawMode}", iptables assumed`);

  const detectMode = config.detectLocalMode || 'ClusterCIDR';
  let detector: LocalDetector;
  if (detectMode === 'ClusterCIDR') {
    const cidrs = (config.clusterCIDR ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => parseCidr(c) !== null);
    if (cidrs.length > 0) detector = { kind: 'cidr', cidrs };
    else {
      detector = { kind: 'none' };
      assumptions.push(
        `${src}: detectLocalMode ClusterCIDR without clusterCIDR: kube-proxy detects no pod traffic (unless a --cluster-cidr flag sets one), so ClusterIP traffic is not masqueraded and externalTrafficPolicy=Local has no pod short-circuit`,
      );
    }
  } else if (detectMode === 'NodeCIDR') {
    detector = { kind: 'node-cidr' };
  } else if (detectMode === 'BridgeInterface' || detectMode === 'InterfaceNamePrefix') {
    detector = { kind: 'interface', mode: detectMode };
    assumptions.push(`${src}: detectLocalMode ${detectMode}: traffic from pods on the entry node counts as pod traffic`);
  } else {
    detector = { kind: 'none' };
    assumptions.push(`${src}: unknown detectLocalMode "${detectMode}": no pod traffic detection assumed`);
  }

  if (config.masqueradeAll === undefined) assumptions.push(`${src}: masqueradeAll unset, false`);
  if (config.localhostNodePorts === undefined && mode === 'iptables') {
    assumptions.push(`${src}: iptables.localhostNodePorts unset, true (NodePorts answer on 127.0.0.1)`);
  }
  const scheduler = config.ipvsScheduler || 'rr';
  if (mode === 'ipvs' && !config.ipvsScheduler) assumptions.push(`${src}: ipvs.scheduler unset, rr`);
  assumptions.push(...gateAssumptions);

  return {
    mode,
    modeFromConfig: rawMode !== '',
    masqueradeAll: config.masqueradeAll ?? false,
    detector,
    nodePortAddresses: [...(config.nodePortAddresses ?? [])],
    localhostNodePorts: config.localhostNodePorts ?? true,
    ipvsScheduler: scheduler,
    gates,
    assumptions,
    evidence: {
      kind: 'config',
      source: src,
      detail: `mode=${rawMode || '(unset)'} detectLocalMode=${detectMode} clusterCIDR=${config.clusterCIDR ?? '(unset)'} masqueradeAll=${config.masqueradeAll ?? false}`,
    },
  };
}
