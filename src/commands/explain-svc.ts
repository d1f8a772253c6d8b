import { compareModes } from '../analyzers/compare-modes.ts';
import { explainService } from '../analyzers/explain.ts';
import { allNodeNames, nodesForService } from '../analyzers/node-scope.ts';
import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import type { ClusterSource } from '../cluster/source.ts';
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
    printResult(result, opts.output, opts.color);
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
  const result = explainService(input);
  return withModes ? { ...result, modeComparison: compareModes(input, result) } : result;
}
