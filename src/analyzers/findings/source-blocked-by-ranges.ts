import type { PathReport } from '../../model/results.ts';
import type { FindingRule, FindingRuleMeta } from './context.ts';
import { decisiveStep, serviceEvidence, stepEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'source-blocked-by-ranges',
  severities: ['warning'],
  description: 'The traced source is outside loadBalancerSourceRanges: kube-proxy drops it at the load-balancer IP.',
  docs: 'docs/findings.md#source-blocked-by-ranges',
};

/** Load-balancer paths that kube-proxy drops: the source is outside every loadBalancerSourceRanges entry. */
export const blockedPaths = (paths: readonly PathReport[]) =>
  paths.filter((p) => p.entry === 'LoadBalancer' && p.outcomes.some((o) => o.verdict === 'DROP'));

/** loadBalancerSourceRanges: a source outside every range is dropped at the LB IP (NodePorts are not filtered). */
export const sourceBlockedByRanges: FindingRule = {
  meta,
  check: ({ service, paths }) => {
    if (service.loadBalancerSourceRanges.length === 0) return [];
    const blocked = blockedPaths(paths);
    if (blocked.length === 0) return [];
    const ranges = service.loadBalancerSourceRanges.join(', ');
    const evidence = [serviceEvidence(service, `spec.loadBalancerSourceRanges=${ranges}`)];
    for (const p of blocked) {
      const step = p.outcomes.filter((o) => o.verdict === 'DROP').map(decisiveStep).find((s) => s !== undefined);
      if (step) evidence.push(stepEvidence(step));
    }
    const sources = [...new Set(blocked.map((p) => p.from))];
    return [
      {
        id: meta.id,
        severity: 'warning',
        message: `${svcName(service)}: ${sources.join(', ')} is outside loadBalancerSourceRanges (${ranges}): kube-proxy drops it at the load-balancer IP (clients time out).`,
        evidence,
        remediation: 'Add the client range to spec.loadBalancerSourceRanges (the cloud LB firewall usually follows it too), or send the traffic from an allowed range.',
      },
    ];
  },
};
