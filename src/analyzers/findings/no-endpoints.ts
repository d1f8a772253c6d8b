import type { Evidence } from '../../model/finding.ts';
import type { FindingRule, FindingRuleMeta } from './context.ts';
import { decisiveStep, serviceEvidence, stepEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'no-endpoints',
  severities: ['error'],
  description: 'No ready (or serving terminating) endpoint: kube-proxy rejects every connection.',
  docs: 'docs/findings.md#no-endpoints',
};

/** No usable endpoint anywhere: kube-proxy REJECTs (connection refused / ICMP port unreachable). */
export const noEndpoints: FindingRule = {
  meta,
  check: ({ service, paths, endpoints }) => {
    if (service.headless || service.type === 'ExternalName') return [];
    const usable = endpoints.filter((e) => e.ready || (e.serving && e.terminating));
    if (usable.length > 0) return [];
    const rejects = paths.flatMap((p) => p.outcomes.filter((o) => o.verdict === 'REJECT'));
    const evidence: Evidence[] = [
      serviceEvidence(service, endpoints.length ? 'EndpointSlices list only endpoints that are not ready' : 'no EndpointSlice lists an endpoint'),
    ];
    const step = rejects.map(decisiveStep).find((s) => s !== undefined);
    if (step) evidence.push(stepEvidence(step));
    for (const e of endpoints) {
      evidence.push({ kind: 'endpointslice', namespace: service.namespace, name: e.slice, endpoint: `${e.ip}:${e.port}`, detail: `ready=${e.ready} serving=${e.serving} terminating=${e.terminating}` });
    }
    return [
      {
        id: meta.id,
        severity: 'error',
        message: `${svcName(service)} has no ready endpoints: kube-proxy rejects every connection (clients see "connection refused").`,
        evidence,
        remediation: `Check that the selector matches running pods (kubectl get pods -n ${service.namespace} -l <selector>) and why they are not ready (kubectl describe pod: readiness probe, crash loop).`,
      },
    ];
  },
};
