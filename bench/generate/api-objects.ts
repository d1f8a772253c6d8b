/** The cluster/ files of a bundle (contract 1), as `kubectl get ... -o json` prints them. */
import type { ProxyMode } from '../../src/model/proxy-mode.ts';
import type { BenchService, ClusterSpec } from './cluster-spec.ts';

const list = (items: unknown[]) => ({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } });

function service(s: BenchService): unknown {
  const type = s.loadBalancerIP ? 'LoadBalancer' : s.nodePort ? 'NodePort' : 'ClusterIP';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: s.namespace, name: s.name, uid: `uid-${s.namespace}-${s.name}` },
    spec: {
      type,
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      ports: [{ name: s.portName, port: s.port, protocol: 'TCP', targetPort: 8080, ...(s.nodePort ? { nodePort: s.nodePort } : {}) }],
      selector: { app: s.name },
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: s.kind === 'affinity' ? 'ClientIP' : 'None',
      ...(s.kind === 'affinity' ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } } : {}),
      ...(s.nodePort ? { externalTrafficPolicy: s.kind === 'lb-local' ? 'Local' : 'Cluster' } : {}),
      ...(s.healthCheckNodePort ? { healthCheckNodePort: s.healthCheckNodePort } : {}),
      ...(s.sourceRanges.length ? { loadBalancerSourceRanges: s.sourceRanges } : {}),
    },
    status: { loadBalancer: s.loadBalancerIP ? { ingress: [{ ip: s.loadBalancerIP, ipMode: 'VIP' }] } : {} },
  };
}

function endpointSlice(s: BenchService): unknown {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: s.namespace,
      name: `${s.name}-b3nch`,
      labels: { 'kubernetes.io/service-name': s.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    },
    addressType: 'IPv4',
    ports: [{ name: s.portName, port: 8080, protocol: 'TCP' }],
    endpoints: s.endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: e.node,
      targetRef: { kind: 'Pod', namespace: s.namespace, name: e.pod },
    })),
  };
}

export function apiObjects(spec: ClusterSpec, mode: ProxyMode): Record<string, unknown> {
  const nodes = spec.nodes.map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name } },
    spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
    status: {
      addresses: [
        { type: 'InternalIP', address: n.ip },
        { type: 'Hostname', address: n.name },
      ],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  }));
  const config = [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
    'kind: KubeProxyConfiguration',
    `mode: ${mode}`,
    `clusterCIDR: ${spec.clusterCIDR}`,
    'detectLocalMode: ClusterCIDR',
    'iptables:',
    '  masqueradeAll: false',
    '  localhostNodePorts: true',
    '',
  ].join('\n');
  return {
    'services.json': list(spec.services.map(service)),
    'endpointslices.json': list(spec.services.map(endpointSlice)),
    'nodes.json': list(nodes),
    'kube-proxy-config.json': {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { namespace: 'kube-system', name: 'kube-proxy' },
      data: { 'config.conf': config },
    },
  };
}
