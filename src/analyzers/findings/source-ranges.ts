import type { FindingRule } from './context.ts';
import { decisiveStep, serviceEvidence, stepEvidence, svcName } from './context.ts';

/** loadBalancerSourceRanges: a source outside every range is dropped at the LB IP (NodePorts are not filtered). */
export const sourceRanges: FindingRule = ({ service, paths }) => {
  if (service.loadBalancerSourceRanges.length === 0) return [];
  const blocked = paths.filter((p) => p.entry === 'LoadBalancer' && p.outcomes.some((o) => o.verdict === 'DROP'));
  const ranges = service.loadBalancerSourceRanges.join(', ');
  const evidence = [serviceEvidence(service, `spec.loadBalancerSourceRanges=${ranges}`)];
  for (const p of blocked) {
    const step = p.outcomes.filter((o) => o.verdict === 'DROP').map(decisiveStep).find((s) => s !== undefined);
    if (step) evidence.push(stepEvidence(step));
  }
  const sources = [...new Set(blocked.map((p) => p.from))];
  return [
    {
      id: blocked.length ? 'source-blocked-by-ranges' : 'source-ranges-in-effect',
      severity: blocked.length ? 'warning' : 'info',
      message: blocked.length
        ? `${svcName(service)}: ${sources.join(', ')} is outside loadBalancerSourceRanges (${ranges}): kube-proxy drops it at the load-balancer IP (clients time out).`
        : `${svcName(service)} accepts load-balancer traffic only from ${ranges}; other sources are dropped by kube-proxy (its NodePort is not filtered).`,
      evidence,
      remediation: blocked.length
        ? 'Add the client range to spec.loadBalancerSourceRanges (the cloud LB firewall usually follows it too), or send the traffic from an allowed range.'
        : 'Keep the NodePort firewalled elsewhere if it must not be reachable from other sources: source ranges do not apply to it.',
    },
  ];
};
