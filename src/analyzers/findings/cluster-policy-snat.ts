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
  check: ({ service, paths, loadBalancer: lb }) => {
    const external = paths.filter((p) => p.entry !== 'ClusterIP');
    if (service.externalTrafficPolicy !== 'Cluster' || external.length === 0) return [];
    const remote = external.some((p) => p.outcomes.some((o) => o.hop === 'remote' && o.probability > 0));
    const snat = external.some((p) => p.outcomes.some((o) => o.sourceIPPreserved === false));
    if (!snat && !remote) return [];
    // ip targets: the load balancer's traffic never meets kube-proxy; only the NodePort's does.
    if (lb?.entry === 'pods') {
      const clientIP = lb.evidence.find((e) => e.kind === 'client-ip');
      return [
        {
          id: meta.id,
          severity: 'info',
          message: `${svcName(service)} uses externalTrafficPolicy Cluster, but ${lb.implementation} sends to the pods' IPs directly (ip targets): kube-proxy does not masquerade load-balancer traffic, whether pods see the client IP is the load balancer's doing; only traffic sent to the NodePort is masqueraded to the node's address${remote ? ' and may take a second hop' : ''}.`,
          evidence: [serviceEvidence(service, 'spec.externalTrafficPolicy=Cluster'), ...(clientIP ? [serviceEvidence(service, clientIP.detail)] : [])],
          remediation: 'With ip targets keep the client IP at the load balancer (AWS: target group attribute preserve_client_ip.enabled=true, or proxy protocol); externalTrafficPolicy only changes traffic sent to the NodePort.',
        },
      ];
    }
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
