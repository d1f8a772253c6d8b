import type { FindingRule, FindingRuleMeta } from './context.ts';
import { endpointEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'endpoints-not-ready',
  severities: ['warning'],
  description: 'Endpoints that are not ready (and not terminating): kube-proxy sends them nothing.',
  docs: 'docs/findings.md#endpoints-not-ready',
};

/** Endpoints that kube-proxy skips because they are not ready. */
export const endpointsNotReady: FindingRule = {
  meta,
  check: ({ service, endpoints }) => {
    const notReady = endpoints.filter((e) => !e.ready && !e.terminating);
    if (notReady.length === 0) return [];
    return [
      {
        id: meta.id,
        severity: 'warning',
        message: `${svcName(service)}: ${notReady.length} endpoint(s) are not ready and receive no traffic: ${notReady.map((e) => e.pod ?? e.ip).join(', ')}.`,
        evidence: notReady.map((e) => endpointEvidence(service, e)),
        remediation: `kubectl describe pod for each (readiness probe failures, restarts); kubectl get endpointslices -n ${service.namespace} -l kubernetes.io/service-name=${service.name} -o wide.`,
      },
    ];
  },
};
