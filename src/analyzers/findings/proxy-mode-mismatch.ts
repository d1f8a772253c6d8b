import type { FindingRule, FindingRuleMeta } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'proxy-mode-mismatch',
  severities: ['warning'],
  description: "kube-proxy's reported mode disagrees with the rules found on the node.",
  docs: 'docs/findings.md#proxy-mode-mismatch',
};

/** A node whose kube-proxy reports one mode while its dump shows another (or rules of two). */
export const proxyModeMismatch: FindingRule = {
  meta,
  check: ({ nodeViews }) =>
    nodeViews.flatMap((v) =>
      v.problems.map((problem) => ({
        id: meta.id,
        severity: 'warning' as const,
        message: `${v.node}: ${problem}.`,
        evidence: [{ kind: 'node' as const, node: v.node, detail: `reported mode ${v.reportedMode ?? 'unknown'}; dump at ${v.location ?? 'none'}` }],
        remediation: "Check kube-proxy's configured mode (kube-system/kube-proxy ConfigMap, --proxy-mode) and its logs; left-over rules of another mode can be removed with kube-proxy --cleanup.",
      })),
    ),
};
