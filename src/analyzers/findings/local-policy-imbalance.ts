import type { Evidence, Finding } from '../../model/finding.ts';
import type { LoadBalancerShare, ServiceSummary } from '../../model/results.ts';
import type { LoadBalancerReport } from '../load-balancer/index.ts';
import type { FindingRule, FindingRuleMeta } from './context.ts';
import { ASSUMED_LB, entryWords, pct, serviceEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'local-policy-imbalance',
  severities: ['warning', 'info'],
  description: 'externalTrafficPolicy Local: the load balancer splits per node, so pods on crowded nodes get less.',
  docs: 'docs/findings.md#local-policy-imbalance',
};

const who = (s: LoadBalancerShare) => `${s.endpoint.pod ?? `${s.endpoint.ip}:${s.endpoint.port}`} on ${s.endpoint.node ?? 'unknown node'}`;

const shareEvidence = (shares: readonly LoadBalancerShare[]): Evidence[] =>
  shares.map((s) => ({ kind: 'node', node: s.endpoint.node ?? 'unknown', detail: `${s.endpoint.pod ?? s.endpoint.ip}: ${pct(s.share)} of load-balancer traffic` }));

/**
 * Under Local policy the LB splits by node, not by pod: pods on crowded nodes get less. With a
 * detected load balancer the shares are its own (per pod for ip targets, per serving pod under
 * GKE pods-per-node weighting, one node for L2); otherwise the even-over-healthy-nodes model.
 */
export const localPolicyImbalance: FindingRule = {
  meta,
  check: ({ service, loadBalancerShares, imbalanceFactor, loadBalancer: lb }) => {
    if (service.externalTrafficPolicy !== 'Local') return [];
    if (lb && !lb.assumed) return detected(service, lb);
    if (imbalanceFactor === null || imbalanceFactor <= 1 + 1e-9) return [];
    const sorted = [...loadBalancerShares].filter((s) => s.share > 0).sort((a, b) => b.share - a.share);
    const hi = sorted[0];
    const lo = sorted[sorted.length - 1];
    if (!hi || !lo) return [];
    return [
      {
        id: meta.id,
        severity: imbalanceFactor >= 2 ? 'warning' : 'info',
        message: `${svcName(service)}: with externalTrafficPolicy Local the load balancer splits traffic evenly per healthy node${lb?.assumed ? ASSUMED_LB : ''}, then each node over its own pods: ${who(hi)} gets ${pct(hi.share)} while ${who(lo)} gets ${pct(lo.share)} (imbalance factor ${imbalanceFactor.toFixed(2)}).`,
        evidence: [serviceEvidence(service, 'spec.externalTrafficPolicy=Local'), ...shareEvidence(loadBalancerShares)],
        remediation:
          'Spread the pods evenly across nodes (topologySpreadConstraints with maxSkew 1), or use a load balancer that weights nodes by the X-Load-Balancing-Endpoint-Weight header / endpoint count, or use externalTrafficPolicy Cluster if the client IP is not needed.',
      },
    ];
  },
};

/** The detected load balancer's own shares: unequal ones, or ready pods it never reaches. */
function detected(service: ServiceSummary, lb: LoadBalancerReport): Finding[] {
  const sorted = [...lb.shares].sort((a, b) => b.share - a.share);
  const served = sorted.filter((s) => s.share > 1e-12);
  const idle = sorted.filter((s) => s.share <= 1e-12);
  const hi = served[0];
  const lo = served[served.length - 1];
  if (!hi || !lo) return [];
  const factor = hi.share / lo.share;
  if (idle.length === 0 && factor <= 1 + 1e-9) return [];
  const gap = idle.length
    ? `${idle.length} of ${sorted.length} ready pods (${idle.map(who).join(', ')}) get none`
    : `${who(lo)} gets ${pct(lo.share)} (imbalance factor ${factor.toFixed(2)})`;
  return [
    {
      id: meta.id,
      severity: idle.length > 0 || factor >= 2 ? 'warning' : 'info',
      message: `${svcName(service)}: with externalTrafficPolicy Local ${entryWords(lb)}, and each node sends only to its own pods: ${who(hi)} gets ${pct(hi.share)} while ${gap}.`,
      evidence: [serviceEvidence(service, `spec.externalTrafficPolicy=Local; load balancer ${lb.implementation}, entry ${lb.entry}`), ...shareEvidence(lb.shares)],
      remediation:
        lb.entry === 'single-node'
          ? 'One node receives everything: run the pods on the node holding the address, use a mode that spreads (BGP / ECMP), or use externalTrafficPolicy Cluster if the client IP is not needed.'
          : 'Spread the pods evenly across the entry nodes (topologySpreadConstraints with maxSkew 1), weight nodes by their pods where the load balancer can (GKE networking.gke.io/weighted-load-balancing: pods-per-node, ip targets), or use externalTrafficPolicy Cluster if the client IP is not needed.',
    },
  ];
}
