import type { TraceReport } from '../model/results.ts';
import { findServiceFindings } from './findings/index.ts';
import type { NodeView } from './inputs.ts';
import { findNode, primaryFamily, serviceSummary } from './kube-proxy/index.ts';
import type { ResolvedTrace } from './resolve-trace.ts';
import { loadBalancerOf } from './load-balancer/index.ts';
import { endpointFacts, endpointPlacements, nodeReport } from './service-facts.ts';
import { driftOf, hostAddressAssumption, walkOnNode } from './walk-node.ts';
import { modelFamily } from './expected-walker.ts';
import type { RunFacts } from './run-facts.ts';

/**
 * trace: one packet through the entry node's rules (or kube-proxy's semantics), with findings.
 * `views` holds every node: the entry node's as read, the others without a dump (basis model),
 * so that findings about the service (health checks per node) hold for all of its nodes, not
 * only for the one this packet entered.
 */
export function tracePacket(ctx: RunFacts, question: ResolvedTrace, views: readonly NodeView[]): TraceReport {
  const { state, config } = ctx;
  const { packet } = question;
  const view = views.find((v) => v.node === packet.entryNode);
  if (!view) throw new Error(`no view for the entry node ${packet.entryNode}`);
  const node = findNode(state.nodes, packet.entryNode);
  const walk = walkOnNode(ctx, view, node, packet, question.healthCheck);
  const { service, entry } = question;
  const assumptions = [...config.assumptions];
  if (view.basis === 'model' && !view.withoutKubeProxyRules?.length) assumptions.push(`no dataplane dump for ${view.node}: answered from the API objects with kube-proxy's ${modelFamily(view, config)} semantics (basis model)`);

  const hostAddresses = hostAddressAssumption([view]);
  if (hostAddresses) assumptions.push(hostAddresses);

  let findings: TraceReport['findings'] = [];
  const others = views.filter((v) => v !== view && v.basis === 'model').map((v) => v.node);
  if (service && entry && others.length) {
    assumptions.push(`findings about ${others.join(', ')} rest on the API objects (basis model): trace reads only the entry node's dataplane`);
  }
  if (service && entry) {
    const sv = ctx.view(service);
    const path = {
      entry,
      node: packet.entryNode,
      address: packet.dst,
      port: packet.port,
      protocol: packet.protocol,
      basis: walk.basis,
      from: question.from,
      outcomes: walk.outcomes,
    };
    const drift = driftOf(path, walk);
    const input = { state, service, nodes: [...views], facts: ctx };
    const nodes = views.map((v) => nodeReport(input, v, ctx));
    // Paths and pod shares are left out: only the entry node's were walked. The load balancer's
    // split over nodes needs no walk: rules read where it sends traffic.
    const lb = loadBalancerOf(state, service, { paths: [path], nodes, loadBalancerShares: [] });
    findings = findServiceFindings({
      service: serviceSummary(service, config.gates, sv),
      serviceObject: service,
      nodes,
      nodeViews: [...views],
      paths: [path],
      loadBalancerShares: [],
      imbalanceFactor: null,
      loadBalancer: lb && { ...lb, shares: [] },
      endpoints: endpointFacts(input, sv, primaryFamily(sv)),
      placements: endpointPlacements(input, primaryFamily(sv)),
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
