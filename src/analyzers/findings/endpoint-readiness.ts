import type { FindingRule } from './context.ts';
import { svcName } from './context.ts';

/** Endpoints that kube-proxy skips (not ready) or uses only as a last resort (terminating). */
export const endpointReadiness: FindingRule = ({ service, endpoints }) => {
  const notReady = endpoints.filter((e) => !e.ready && !e.terminating);
  const terminating = endpoints.filter((e) => e.terminating);
  const anyReady = endpoints.some((e) => e.ready);
  const findings = [];
  const ev = (e: (typeof endpoints)[number]) => ({
    kind: 'endpointslice' as const,
    namespace: service.namespace,
    name: e.slice,
    endpoint: `${e.ip}:${e.port}`,
    detail: `${e.pod ?? 'no pod reference'} on ${e.node ?? 'unknown node'}: ready=${e.ready} serving=${e.serving} terminating=${e.terminating}`,
  });
  if (notReady.length > 0) {
    findings.push({
      id: 'endpoints-not-ready',
      severity: 'warning' as const,
      message: `${svcName(service)}: ${notReady.length} endpoint(s) are not ready and receive no traffic: ${notReady.map((e) => e.pod ?? e.ip).join(', ')}.`,
      evidence: notReady.map(ev),
      remediation: `kubectl describe pod for each (readiness probe failures, restarts); kubectl get endpointslices -n ${service.namespace} -l kubernetes.io/service-name=${service.name} -o wide.`,
    });
  }
  if (terminating.length > 0) {
    const used = !anyReady && terminating.some((e) => e.serving);
    findings.push({
      id: 'endpoints-terminating',
      severity: used ? ('warning' as const) : ('info' as const),
      message: used
        ? `${svcName(service)}: no endpoint is ready, so kube-proxy falls back to ${terminating.filter((e) => e.serving).length} terminating but still serving endpoint(s); they will disappear when the pods exit.`
        : `${svcName(service)}: ${terminating.length} endpoint(s) are terminating and get no new connections while ready ones exist.`,
      evidence: terminating.map(ev),
      remediation: used
        ? 'Scale up or fix the replacement pods now: once the terminating pods exit, the service has no endpoints.'
        : 'Nothing to do unless the pods hang in Terminating; check terminationGracePeriodSeconds and preStop hooks.',
    });
  }
  return findings;
};
