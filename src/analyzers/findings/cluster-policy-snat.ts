import type { FindingRule, FindingRuleMeta } from './context.ts';
import { serviceEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'cluster-policy-snat',
  severities: ['info'],
  description: 'externalTrafficPolicy Cluster: external traffic is masqueraded (client IP lost) and may take a second hop.',
  docs: 'docs/findings.md#cluster-policy-snat',
};

/** NodePort/LoadBalancer with externalTrafficPolicy Cluster: possible second hop, client address lost. */
export const clusterPolicySnat: FindingRule = {
  meta,
  check: ({ service, paths }) => {
    const external = paths.filter((p) => p.entry !== 'ClusterIP');
    if (service.externalTrafficPolicy !== 'Cluster' || external.length === 0) return [];
    const remote = external.some((p) => p.outcomes.some((o) => o.hop === 'remote' && o.probability > 0));
    const snat = external.some((p) => p.outcomes.some((o) => o.sourceIPPreserved === false));
    if (!snat && !remote) return [];
    return [
      {
        id: meta.id,
        severity: 'info',
        message: `${svcName(service)} uses externalTrafficPolicy Cluster: external traffic is masqueraded to the node's address${remote ? ' and may take a second hop to a pod on another node' : ''}; pods do not see the client's source IP.`,
        evidence: [serviceEvidence(service, 'spec.externalTrafficPolicy=Cluster')],
        remediation:
          'If pods need the client IP (allow-lists, logs), set externalTrafficPolicy: Local and make sure every node the load balancer targets runs a ready pod (or let the health check remove the others).',
      },
    ];
  },
};
