import type { FindingRule, FindingRuleMeta } from './context.ts';
import { serviceEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'headless-no-proxy',
  severities: ['info'],
  description: 'Headless service (clusterIP None): DNS returns the pod IPs; kube-proxy programs nothing.',
  docs: 'docs/findings.md#headless-no-proxy',
};

/** Headless services never touch kube-proxy: the client picks a pod from the DNS answer. */
export const headlessNoProxy: FindingRule = {
  meta,
  // ExternalName has its own finding even when it also has no cluster IP.
  check: ({ service }) => {
    if (!service.headless || service.type === 'ExternalName') return [];
    return [
      {
        id: meta.id,
        severity: 'info',
        message: `${svcName(service)} is headless (clusterIP: None): kube-proxy programs no rules; cluster DNS returns the ready pod IPs and the client itself picks one.`,
        evidence: [serviceEvidence(service, 'spec.clusterIP=None')],
        remediation:
          'Balance is whatever the client library does with the DNS answer (often the first address). If you need kube-proxy load balancing, give the service a ClusterIP.',
      },
    ];
  },
};
