import type { V1Node, V1Service } from '@kubernetes/client-node';
import type { Outcome } from '../model/outcome.ts';
import type { Packet } from '../model/packet.ts';
import type { Basis, PathReport } from '../model/results.ts';
import type { WalkPacket, Walker } from '../dataplane/types.ts';
import type { Drift } from './findings/index.ts';
import { enrichOutcome } from './enrich-outcome.ts';
import { modelFamily } from './expected-walker.ts';
import type { RunFacts } from './run-facts.ts';
import type { NodeView } from './inputs.ts';
import { healthAnswer } from './kube-proxy/index.ts';

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
  const missing = views.filter((v) => v.basis === 'dataplane' && !v.hostAddresses).map((v) => v.node);
  if (!missing.length) return null;
  return `no ip-addr.json (ip -j addr) for ${missing.join(', ')}: addrtype LOCAL and NodePorts take the Node object's addresses as the node's only ones (on the real node a bridge or CNI address accepts NodePorts too)`;
}

/**
 * One packet on one node, walked the same way through two walkers: the node's real rules when
 * they were read (basis dataplane), and what kube-proxy should have programmed there (the
 * expected walker, basis model), which alone answers when there is no dump and otherwise is what
 * drift is measured against.
 */
export function walkOnNode(
  ctx: RunFacts,
  view: NodeView,
  node: V1Node | null,
  packet: Packet,
  /** The Service whose health-check node port the packet is aimed at, when it is one. */
  healthCheck: V1Service | null = null,
): NodeWalk {
  const mode = modelFamily(view, ctx.config);
  const walkPacket: WalkPacket = {
    src: packet.src,
    dst: packet.dst,
    port: packet.port,
    protocol: packet.protocol,
    hook: packet.origin === 'node' ? 'output' : 'prerouting',
    fromPod: packet.origin === 'pod',
  };
  const host = { localAddresses: localAddresses(node, view.hostAddresses) };
  // Copied out (structuredClone makes fresh strings): a rule's text, chain and comment are slices
  // of the whole dump, and an outcome kept after its node's walk would keep all 40 MB alive.
  const answer = (walker: Walker) => structuredClone(walker.walk(walkPacket, host)).map((w) => enrichOutcome(w, packet, ctx.index));
  if (view.basis === 'model') return { basis: 'model', outcomes: answer(view.expected), expected: null };
  if (!view.walker) throw new Error(`the dump of ${view.node} was let go before its walks`);
  return {
    basis: 'dataplane',
    outcomes: answer(view.walker).map((o) => {
      // A dump holds rules, not the health server: what that server answers to what they let in.
      const delivered = healthCheck && (o.verdict === 'ACCEPT' || o.verdict === 'NO-MATCH');
      return delivered ? { ...o, conditions: [...o.conditions, healthAnswer(ctx.state, healthCheck, packet, mode, ctx.config, ctx.view(healthCheck))] } : o;
    }),
    expected: answer(view.expected),
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
