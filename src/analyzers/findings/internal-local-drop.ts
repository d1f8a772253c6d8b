import type { Evidence } from '../../model/finding.ts';
import type { FindingRule, FindingRuleMeta } from './context.ts';
import { decisiveStep, serviceEvidence, stepEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'internal-local-drop',
  severities: ['warning'],
  description: 'internalTrafficPolicy Local: ClusterIP traffic from nodes without a local endpoint is dropped.',
  docs: 'docs/findings.md#internal-local-drop',
};

/** internalTrafficPolicy Local: pods on nodes without a local endpoint get their packets dropped. */
export const internalLocalDrop: FindingRule = {
  meta,
  check: ({ service, paths }) => {
    if (service.internalTrafficPolicy !== 'Local') return [];
    const dropping = paths.filter((p) => p.entry === 'ClusterIP' && p.outcomes.some((o) => o.verdict === 'DROP'));
    if (dropping.length === 0) return [];
    const evidence: Evidence[] = [serviceEvidence(service, 'spec.internalTrafficPolicy=Local')];
    for (const p of dropping) {
      const step = p.outcomes.filter((o) => o.verdict === 'DROP').map(decisiveStep).find((s) => s !== undefined);
      evidence.push(step ? stepEvidence(step) : { kind: 'node', node: p.node, detail: 'no local endpoint' });
    }
    const nodes = [...new Set(dropping.map((p) => p.node))];
    return [
      {
        id: meta.id,
        severity: 'warning',
        message: `${svcName(service)} has internalTrafficPolicy Local: pods on ${nodes.join(', ')} have no local endpoint, so their connections to the ClusterIP are dropped (time out), not sent elsewhere.`,
        evidence,
        remediation:
          'Run an endpoint on every node that has clients (a DaemonSet), or use internalTrafficPolicy Cluster (or trafficDistribution: PreferSameNode, which falls back to other nodes).',
      },
    ];
  },
};
