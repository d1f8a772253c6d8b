import type { Evidence } from '../../model/finding.ts';
import type { FindingRule, FindingRuleMeta } from './context.ts';
import { pct, serviceEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'local-policy-imbalance',
  severities: ['warning', 'info'],
  description: 'externalTrafficPolicy Local: the load balancer splits per node, so pods on crowded nodes get less.',
  docs: 'docs/findings.md#local-policy-imbalance',
};

/** Under Local policy the LB splits by node, not by pod: pods on crowded nodes get less. */
export const localPolicyImbalance: FindingRule = {
  meta,
  check: ({ service, loadBalancerShares, imbalanceFactor }) => {
    if (service.externalTrafficPolicy !== 'Local' || imbalanceFactor === null || imbalanceFactor <= 1 + 1e-9) return [];
    const sorted = [...loadBalancerShares].filter((s) => s.share > 0).sort((a, b) => b.share - a.share);
    const hi = sorted[0];
    const lo = sorted[sorted.length - 1];
    if (!hi || !lo) return [];
    const who = (s: typeof hi) => `${s.endpoint.pod ?? `${s.endpoint.ip}:${s.endpoint.port}`} on ${s.endpoint.node ?? 'unknown node'}`;
    return [
      {
        id: meta.id,
        severity: imbalanceFactor >= 2 ? 'warning' : 'info',
        message: `${svcName(service)}: with externalTrafficPolicy Local the load balancer splits traffic evenly per healthy node, then each node over its own pods: ${who(hi)} gets ${pct(hi.share)} while ${who(lo)} gets ${pct(lo.share)} (imbalance factor ${imbalanceFactor.toFixed(2)}).`,
        evidence: [
          serviceEvidence(service, 'spec.externalTrafficPolicy=Local'),
          ...loadBalancerShares.map((s): Evidence => ({
            kind: 'node',
            node: s.endpoint.node ?? 'unknown',
            detail: `${s.endpoint.pod ?? s.endpoint.ip}: ${pct(s.share)} of load-balancer traffic`,
          })),
        ],
        remediation:
          'Spread the pods evenly across nodes (topologySpreadConstraints with maxSkew 1), or use a load balancer that weights nodes by the X-Load-Balancing-Endpoint-Weight header / endpoint count, or use externalTrafficPolicy Cluster if the client IP is not needed.',
      },
    ];
  },
};
