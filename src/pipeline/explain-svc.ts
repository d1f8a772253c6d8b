import type { V1Service } from '@kubernetes/client-node';
import { compareExposure } from '../analyzers/compare-exposure.ts';
import { compareModes } from '../analyzers/compare-modes.ts';
import { explainService } from '../analyzers/explain.ts';
import { withLoadBalancer } from '../analyzers/load-balancer/index.ts';
import { readsSummary } from '../analyzers/node-plan.ts';
import { allNodeNames } from '../analyzers/node-scope.ts';
import { observedShares } from '../analyzers/observed-shares.ts';
import { FACT_BUILDERS, runFacts } from '../analyzers/run-facts.ts';
import type { FactBuilders } from '../analyzers/run-facts.ts';
import { NODE_STATE_FILES } from '../cluster/bundle-layout.ts';
import { silentProgress } from '../cluster/live/progress.ts';
import type { Progress } from '../cluster/live/progress.ts';
import type { ClusterSource, NodeDump } from '../cluster/source.ts';
import { notFound } from '../errors.ts';
import type { ClusterState } from '../model/cluster.ts';
import type { ServiceExplanation } from '../model/results.ts';
import { nodeViews } from './node-views.ts';
import { nodeHealthOf, nodeObservations } from './observations.ts';
import { explainNodeReads } from './plan.ts';

/** What explain-svc adds to the paths and findings on request, and how it reports progress. */
export interface ExplainExtras {
  compareModes?: boolean;
  compareExposure?: boolean;
  progress?: Progress;
  build?: FactBuilders;
}

/**
 * explain-svc: plan -> collect (API objects, then the nodes' dumps) -> parse (one view per node)
 * -> walk and findings (analyzers) -> result. The run's facts (kube-proxy configuration, service
 * views, endpoint index) are built once here and passed down.
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
  const dumps = await source.readNodes(query);
  const facts = runFacts(state, build);
  const input = { state, service, nodes: nodeViews(facts, allNodeNames(state), dumps, progress), facts };
  const explained = withNodeHealth(withObservations(explainService(input), state, service, dumps), state, dumps);
  const result = { ...withLoadBalancer(explained, state, service), reads: readsSummary(plan, dumps.keys(), source.usage?.() ?? null) };
  const compared = extras.compareModes ? { ...result, modeComparison: compareModes(input, result) } : result;
  return extras.compareExposure ? { ...compared, exposureComparison: compareExposure(input, result) } : compared;
}

/** Adds observed shares and stale conntrack entries where the nodes read carry conntrack or counters. */
function withObservations(result: ServiceExplanation, state: ClusterState, service: V1Service, dumps: ReadonlyMap<string, NodeDump>): ServiceExplanation {
  const slices = state.endpointSlices.filter(
    (s) => s.metadata?.namespace === service.metadata?.namespace && s.metadata?.labels?.['kubernetes.io/service-name'] === service.metadata?.name,
  );
  const obs = observedShares(service, slices, result.paths, nodeObservations(dumps));
  if (obs.ports.length === 0 && obs.stale.length === 0) return result;
  return { ...result, observed: { ports: obs.ports, stale: obs.stale }, findings: [...result.findings, ...obs.findings] };
}

/**
 * The health of each node read whose dump carries node-state files (kube-proxy's metrics and
 * healthz, conntrack), with its findings: are the rules walked current, is the table dropping.
 */
function withNodeHealth(result: ServiceExplanation, state: ClusterState, dumps: ReadonlyMap<string, NodeDump>): ServiceExplanation {
  const withState = [...dumps.values()].filter((d) => NODE_STATE_FILES.some((f) => d.files.has(f)));
  if (withState.length === 0) return result;
  const nodeHealth = withState.map((d) => nodeHealthOf(d, state, null)).sort((a, b) => a.node.localeCompare(b.node));
  return { ...result, nodeHealth, findings: [...result.findings, ...nodeHealth.flatMap((n) => n.findings)] };
}
