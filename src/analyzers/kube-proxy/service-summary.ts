import type { V1Service } from '@kubernetes/client-node';
import type { ServiceSummary } from '../../model/results.ts';
import type { FeatureGates } from './feature-gates.ts';
import { serviceView } from './service-view.ts';
import type { ServiceView } from './service-view.ts';

/**
 * The `service` block of explain-svc. `loadBalancerIPs` lists every ingress IP of the status,
 * including `ipMode: Proxy` ones that kube-proxy does not program (serviceView tells them apart);
 * `healthCheckNodePort` is the spec value even where kube-proxy serves no health check on it.
 */
export function serviceSummary(svc: V1Service, gates: FeatureGates, v: ServiceView = serviceView(svc, gates)): ServiceSummary {
  return {
    namespace: v.namespace,
    name: v.name,
    type: v.type,
    clusterIPs: v.clusterIPs,
    ports: v.ports.map(({ name, port, protocol, targetPort, nodePort }) => ({ name, port, protocol, targetPort, nodePort })),
    externalTrafficPolicy: v.externalTrafficPolicy,
    internalTrafficPolicy: v.internalTrafficPolicy,
    healthCheckNodePort: svc.spec?.healthCheckNodePort ?? null,
    externalIPs: v.externalIPs,
    loadBalancerIPs: v.loadBalancerIngress.map((i) => i.ip),
    loadBalancerSourceRanges: v.loadBalancerSourceRanges,
    sessionAffinity: v.sessionAffinity,
    trafficDistribution: v.trafficDistribution,
    externalName: v.externalName,
    headless: v.headless,
  };
}
