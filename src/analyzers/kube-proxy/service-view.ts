import type { V1Service } from '@kubernetes/client-node';
import type { Protocol } from '../../model/packet.ts';
import { parseCidr, parseIP } from '../../net/ip.ts';
import type { Family } from '../../net/ip.ts';
import type { FeatureGates } from './feature-gates.ts';

/** kube-proxy (and its informers) ignore Services carrying this label with any value. */
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';

export interface ServicePortView {
  name: string;
  port: number;
  protocol: Protocol;
  targetPort: number | string | null;
  nodePort: number | null;
  /** `ns/name` or `ns/name:port`, as kube-proxy prints a ServicePortName. */
  portName: string;
}

export interface LoadBalancerIngressIP {
  ip: string;
  ipMode: string | null;
  /** False for `ipMode: Proxy`: kube-proxy writes no rule, the LB forwards to node ports itself. */
  programmed: boolean;
}

export interface ServiceView {
  namespace: string;
  name: string;
  type: string;
  clusterIPs: string[];
  headless: boolean;
  externalName: string | null;
  externalIPs: string[];
  loadBalancerIngress: LoadBalancerIngressIP[];
  /** Trimmed: API validation lets whitespace through and kube-proxy trims it. */
  loadBalancerSourceRanges: string[];
  externalTrafficPolicy: string | null;
  internalTrafficPolicy: string | null;
  /** apiservice.ExternalPolicyLocal: externally reachable type (or externalIPs) and eTP=Local. */
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  /** Served by kube-proxy only for type LoadBalancer with eTP=Local (apiservice.NeedsHealthCheck). */
  healthCheckNodePort: number | null;
  sessionAffinity: { type: string; timeoutSeconds: number | null };
  trafficDistribution: string | null;
  ports: ServicePortView[];
  /** Why kube-proxy programs nothing for this Service; null when it does. */
  notProxiedReason: string | null;
}

/** kube-proxy's per-port policy flags (pkg/proxy/serviceport.go). */
export interface ServicePortFlags {
  externallyAccessible: boolean;
  usesClusterEndpoints: boolean;
  usesLocalEndpoints: boolean;
}

const DEFAULT_AFFINITY_TIMEOUT = 10800;

function protocolOf(p: string | undefined): Protocol {
  return p === 'UDP' || p === 'SCTP' ? p : 'TCP';
}

export function serviceView(svc: V1Service, gates: FeatureGates): ServiceView {
  const namespace = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const headless = spec.clusterIP === 'None';
  const rawClusterIPs = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const clusterIPs = rawClusterIPs.filter((ip) => ip !== 'None' && ip !== '');
  const externalIPs = [...(spec.externalIPs ?? [])];
  const externalTrafficPolicy = spec.externalTrafficPolicy ?? null;
  const internalTrafficPolicy = spec.internalTrafficPolicy ?? null;
  const externallyReachableType =
    type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && externalIPs.length > 0);
  const externalPolicyLocal = externallyReachableType && externalTrafficPolicy === 'Local';
  const affinityType = spec.sessionAffinity ?? 'None';
  const loadBalancerIngress = (svc.status?.loadBalancer?.ingress ?? [])
    .filter((ing) => !!ing.ip)
    .map((ing) => ({
      ip: ing.ip as string,
      ipMode: ing.ipMode ?? null,
      programmed: !gates.LoadBalancerIPMode || ing.ipMode === undefined || ing.ipMode === 'VIP',
    }));

  let notProxiedReason: string | null = null;
  if (type === 'ExternalName') {
    notProxiedReason = `${namespace}/${name} is type ExternalName (a DNS CNAME to ${spec.externalName ?? '?'}): kube-proxy programs no rule`;
  } else if (headless || clusterIPs.length === 0) {
    notProxiedReason = `${namespace}/${name} is headless (clusterIP: None): DNS returns the pod IPs and kube-proxy programs no rule`;
  } else if (svc.metadata?.labels?.[SERVICE_PROXY_NAME_LABEL] !== undefined) {
    notProxiedReason = `${namespace}/${name} has label ${SERVICE_PROXY_NAME_LABEL}=${svc.metadata.labels[SERVICE_PROXY_NAME_LABEL]}: kube-proxy leaves it to another proxy`;
  }

  return {
    namespace,
    name,
    type,
    clusterIPs,
    headless,
    externalName: type === 'ExternalName' ? (spec.externalName ?? null) : null,
    externalIPs,
    loadBalancerIngress,
    loadBalancerSourceRanges: (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter((r) => r !== ''),
    externalTrafficPolicy,
    internalTrafficPolicy,
    externalPolicyLocal,
    internalPolicyLocal: internalTrafficPolicy === 'Local',
    healthCheckNodePort:
      type === 'LoadBalancer' && externalPolicyLocal && spec.healthCheckNodePort ? spec.healthCheckNodePort : null,
    sessionAffinity: {
      type: affinityType,
      timeoutSeconds:
        affinityType === 'ClientIP'
          ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT)
          : null,
    },
    trafficDistribution: spec.trafficDistribution ?? null,
    ports: (spec.ports ?? []).map((p) => {
      const portName = p.name ?? '';
      return {
        name: portName,
        port: p.port,
        protocol: protocolOf(p.protocol),
        targetPort: p.targetPort ?? null,
        nodePort: p.nodePort ? p.nodePort : null,
        portName: portName === '' ? `${namespace}/${name}` : `${namespace}/${name}:${portName}`,
      };
    }),
    notProxiedReason,
  };
}

function ofFamily(ips: readonly string[], family: Family | undefined): string[] {
  return family === undefined ? [...ips] : ips.filter((ip) => parseIP(ip)?.family === family);
}

/** The ClusterIP kube-proxy's proxier of this family uses; null means that proxier skips the Service. */
export function clusterIPOfFamily(view: ServiceView, family: Family): string | null {
  return ofFamily(view.clusterIPs, family)[0] ?? null;
}

export function externalIPsOfFamily(view: ServiceView, family?: Family): string[] {
  return ofFamily(view.externalIPs, family);
}

/** LB ingress IPs kube-proxy programs (VIP mode only). */
export function loadBalancerVIPs(view: ServiceView, family?: Family): string[] {
  return ofFamily(
    view.loadBalancerIngress.filter((i) => i.programmed).map((i) => i.ip),
    family,
  );
}

export function sourceRangesOfFamily(view: ServiceView, family?: Family): string[] {
  return view.loadBalancerSourceRanges.filter((r) => {
    const c = parseCidr(r);
    return c !== null && (family === undefined || c.family === family);
  });
}

/** The family of the primary ClusterIP (the first of spec.clusterIPs); 4 when unknown. */
export function primaryFamily(view: ServiceView): Family {
  const first = view.clusterIPs[0];
  return (first !== undefined ? parseIP(first)?.family : undefined) ?? 4;
}

export function servicePortFlags(view: ServiceView, port: ServicePortView, family?: Family): ServicePortFlags {
  const externallyAccessible =
    port.nodePort !== null ||
    loadBalancerVIPs(view, family).length > 0 ||
    externalIPsOfFamily(view, family).length > 0;
  return {
    externallyAccessible,
    usesClusterEndpoints: !view.internalPolicyLocal || externallyAccessible,
    usesLocalEndpoints: view.internalPolicyLocal || (view.externalPolicyLocal && externallyAccessible),
  };
}
