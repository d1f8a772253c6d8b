// Hand-written API objects for rule cases: the few fields kube-proxy reads, nothing else.
import type { V1EndpointSlice, V1Node, V1Pod, V1Service, V1ServiceSpec } from '@kubernetes/client-node';

export const NS = 'shop';

export const service = (spec: Partial<V1ServiceSpec> = {}): V1Service => ({
  metadata: { namespace: NS, name: 'web' },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
});

/** LoadBalancer on 203.0.113.10 with NodePort 30080 and (under Local) health check port 32000. */
export const loadBalancer = (policy: 'Local' | 'Cluster', spec: Partial<V1ServiceSpec> = {}): V1Service => {
  const s = service({
    type: 'LoadBalancer',
    externalTrafficPolicy: policy,
    ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }],
    ...(policy === 'Local' ? { healthCheckNodePort: 32000 } : {}),
    ...spec,
  });
  return { ...s, status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } } };
};

/** A node with its InternalIP and podCIDR (pods of node-a are 10.0.1.x, of node-b 10.0.2.x). */
export const node = (name: string, ip: string, podCIDR: string, zone?: string): V1Node => ({
  metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} },
  spec: { podCIDR, podCIDRs: [podCIDR] },
  status: { addresses: [{ type: 'InternalIP', address: ip }] },
});

export const NODES = [node('node-a', '192.168.0.1', '10.0.1.0/24'), node('node-b', '192.168.0.2', '10.0.2.0/24')];

export interface Ep {
  ip: string;
  node: string | null;
  pod?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  zone?: string;
}

export const slice = (name: string, eps: Ep[]): V1EndpointSlice => ({
  metadata: { namespace: NS, name, labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: eps.map((e) => ({
    addresses: [e.ip],
    conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
    ...(e.node ? { nodeName: e.node } : {}),
    ...(e.pod ? { targetRef: { kind: 'Pod', namespace: NS, name: e.pod } } : {}),
    ...(e.zone ? { hints: { forZones: [{ name: e.zone }] } } : {}),
  })),
});

export const pod = (name: string, nodeName: string, ip: string): V1Pod => ({
  metadata: { namespace: NS, name },
  spec: { nodeName, containers: [] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
});

/** The service with annotations added: how most load-balancer implementations are recognised. */
export const annotated = (svc: V1Service, annotations: Record<string, string>): V1Service => ({
  ...svc,
  metadata: { ...svc.metadata, annotations: { ...svc.metadata?.annotations, ...annotations } },
});

/** AWS Load Balancer Controller NLB with ip targets: pods are the targets, kube-proxy is off the path. */
export const AWS_IP = { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' };
/** GKE backend-service-based NLB, probing healthCheckNodePort under Local. */
export const GKE = { 'cloud.google.com/l4-rbs': 'enabled' };
/** The same with weighted load balancing: the split over nodes follows their serving pods. */
export const GKE_WEIGHTED = { ...GKE, 'networking.gke.io/weighted-load-balancing': 'pods-per-node' };

/** MetalLB's status object saying `node` announces (L2) or advertises (BGP) the service's address. */
export const metallbStatus = (kind: 'ServiceL2Status' | 'ServiceBGPStatus', node: string) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind,
  metadata: { namespace: 'metallb-system', name: `${kind.toLowerCase()}-${node}` },
  status: { node, serviceName: 'web', serviceNamespace: NS },
});
