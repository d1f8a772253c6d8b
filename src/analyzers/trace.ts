import type { TraceReport } from '../model/results.ts';
import { EndpointIndex } from './endpoint-index.ts';
import { findServiceFindings } from './findings/index.ts';
import type { NodeView } from './inputs.ts';
import { findNode, primaryFamily, resolveProxyConfig, serviceSummary, serviceView } from './kube-proxy/index.ts';
import type { ClusterState } from '../model/cluster.ts';
import type { ResolvedTrace } from './resolve-trace.ts';
import { endpointFacts, endpointPlacements, nodeReport } from './service-facts.ts';
import { driftOf, hostAddressAssumption, modelFamily, walkOnNode } from './walk-node.ts';
import type { WalkContext } from './walk-node.ts';

/** trace: one packet through the entry node's rules (or kube-proxy's semantics), with findings. */
export function tracePacket(state: ClusterState, question: ResolvedTrace, view: NodeView): TraceReport {
  const config = resolveProxyConfig(state.kubeProxyConfig, state.nodes);
  const ctx: WalkContext = { state, index: new EndpointIndex(state), config };
  const packet = {
    src: question.src,
    dst: question.dst,
    port: question.port,
    protocol: question.protocol,
    entryNode: question.entryNode,
    origin: question.origin,
  };
  const node = findNode(state.nodes, question.entryNode);
  const walk = walkOnNode(ctx, view, node, question.service, question.entry, packet);
  const { service, entry } = question;
  const assumptions = [...config.assumptions];
  if (!view.walker) assumptions.push(`no dataplane dump for ${view.node}: answered from the API objects with kube-proxy's ${modelFamily(view, config)} semantics (basis model)`);

  const hostAddresses = hostAddressAssumption([view]);
  if (hostAddresses) assumptions.push(hostAddresses);

  let findings: TraceReport['findings'] = [];
  if (service && entry) {
    const sv = serviceView(service, config.gates);
    const path = {
      entry,
      node: question.entryNode,
      address: question.dst,
      port: question.port,
      protocol: question.protocol,
      basis: walk.basis,
      from: question.from,
      outcomes: walk.outcomes,
    };
    const drift = driftOf(path, walk);
    findings = findServiceFindings({
      service: serviceSummary(service, config.gates),
      serviceObject: service,
      nodes: [nodeReport({ state, service, nodes: [view] }, view, ctx)],
      nodeViews: [view],
      paths: [path],
      loadBalancerShares: [],
      imbalanceFactor: null,
      endpoints: endpointFacts({ state, service, nodes: [view] }, sv, primaryFamily(sv)),
      placements: endpointPlacements({ state, service, nodes: [view] }, primaryFamily(sv)),
      drifts: drift ? [drift] : [],
    });
  }
  return {
    apiVersion: 'netpath/v1alpha1',
    kind: 'Trace',
    packet: { src: packet.src, dst: packet.dst, port: packet.port, protocol: packet.protocol, entryNode: packet.entryNode, from: question.from },
    basis: walk.basis,
    proxyMode: view.mode ?? (config.modeFromConfig ? config.mode : null),
    service: service && entry ? { namespace: service.metadata?.namespace ?? '', name: service.metadata?.name ?? '', entry } : null,
    outcomes: walk.outcomes,
    findings,
    assumptions,
  };
}
