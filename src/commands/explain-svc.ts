import { compareModes } from '../analyzers/compare-modes.ts';
import { explainService } from '../analyzers/explain.ts';
import { allNodeNames, nodesForService } from '../analyzers/node-scope.ts';
import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import type { V1Service } from '@kubernetes/client-node';
import { observedShares } from '../analyzers/observed-shares.ts';
import type { ClusterSource, NodeDump } from '../cluster/source.ts';
import type { ClusterState } from '../model/cluster.ts';
import { nodeHealthOf, nodeObservations } from './observations.ts';
import { NODE_STATE_FILES } from '../cluster/bundle-layout.ts';
import { notFound } from '../errors.ts';
import { silentProgress, stderrProgressReady } from '../cluster/live/progress.ts';
import type { Progress } from '../cluster/live/progress.ts';
import type { ServiceExplanation } from '../model/results.ts';
import type { GlobalOptions } from './global-options.ts';
import { nodeViews } from './node-views.ts';
import { openSource } from './open-source.ts';
import type { OutputFormat } from './output-format.ts';
import { printResult } from './print.ts';
import { parseServiceRef } from './target-syntax.ts';

export interface ExplainFlags extends GlobalOptions, NodeAccessFlags {
  output: OutputFormat;
  allNodes?: boolean;
  compareModes?: boolean;
}

/** Run: explain-svc with its parsed flags. */
export async function runExplain(raw: string, opts: ExplainFlags): Promise<void> {
  const ref = parseServiceRef(raw);
  const { source, namespace } = await openSource(opts);
  try {
    // A bundle's dumps cost nothing to read: use every one it has.
    const result = await explainFrom(source, ref.namespace ?? namespace, ref.name, !!opts.allNodes || !!opts.snapshot, !!opts.compareModes, await stderrProgressReady(opts.verbose));
    await printResult(result, opts.output, opts.color);
  } finally {
    await source.close();
  }
}

/** Reads what the question needs from `source` and explains the service. */
export async function explainFrom(
  source: ClusterSource,
  namespace: string,
  name: string,
  allNodes: boolean,
  withModes = false,
  progress: Progress = silentProgress,
): Promise<ServiceExplanation> {
  const state = await source.readState({ kind: 'service', namespace, name });
  const service = state.services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  if (!service) throw notFound(`service ${namespace}/${name} not found in ${source.description}`);
  const hc = service.spec?.healthCheckNodePort;
  const dumps = await source.readNodes({
    nodes: nodesForService(state, service, allNodes),
    healthCheckPorts: hc ? [hc] : [],
  });
  const input = { state, service, nodes: nodeViews(allNodeNames(state), dumps, progress) };
  const result = withNodeHealth(withObservations(explainService(input), state, service, dumps), state, dumps);
  return withModes ? { ...result, modeComparison: compareModes(input, result) } : result;
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
