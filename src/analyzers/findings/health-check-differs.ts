import type { FindingRule, FindingRuleMeta } from './context.ts';
import { probesHealthCheckNodePort, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'health-check-differs',
  severities: ['warning'],
  description: "kube-proxy's observed health-check answer differs from what the EndpointSlices predict.",
  docs: 'docs/findings.md#health-check-differs',
};

/** The live health-check answer differs from what the EndpointSlices predict. */
export const healthCheckDiffers: FindingRule = {
  meta,
  check: ({ service, nodes, loadBalancer: lb }) => {
    // Whether the answer steers the load balancer: only when it probes healthCheckNodePort.
    const steers =
      !lb || lb.assumed || probesHealthCheckNodePort(lb, service)
        ? ''
        : ` ${lb.implementation} does not probe healthCheckNodePort${lb.entry === 'pods' ? ' (ip targets: it probes the pods)' : ''}, so this answer does not change where its traffic goes.`;
    return nodes
      .filter((n) => n.healthCheck.status !== null && n.healthCheck.observed && n.healthCheck.observed.status !== n.healthCheck.status)
      .map((n) => ({
        id: meta.id,
        severity: 'warning' as const,
        message: `${svcName(service)} on ${n.name}: kube-proxy answered ${n.healthCheck.observed?.status ?? 'nothing'} on healthCheckNodePort ${service.healthCheckNodePort}, but the EndpointSlices predict ${n.healthCheck.status} (${n.readyLocalEndpoints} ready local endpoints).${steers}`,
        evidence: [
          { kind: 'healthz' as const, node: n.name, port: service.healthCheckNodePort ?? 0, detail: `observed ${n.healthCheck.observed?.status ?? 'no answer'} (${n.healthCheck.observed?.source ?? ''}), localEndpoints=${n.healthCheck.observed?.localEndpoints ?? 'unknown'}` },
        ],
        remediation: `kube-proxy on ${n.name} may be stale or unhealthy (curl 127.0.0.1:10256/healthz on the node), or the node is being drained/deleted; check its logs.`,
      }));
  },
};
