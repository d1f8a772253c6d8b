import type { V1Node, V1Service } from '@kubernetes/client-node';
import type { Outcome } from '../model/outcome.ts';
import type { Packet } from '../model/packet.ts';
import type { Basis, EntryKind, PathReport } from '../model/results.ts';
import type { Drift } from './findings/index.ts';
import { enrichOutcome, placeOutcome } from './enrich-outcome.ts';
import type { RunFacts } from './run-facts.ts';
import type { NodeView } from './inputs.ts';
import { healthAnswer, healthCheckOutcome, modelOutcomes } from './kube-proxy/index.ts';
import type { DataplaneFamily, ProxyConfigView } from './kube-proxy/index.ts';
import { dataplaneOf } from '../dataplane/registry.ts';

export interface NodeWalk {
  basis: Basis;
  outcomes: Outcome[];
  /** What kube-proxy should have programmed (model), when the answer came from the dataplane. */
  expected: Outcome[] | null;
}

/**
 * Addresses for which the node's `addrtype LOCAL` / `fib daddr type local` hold: the node's own
 * addresses as captured (`ip -j addr`: bridges, CNI and VIP addresses too) when the bundle has
 * them, else the Node object's InternalIP/ExternalIP addresses (see hostAddressAssumption).
 */
export function localAddresses(node: V1Node | null, captured?: readonly string[] | null): string[] {
  const own = captured
    ? [...captured]
    : (node?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address);
  return [...own, '127.0.0.1', '::1'];
}

/** The assumption walked nodes without ip-addr.json rest on, or null when every one's addresses were captured. */
export function hostAddressAssumption(views: readonly NodeView[]): string | null {
  const missing = views.filter((v) => v.walker && !v.hostAddresses).map((v) => v.node);
  if (!missing.length) return null;
  return `no ip-addr.json (ip -j addr) for ${missing.join(', ')}: addrtype LOCAL and NodePorts take the Node object's addresses as the node's only ones (on the real node a bridge or CNI address accepts NodePorts too)`;
}

/** The kube-proxy semantics to apply on a node without a readable dump. */
export function modelFamily(view: NodeView, config: ProxyConfigView): DataplaneFamily {
  return dataplaneOf(view.mode ?? config.mode)?.facts.semantics ?? 'iptables';
}

const noRule = (packet: Packet, why: string): Outcome => ({
  verdict: 'NO-MATCH',
  probability: 1,
  endpoint: null,
  hop: null,
  sourceIPPreserved: null,
  steps: [{ node: packet.entryNode, table: 'model', chain: 'kube-proxy', rule: why, line: null }],
  conditions: [],
  dynamic: false,
});

/**
 * One packet on one node: walked through the node's real rules when they were read, else
 * answered by kube-proxy's semantics from the API objects. `service` is the Service the packet
 * is aimed at (null when the address belongs to none).
 */
export function walkOnNode(
  ctx: RunFacts,
  view: NodeView,
  node: V1Node | null,
  service: V1Service | null,
  entry: EntryKind | null,
  packet: Packet,
  /** The Service whose health-check node port the packet is aimed at, when it is one. */
  healthCheck: V1Service | null = null,
): NodeWalk {
  const mode = modelFamily(view, ctx.config);
  const model = (): Outcome[] => {
    if (healthCheck && (!service || !entry)) return [healthCheckOutcome(ctx.state, healthCheck, packet, mode, ctx.config, ctx.view(healthCheck))];
    if (!service || !entry) return [noRule(packet, `no Service has ${packet.dst}:${packet.port}/${packet.protocol}`)];
    const outcomes = modelOutcomes({ state: ctx.state, service, entry, packet, mode, hostAddresses: view.hostAddresses ?? null, config: ctx.config, view: ctx.view(service) });
    return outcomes.length ? outcomes.map((o) => placeOutcome(o, packet, ctx.index)) : [noRule(packet, 'kube-proxy programs no rule for this service')];
  };
  if (!view.walker) return { basis: 'model', outcomes: model(), expected: null };
  const walked = view.walker.walk(
    {
      src: packet.src,
      dst: packet.dst,
      port: packet.port,
      protocol: packet.protocol,
      hook: packet.origin === 'node' ? 'output' : 'prerouting',
    },
    { localAddresses: localAddresses(node, view.hostAddresses) },
  );
  return {
    basis: 'dataplane',
    outcomes: walked.map((w) => {
      const o = enrichOutcome(w, packet, ctx.index);
      // Let in for the node itself: what the health server there answers.
      const delivered = healthCheck && (o.verdict === 'ACCEPT' || o.verdict === 'NO-MATCH');
      return delivered ? { ...o, conditions: [...o.conditions, healthAnswer(ctx.state, healthCheck, packet, mode, ctx.config, ctx.view(healthCheck))] } : o;
    }),
    expected: model(),
  };
}

/** Verdict and endpoint of each outcome that can happen: what must agree between rules and API. */
function outcomeKeys(outcomes: readonly Outcome[]): Set<string> {
  return new Set(
    outcomes
      .filter((o) => o.probability > 1e-12)
      .map((o) => (o.endpoint ? `${o.verdict} ${o.endpoint.ip}:${o.endpoint.port}` : o.verdict)),
  );
}

/** The drift of a walked path from what kube-proxy should have programmed, or null when they agree. */
export function driftOf(path: PathReport, walk: NodeWalk): Drift | null {
  if (!walk.expected) return null;
  const got = outcomeKeys(walk.outcomes);
  const want = outcomeKeys(walk.expected);
  const onlyInDataplane = [...got].filter((k) => !want.has(k));
  const onlyInModel = [...want].filter((k) => !got.has(k));
  return onlyInDataplane.length || onlyInModel.length ? { path, expected: walk.expected, onlyInDataplane, onlyInModel } : null;
}
