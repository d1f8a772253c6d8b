import type { V1Node, V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../model/cluster.ts';
import type { Outcome } from '../model/outcome.ts';
import type { Packet } from '../model/packet.ts';
import type { Basis, EntryKind, PathReport } from '../model/results.ts';
import type { Drift } from './findings/index.ts';
import { enrichOutcome } from './enrich-outcome.ts';
import type { EndpointIndex } from './endpoint-index.ts';
import type { NodeView } from './inputs.ts';
import { healthAnswer, healthCheckOutcome, modelOutcomes } from './kube-proxy/index.ts';
import type { DataplaneFamily, ProxyConfigView } from './kube-proxy/index.ts';

export interface WalkContext {
  state: ClusterState;
  index: EndpointIndex;
  config: ProxyConfigView;
}

export interface NodeWalk {
  basis: Basis;
  outcomes: Outcome[];
  /** What kube-proxy should have programmed (model), when the answer came from the dataplane. */
  expected: Outcome[] | null;
}

/** Addresses for which the node's `addrtype LOCAL` / `fib daddr type local` hold. */
export function localAddresses(node: V1Node | null): string[] {
  const own = (node?.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
    .map((a) => a.address);
  return [...own, '127.0.0.1', '::1'];
}

/** The kube-proxy semantics to apply on a node without a readable dump. */
export function modelFamily(view: NodeView, config: ProxyConfigView): DataplaneFamily {
  const mode = view.mode ?? config.mode;
  return mode === 'nftables' || mode === 'ipvs' ? mode : 'iptables';
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
  ctx: WalkContext,
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
    if (healthCheck && (!service || !entry)) return [healthCheckOutcome(ctx.state, healthCheck, packet, mode)];
    if (!service || !entry) return [noRule(packet, `no Service has ${packet.dst}:${packet.port}/${packet.protocol}`)];
    const outcomes = modelOutcomes({ state: ctx.state, service, entry, packet, mode });
    return outcomes.length ? outcomes : [noRule(packet, 'kube-proxy programs no rule for this service')];
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
    { localAddresses: localAddresses(node) },
  );
  return {
    basis: 'dataplane',
    outcomes: walked.map((w) => {
      const o = withReturnPath(enrichOutcome(w, packet.entryNode, ctx.index), packet);
      // Let in for the node itself: what the health server there answers.
      const delivered = healthCheck && (o.verdict === 'ACCEPT' || o.verdict === 'NO-MATCH');
      return delivered ? { ...o, conditions: [...o.conditions, healthAnswer(ctx.state, healthCheck, packet, mode)] } : o;
    }),
    expected: model(),
  };
}

/**
 * An outside client DNATed to a pod on another node without SNAT (IPVS's Local fallback does
 * this) gets the reply straight from that node with the pod's address, not the one it called,
 * and drops it: the rules "work" but the connection does not.
 */
function withReturnPath(o: Outcome, packet: Packet): Outcome {
  if (packet.origin !== 'external' || o.verdict !== 'DNAT' || o.hop !== 'remote' || o.sourceIPPreserved !== true) return o;
  const node = o.endpoint?.node ?? 'another node';
  return {
    ...o,
    conditions: [
      ...o.conditions,
      `no SNAT to a remote endpoint: the reply leaves ${node} straight to ${packet.src} from the pod's address, not ${packet.dst}, and the client drops it (asymmetric path)`,
    ],
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
