import type { FindingRule, FindingRuleMeta } from './context.ts';
import { endpointEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'endpoints-terminating',
  severities: ['warning', 'info'],
  description: 'Terminating endpoints: skipped while ready ones exist, the last resort when none is ready.',
  docs: 'docs/findings.md#endpoints-terminating',
};

/** Endpoints that kube-proxy uses only as a last resort (terminating but serving, no ready one left). */
export const endpointsTerminating: FindingRule = {
  meta,
  check: ({ service, endpoints }) => {
    const terminating = endpoints.filter((e) => e.terminating);
    if (terminating.length === 0) return [];
    const used = !endpoints.some((e) => e.ready) && terminating.some((e) => e.serving);
    return [
      {
        id: meta.id,
        severity: used ? 'warning' : 'info',
        message: used
          ? `${svcName(service)}: no endpoint is ready, so kube-proxy falls back to ${terminating.filter((e) => e.serving).length} terminating but still serving endpoint(s); they will disappear when the pods exit.`
          : `${svcName(service)}: ${terminating.length} endpoint(s) are terminating and get no new connections while ready ones exist.`,
        evidence: terminating.map((e) => endpointEvidence(service, e)),
        remediation: used
          ? 'Scale up or fix the replacement pods now: once the terminating pods exit, the service has no endpoints.'
          : 'Nothing to do unless the pods hang in Terminating; check terminationGracePeriodSeconds and preStop hooks.',
      },
    ];
  },
};
