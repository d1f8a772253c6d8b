import type { HostView, WalkOutcome, WalkPacket, Walker } from '../dataplane/types.ts';
import type { Outcome } from '../model/outcome.ts';
import type { Packet } from '../model/packet.ts';
import { sameIP } from '../net/ip.ts';
import { healthCheckOutcome, modelOutcomes } from './kube-proxy/index.ts';
import type { DataplaneFamily, ProxyConfigView } from './kube-proxy/index.ts';
import { dataplaneOf } from '../dataplane/registry.ts';
import type { NodeView } from './inputs.ts';
import type { RunFacts } from './run-facts.ts';
import { healthCheckServiceAt, serviceEntryAt } from './service-entry.ts';

/** The kube-proxy semantics that answer for a node: its mode's (userspace: iptables'), else the configured one's. */
export function modelFamily(view: Pick<NodeView, 'mode'>, config: ProxyConfigView): DataplaneFamily {
  return dataplaneOf(view.mode ?? config.mode)?.facts.semantics ?? 'iptables';
}

/** The expected walker of the node a view describes: its mode's semantics, its captured addresses. */
export function expectedWalkerOf(facts: RunFacts, view: Pick<NodeView, 'node' | 'mode' | 'hostAddresses'>): Walker {
  return expectedWalker(facts, view.node, modelFamily(view, facts.config), view.hostAddresses ?? null);
}

/**
 * What kube-proxy in `mode` should have programmed on `node`, behind the same interface as a
 * dump's walker, so that the model answers a packet the way a dump does. Like kube-proxy's rules
 * it finds the Service entry from the packet's destination, port and protocol (the run's service
 * map), then applies kube-proxy's semantics to the API objects (basis model). `hostAddresses`:
 * the node's captured addresses, null when only the Node object's are known.
 */
export function expectedWalker(facts: RunFacts, node: string, mode: DataplaneFamily, hostAddresses: readonly string[] | null): Walker {
  return {
    mode,
    walk: (packet, host) => expectedOutcomes(facts, node, mode, hostAddresses, packet, host).map(asWalkOutcome),
    notices: () => [],
  };
}

function expectedOutcomes(
  facts: RunFacts,
  node: string,
  mode: DataplaneFamily,
  hostAddresses: readonly string[] | null,
  wp: WalkPacket,
  host: HostView,
): Outcome[] {
  const origin = wp.hook === 'output' ? 'node' : wp.fromPod ? 'pod' : 'external';
  const packet: Packet = { src: wp.src, dst: wp.dst, port: wp.port, protocol: wp.protocol, entryNode: node, origin };
  const { state, config } = facts;
  const owner = serviceEntryAt(facts, wp.dst, wp.port, wp.protocol);
  if (owner) {
    const outcomes = modelOutcomes({ state, service: owner.svc, entry: owner.entry, packet, mode, hostAddresses, config, view: facts.view(owner.svc) });
    return outcomes.length ? outcomes : [noRule(packet, 'kube-proxy programs no rule for this service')];
  }
  // Not a Service entry: on one of the node's own addresses, kube-proxy's health server may own the port.
  const local = host.localAddresses.some((a) => sameIP(a, wp.dst));
  const healthCheck = local ? healthCheckServiceAt(facts, wp.port, wp.protocol) : null;
  if (healthCheck) return [healthCheckOutcome(state, healthCheck, packet, mode, config, facts.view(healthCheck))];
  return [noRule(packet, `no Service has ${packet.dst}:${packet.port}/${packet.protocol}`)];
}

function noRule(packet: Packet, why: string): Outcome {
  return {
    verdict: 'NO-MATCH',
    probability: 1,
    endpoint: null,
    hop: null,
    sourceIPPreserved: null,
    steps: [{ node: packet.entryNode, table: 'model', chain: 'kube-proxy', rule: why, line: null }],
    conditions: [],
    dynamic: false,
  };
}

/** The model's outcome as a walker reports it; enrichOutcome places the endpoint and the reply as for a dump. */
function asWalkOutcome(o: Outcome): WalkOutcome {
  return {
    verdict: o.verdict,
    probability: o.probability,
    dnat: o.endpoint ? { ip: o.endpoint.ip, port: o.endpoint.port } : null,
    masquerade: o.sourceIPPreserved === false,
    steps: o.steps.map(({ node: _node, ...step }) => step),
    conditions: o.conditions,
    dynamic: o.dynamic,
  };
}
