import type { FindingRule, FindingRuleMeta } from './context.ts';
import { serviceEvidence, svcName } from './context.ts';
import { blockedPaths } from './source-blocked-by-ranges.ts';

const meta: FindingRuleMeta = {
  id: 'source-ranges-in-effect',
  severities: ['info'],
  description: 'loadBalancerSourceRanges limit who reaches the load-balancer IP (the NodePort is not filtered).',
  docs: 'docs/findings.md#source-ranges-in-effect',
};

/** loadBalancerSourceRanges with no path blocked (that one is source-blocked-by-ranges): say they apply. */
export const sourceRangesInEffect: FindingRule = {
  meta,
  check: ({ service, paths }) => {
    if (service.loadBalancerSourceRanges.length === 0 || blockedPaths(paths).length > 0) return [];
    const ranges = service.loadBalancerSourceRanges.join(', ');
    return [
      {
        id: meta.id,
        severity: 'info',
        message: `${svcName(service)} accepts load-balancer traffic only from ${ranges}; other sources are dropped by kube-proxy (its NodePort is not filtered).`,
        evidence: [serviceEvidence(service, `spec.loadBalancerSourceRanges=${ranges}`)],
        remediation: 'Keep the NodePort firewalled elsewhere if it must not be reachable from other sources: source ranges do not apply to it.',
      },
    ];
  },
};
