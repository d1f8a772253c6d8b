import type { FindingRule, FindingRuleMeta } from './context.ts';
import { nodesByMode } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'userspace-mode',
  severities: ['warning'],
  description: "Nodes run kube-proxy's userspace mode (removed in Kubernetes 1.26).",
  docs: 'docs/findings.md#userspace-mode',
};

/** kube-proxy's userspace mode: every connection is proxied by kube-proxy itself. */
export const userspaceMode: FindingRule = {
  meta,
  check: ({ nodeViews }) => {
    const userspace = nodesByMode(nodeViews).get('userspace');
    if (!userspace) return [];
    return [
      {
        id: meta.id,
        severity: 'warning',
        message: `${userspace.join(', ')} run kube-proxy's userspace mode (removed in Kubernetes 1.26): every connection is terminated and re-opened by kube-proxy itself, round robin, the source IP is always lost and each byte is copied through user space.`,
        evidence: userspace.map((node) => ({ kind: 'node' as const, node, detail: 'KUBE-PORTALS-* chains in iptables-save' })),
        remediation: 'Upgrade kube-proxy and switch to --proxy-mode=nftables (or iptables on kernels older than 5.13).',
      },
    ];
  },
};
