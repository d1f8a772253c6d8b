import type { Evidence } from '../../model/finding.ts';
import type { FindingRule, FindingRuleMeta } from './context.ts';
import { nodesByMode, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'mixed-proxy-modes',
  severities: ['warning'],
  description: 'Nodes run different kube-proxy modes, so the service may behave differently per node.',
  docs: 'docs/findings.md#mixed-proxy-modes',
};

/** Nodes that run kube-proxy in different modes (mid-migration, or a forgotten node). */
export const mixedProxyModes: FindingRule = {
  meta,
  check: ({ service, nodeViews }) => {
    const modes = nodesByMode(nodeViews);
    if (modes.size < 2) return [];
    const evidence: Evidence[] = [...modes].flatMap(([mode, nodes]) => nodes.map((node) => ({ kind: 'node' as const, node, detail: `kube-proxy mode ${mode}` })));
    return [
      {
        id: meta.id,
        severity: 'warning',
        message: `Nodes run different kube-proxy modes (${[...modes].map(([m, n]) => `${m}: ${n.join(', ')}`).join('; ')}): ${svcName(service)} may behave differently per node (e.g. IPVS falls back to remote endpoints where iptables/nftables drop); compare the paths per node.`,
        evidence,
        remediation: "Converge kube-proxy's mode across nodes (one ConfigMap, restart kube-proxy everywhere) unless you are mid-migration.",
      },
    ];
  },
};
