import type { Outcome } from '../model/outcome.ts';
import type { ModeComparison, PathReport, ServiceExplanation } from '../model/results.ts';
import { DATAPLANES } from '../dataplane/registry.ts';
import { explainService } from './explain.ts';
import type { ExplainInput } from './inputs.ts';
import { expectedWalkerOf } from './expected-walker.ts';
import { runFacts } from './run-facts.ts';


const pathKey = (p: PathReport) => `${p.entry} ${p.node} ${p.address}:${p.port}/${p.protocol}`;

function describe(outcomes: readonly Outcome[]): string {
  const live = outcomes.filter((o) => o.probability > 1e-12);
  if (live.length === 0) return 'nothing';
  if (live.every((o) => o.verdict !== 'DNAT')) return [...new Set(live.map((o) => o.verdict))].join('/');
  return live
    .map((o) => (o.endpoint ? `${o.endpoint.pod ?? `${o.endpoint.ip}:${o.endpoint.port}`} ${(o.probability * 100).toFixed(1)}%` : o.verdict))
    .join(', ');
}

const signature = (outcomes: readonly Outcome[]) => describe(outcomes) + outcomes.map((o) => String(o.sourceIPPreserved)).join();

/**
 * What the service would look like under each kube-proxy mode, from the API objects alone: the
 * whole explanation is recomputed with every node answered by that mode's semantics, and each
 * path that differs from the answer in `actual` is spelled out.
 */
export function compareModes(input: ExplainInput, actual: ServiceExplanation): ModeComparison[] {
  const current = new Map(actual.paths.map((p) => [pathKey(p), p]));
  // Each kube-proxy semantics once (userspace borrows iptables'), in the registry's order.
  const modes = [...new Set(DATAPLANES.map((m) => m.facts.semantics))];
  const facts = input.facts ?? runFacts(input.state);
  return modes.map((mode) => {
    const forced = explainService({
      ...input,
      facts,
      nodes: input.nodes.map((n) => ({ ...n, mode, modeSource: null, basis: 'model' as const, walker: null, notices: [], expected: expectedWalkerOf(facts, { ...n, mode }), problems: [], withoutKubeProxyRules: [] })),
    });
    const differences: string[] = [];
    for (const p of forced.paths) {
      const now = current.get(pathKey(p));
      if (!now || signature(now.outcomes) === signature(p.outcomes)) continue;
      const snat = (os: readonly Outcome[]) => (os.some((o) => o.sourceIPPreserved === false) ? ' (SNAT)' : '');
      differences.push(
        `${p.entry} ${p.address}:${p.port} on ${p.node}: ${describe(p.outcomes)}${snat(p.outcomes)} instead of ${describe(now.outcomes)}${snat(now.outcomes)}`,
      );
    }
    return {
      mode,
      paths: forced.paths,
      loadBalancerShares: forced.loadBalancerShares,
      imbalanceFactor: forced.imbalanceFactor,
      differences,
    };
  });
}
