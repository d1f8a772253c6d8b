import { compareExposure } from '../analyzers/compare-exposure.ts';
import { compareModes } from '../analyzers/compare-modes.ts';
import { explainNode, explainService } from '../analyzers/explain.ts';
import type { NodePaths } from '../analyzers/explain.ts';
import type { ExplainInput, NodeView } from '../analyzers/inputs.ts';
import { withLoadBalancer } from '../analyzers/load-balancer/index.ts';
import type { NodeHealth } from '../analyzers/node-health.ts';
import { readsSummary } from '../analyzers/node-plan.ts';
import { allNodeNames } from '../analyzers/node-scope.ts';
import { observedShares } from '../analyzers/observed-shares.ts';
import type { Observed } from '../analyzers/observed-shares.ts';
import { FACT_BUILDERS, runFacts } from '../analyzers/run-facts.ts';
import type { FactBuilders } from '../analyzers/run-facts.ts';
import { NODE_STATE_FILES } from '../cluster/bundle-layout.ts';
import { silentProgress } from '../cluster/live/progress.ts';
import type { Progress } from '../cluster/live/progress.ts';
import type { ClusterSource, NodeDump } from '../cluster/source.ts';
import { notFound } from '../errors.ts';
import type { ServiceExplanation } from '../model/results.ts';
import { nodeView, unreadView } from './node-views.ts';
import { nodeHealthOf, nodeObservations } from './observations.ts';
import { explainNodeReads } from './plan.ts';

/** What explain-svc adds to the paths and findings on request, and how it reports progress. */
export interface ExplainExtras {
  compareModes?: boolean;
  compareExposure?: boolean;
  progress?: Progress;
  build?: FactBuilders;
}

/** What a run keeps of one node it read, once the node's dump is let go. */
interface NodeRead {
  view: NodeView;
  paths: NodePaths;
  observed: Observed;
  health: NodeHealth | null;
}

/**
 * explain-svc: plan -> collect the API objects -> per node: collect its dump, parse it, walk the
 * service's entries there, read its observations, let the dump go -> findings -> result. Nodes
 * come one batch at a time (source.nodesPerRead), so memory holds one batch of dumps, not the
 * cluster's. The run's facts (kube-proxy configuration, service views, endpoint index) are built
 * once here and passed down.
 */
export async function explainFrom(
  source: ClusterSource,
  namespace: string,
  name: string,
  allNodes: boolean,
  extras: ExplainExtras = {},
): Promise<ServiceExplanation> {
  const { progress = silentProgress, build = FACT_BUILDERS } = extras;
  const state = await source.readState({ kind: 'service', namespace, name });
  const service = state.services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  if (!service) throw notFound(`service ${namespace}/${name} not found in ${source.description}`);
  const { plan, query } = explainNodeReads(state, service, allNodes);
  const facts = runFacts(state, build);
  const base: ExplainInput = { state, service, nodes: [], facts };
  const slices = state.endpointSlices.filter(
    (s) => s.metadata?.namespace === service.metadata?.namespace && s.metadata?.labels?.['kubernetes.io/service-name'] === service.metadata?.name,
  );
  const read = new Map<string, NodeRead>();
  let parsed = 0;
  const readNode = (dump: NodeDump): NodeRead => {
    const view = nodeView(facts, dump, progress, `${++parsed}/${query.nodes.length}`);
    const paths = explainNode(base, view);
    return {
      // The walker holds the parsed dump: let it go with the dump.
      view: { ...view, walker: null },
      paths,
      observed: observedShares(service, slices, paths.paths, nodeObservations(dump)),
      health: NODE_STATE_FILES.some((f) => dump.files.has(f)) ? nodeHealthOf(dump, state, null) : null,
    };
  };
  // One batch of dumps at a time (source.nodesPerRead): each is parsed, walked and let go before the next is read.
  const batch = source.nodesPerRead ?? query.nodes.length;
  // A batch's dumps live only in this call's frame: a suspended loop would keep the last batch's registers.
  const readBatch = async (nodes: string[]) => [...(await source.readNodes({ ...query, nodes })).values()].map(readNode);
  for (let i = 0; i < query.nodes.length; i += batch) {
    for (const r of await readBatch(query.nodes.slice(i, i + batch))) read.set(r.view.node, r);
  }
  progress.stop();
  const nodes = allNodeNames(state).map((node) => read.get(node)?.view ?? unreadView(facts, node));
  const input = { ...base, nodes };
  const walked = new Map([...read].map(([node, r]) => [node, r.paths]));
  const explained = withNodeHealth(withObservations(explainService(input, walked), [...read.values()]), [...read.values()]);
  const result = { ...withLoadBalancer(explained, state, service), reads: readsSummary(plan, read.keys(), source.usage?.() ?? null) };
  const compared = extras.compareModes ? { ...result, modeComparison: compareModes(input, result) } : result;
  return extras.compareExposure ? { ...compared, exposureComparison: compareExposure(input, result) } : compared;
}

/** Adds observed shares and stale conntrack entries where the nodes read carry conntrack or counters. */
function withObservations(result: ServiceExplanation, reads: readonly NodeRead[]): ServiceExplanation {
  const ports = reads.flatMap((r) => r.observed.ports);
  const stale = reads.flatMap((r) => r.observed.stale);
  if (ports.length === 0 && stale.length === 0) return result;
  // Every node's shares before the stale entries, as observedShares orders them over several nodes.
  const findings = reads.flatMap((r) => r.observed.findings);
  const isStale = (f: { id: string }) => f.id === 'stale-conntrack';
  return { ...result, observed: { ports, stale }, findings: [...result.findings, ...findings.filter((f) => !isStale(f)), ...findings.filter(isStale)] };
}

/**
 * The health of each node read whose dump carries node-state files (kube-proxy's metrics and
 * healthz, conntrack), with its findings: are the rules walked current, is the table dropping.
 */
function withNodeHealth(result: ServiceExplanation, reads: readonly NodeRead[]): ServiceExplanation {
  const nodeHealth = reads.flatMap((r) => (r.health ? [r.health] : [])).sort((a, b) => a.node.localeCompare(b.node));
  if (nodeHealth.length === 0) return result;
  return { ...result, nodeHealth, findings: [...result.findings, ...nodeHealth.flatMap((n) => n.findings)] };
}
