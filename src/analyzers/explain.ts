import type { V1Node } from '@kubernetes/client-node';
import type { Origin, Packet } from '../model/packet.ts';
import type { EntryKind, PathReport, ServiceExplanation } from '../model/results.ts';
import type { Family } from '../net/ip.ts';
import { findServiceFindings } from './findings/index.ts';
import type { Drift } from './findings/index.ts';
import type { ExplainInput, NodeView } from './inputs.ts';
import {
  clusterIPOfFamily,
  externalIPsOfFamily,
  findNode,
  loadBalancerVIPs,
  primaryFamily,
  serviceSummary,
  sourceRangesOfFamily,
} from './kube-proxy/index.ts';
import type { ServicePortView, ServiceView } from './kube-proxy/index.ts';
import { loadBalancerSharesFromPaths } from './load-balancer-shares.ts';
import { loadBalancerOf } from './load-balancer/index.ts';
import { externalSource, nodeSource, podSourceOn } from './sources.ts';
import type { SourcePoint } from './sources.ts';
import { endpointFacts, endpointPlacements, nodeReport } from './service-facts.ts';
import { driftOf, hostAddressAssumption, walkOnNode } from './walk-node.ts';
import { runFacts } from './run-facts.ts';
import type { RunFacts } from './run-facts.ts';

interface PathPlan {
  entry: EntryKind;
  address: string;
  port: number;
  servicePort: ServicePortView;
  source: SourcePoint;
  origin: Origin;
}

const ENTRY_ORDER: Record<EntryKind, number> = { ClusterIP: 0, NodePort: 1, LoadBalancer: 2, ExternalIP: 3 };

/** The ways into the service on one node: ClusterIP from a local pod, the rest from outside. */
function plansFor(view: ServiceView, node: V1Node, ctx: RunFacts, family: Family, endpointIPs: Set<string>): PathPlan[] {
  const plans: PathPlan[] = [];
  const outside = externalSource(sourceRangesOfFamily(view, family), family);
  const plainOutside = externalSource([], family);
  const clusterIP = clusterIPOfFamily(view, family);
  const podSrc = podSourceOn(ctx.state, node, ctx.config, family, endpointIPs);
  const hostSrc = nodeSource(node, family);
  for (const sp of view.ports) {
    if (clusterIP) {
      const src = podSrc ?? hostSrc;
      if (src) plans.push({ entry: 'ClusterIP', address: clusterIP, port: sp.port, servicePort: sp, source: src, origin: podSrc ? 'pod' : 'node' });
    }
    if (sp.nodePort && hostSrc) {
      plans.push({ entry: 'NodePort', address: hostSrc.ip, port: sp.nodePort, servicePort: sp, source: plainOutside, origin: 'external' });
    }
    for (const vip of loadBalancerVIPs(view, family)) {
      plans.push({ entry: 'LoadBalancer', address: vip, port: sp.port, servicePort: sp, source: outside, origin: 'external' });
    }
    for (const ip of externalIPsOfFamily(view, family)) {
      plans.push({ entry: 'ExternalIP', address: ip, port: sp.port, servicePort: sp, source: plainOutside, origin: 'external' });
    }
  }
  return plans;
}

/** One node's paths into the service, walked, and where its rules and kube-proxy's semantics part. */
export interface NodePaths {
  paths: PathReport[];
  drifts: Drift[];
}

/**
 * Every entry of the service on one node, walked. The only step that needs the node's parsed
 * dump: the pipeline calls it node by node and lets each dump go before the next is read.
 */
export function explainNode(input: ExplainInput, nv: NodeView): NodePaths {
  const { state, service } = input;
  const ctx = input.facts ?? runFacts(state);
  const view = ctx.view(service);
  const node = findNode(state.nodes, nv.node);
  const out: NodePaths = { paths: [], drifts: [] };
  if (view.notProxiedReason !== null || !node) return out;
  const family = primaryFamily(view);
  const endpointIPs = new Set(endpointFacts(input, view, family).map((e) => e.ip));
  for (const plan of plansFor(view, node, ctx, family, endpointIPs)) {
    const packet: Packet = {
      src: plan.source.ip,
      dst: plan.address,
      port: plan.port,
      protocol: plan.servicePort.protocol,
      entryNode: nv.node,
      origin: plan.origin,
    };
    const walk = walkOnNode(ctx, nv, node, packet);
    const path: PathReport = {
      entry: plan.entry,
      node: nv.node,
      address: plan.address,
      port: plan.port,
      protocol: plan.servicePort.protocol,
      basis: walk.basis,
      from: plan.source.label,
      outcomes: walk.outcomes,
    };
    out.paths.push(path);
    const drift = driftOf(path, walk);
    if (drift) out.drifts.push(drift);
  }
  return out;
}

/**
 * explain-svc: every entry of the service on every node, health checks, the load-balancer hop and
 * shares, findings. `walked` holds the nodes explainNode already walked (their views may have let
 * their dumps go); the other nodes are walked here.
 */
export function explainService(input: ExplainInput, walked: ReadonlyMap<string, NodePaths> = new Map()): ServiceExplanation {
  const { state, service } = input;
  const ctx = input.facts ?? runFacts(state);
  const { config } = ctx;
  const view = ctx.view(service);
  const family = primaryFamily(view);
  const endpoints = endpointFacts(input, view, family);
  const nodes = input.nodes.map((n) => nodeReport(input, n, ctx));

  const parts = input.nodes.map((nv) => walked.get(nv.node) ?? explainNode({ ...input, facts: ctx }, nv));
  const paths = parts.flatMap((p) => p.paths);
  const drifts = parts.flatMap((p) => p.drifts);
  paths.sort((a, b) => ENTRY_ORDER[a.entry] - ENTRY_ORDER[b.entry] || a.port - b.port || a.node.localeCompare(b.node));

  const external = view.type === 'NodePort' || view.type === 'LoadBalancer';
  const lb = external
    ? loadBalancerSharesFromPaths(
        paths,
        nodes,
        state.nodes,
        endpoints
          .filter((e) => e.portName === view.ports[0]?.name && (e.ready || (e.serving && e.terminating)))
          .map((e) => ({ ip: e.ip, port: e.port, node: e.node, pod: e.pod })),
      )
    : { shares: [], imbalanceFactor: null, targetNodes: [] };
  const summary = serviceSummary(service, config.gates, view);
  const loadBalancer = loadBalancerOf(state, service, { paths, nodes, loadBalancerShares: lb.shares });
  const findings = findServiceFindings({
    service: summary,
    serviceObject: service,
    nodes,
    nodeViews: input.nodes,
    paths,
    loadBalancerShares: lb.shares,
    imbalanceFactor: lb.imbalanceFactor,
    loadBalancer,
    endpoints,
    placements: endpointPlacements(input, family),
    drifts,
  });
  const assumptions = [...config.assumptions];
  // A dump without kube-proxy rules says so in its own finding (no-kube-proxy-rules).
  const modelNodes = input.nodes.filter((n) => n.basis === 'model' && !n.withoutKubeProxyRules?.length).map((n) => n.node);
  if (modelNodes.length && view.notProxiedReason === null) {
    assumptions.push(`no dataplane dump for ${modelNodes.join(', ')}: answered from the API objects with kube-proxy's semantics (basis model)`);
  }
  const hostAddresses = hostAddressAssumption(input.nodes);
  if (hostAddresses && view.notProxiedReason === null) assumptions.push(hostAddresses);
  if (view.notProxiedReason !== null) assumptions.push(view.notProxiedReason);
  return {
    apiVersion: 'netpath/v1alpha1',
    kind: 'ServiceExplanation',
    service: summary,
    nodes,
    paths,
    loadBalancerShares: lb.shares,
    imbalanceFactor: lb.imbalanceFactor,
    loadBalancer,
    findings,
    assumptions,
  };
}
