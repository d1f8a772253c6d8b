// detectLoadBalancer's rules one by one, on Services shaped as the providers document them
// (URLs next to each rule in src/analyzers/load-balancer/*.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { detectLoadBalancer } from '../../../src/analyzers/load-balancer/index.ts';
import type { ClusterState } from '../../../src/model/cluster.ts';

const state = (extra: Partial<ClusterState> = {}): ClusterState => ({
  services: [],
  endpointSlices: [],
  nodes: [],
  pods: null,
  kubeProxyConfig: null,
  ingresses: null,
  ingressClasses: null,
  targetGroupBindings: null,
  serviceL2Statuses: null,
  serviceBGPStatuses: null,
  ...extra,
});

function svc(annotations: Record<string, string> = {}, spec: Partial<NonNullable<V1Service['spec']>> = {}): V1Service {
  return {
    metadata: { namespace: 'shop', name: 'web', annotations },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }], externalTrafficPolicy: 'Cluster', ...spec },
  };
}

test('AWS LBC: nlb-ip means ip; health-check annotations override the defaults', () => {
  assert.equal(detectLoadBalancer(state(), svc({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb-ip' }))?.targetType, 'ip');
  const d = detectLoadBalancer(
    state(),
    svc({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '8081',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/ready',
    }),
  );
  // No target-type annotation: instance (the annotations doc's default).
  assert.deepEqual([d?.implementation, d?.targetType, d?.healthCheck], ['aws-load-balancer-controller', 'instance', { target: 'node', port: 8081, protocol: 'HTTP', path: '/ready' }]);
});

test('AWS LBC: the class alone, or a TargetGroupBinding alone, is enough; the binding gives the target type', () => {
  assert.equal(detectLoadBalancer(state(), svc({}, { loadBalancerClass: 'service.k8s.aws/nlb' }))?.implementation, 'aws-load-balancer-controller');
  const tgb = { apiVersion: 'elbv2.k8s.aws/v1beta1', kind: 'TargetGroupBinding', metadata: { namespace: 'shop', name: 'my-tgb' }, spec: { serviceRef: { name: 'web', port: 80 }, targetGroupARN: 'arn:x', targetType: 'ip' } };
  const d = detectLoadBalancer(state({ targetGroupBindings: [tgb] }), svc());
  assert.deepEqual([d?.implementation, d?.targetType, d?.delivery], ['aws-load-balancer-controller', 'ip', 'pod']);
  // A binding of another namespace does not count.
  const other = { ...tgb, metadata: { namespace: 'other', name: 'my-tgb' } };
  assert.notEqual(detectLoadBalancer(state({ targetGroupBindings: [other] }), svc())?.implementation, 'aws-load-balancer-controller');
});

test('AWS LBC: client IP preservation follows the target-group attribute, else the target type', () => {
  const ip = { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' };
  assert.equal(detectLoadBalancer(state(), svc(ip))?.preservesClientIP, false);
  const kept = { ...ip, 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=true' };
  assert.equal(detectLoadBalancer(state(), svc(kept))?.preservesClientIP, true);
});

test('EKS Auto Mode class: the AWS controller model', () => {
  const d = detectLoadBalancer(state(), svc({ 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' }, { loadBalancerClass: 'eks.amazonaws.com/nlb' }));
  assert.deepEqual([d?.implementation, d?.targetType], ['aws-load-balancer-controller', 'ip']);
});

test('in-tree AWS NLB (type nlb): instance targets, client IP kept; under Local HTTP /healthz on healthCheckNodePort', () => {
  const d = detectLoadBalancer(state(), svc({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' }, { externalTrafficPolicy: 'Local', healthCheckNodePort: 31000 }));
  assert.deepEqual([d?.implementation, d?.targetType, d?.delivery, d?.preservesClientIP], ['aws-cloud-provider', 'instance', 'node-port', true]);
  assert.deepEqual(d?.healthCheck, { target: 'node', port: 31000, protocol: 'HTTP', path: '/healthz' });
});

test('Azure: health-probe annotations under Cluster; kube-proxy\'s probe under Local', () => {
  const probe = { 'service.beta.kubernetes.io/azure-load-balancer-health-probe-protocol': 'http', 'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz/ready' };
  assert.deepEqual(detectLoadBalancer(state(), svc(probe))?.healthCheck, { target: 'node', port: 'traffic-port', protocol: 'HTTP', path: '/healthz/ready' });
  const local = detectLoadBalancer(state(), svc(probe, { externalTrafficPolicy: 'Local', healthCheckNodePort: 31000 }));
  assert.deepEqual([local?.implementation, local?.healthCheck?.port, local?.healthCheck?.path], ['azure', 31000, '/healthz']);
});

test('GKE under Cluster probes kube-proxy\'s own healthz on 10256; weighting needs Local', () => {
  const d = detectLoadBalancer(state(), svc({ 'networking.gke.io/weighted-load-balancing': 'pods-per-node' }, { loadBalancerClass: 'networking.gke.io/l4-regional-external' }));
  assert.deepEqual([d?.implementation, d?.weighting, d?.healthCheck], ['gke', 'even', { target: 'node', port: 10256, protocol: 'HTTP', path: '/healthz' }]);
});

test('kube-vip: vipHost is the single entry node; without it, ECMP', () => {
  const d = detectLoadBalancer(state(), svc({ 'kube-vip.io/vipHost': 'node-b', 'kube-vip.io/loadbalancerIPs': '192.168.0.220' }));
  assert.deepEqual([d?.implementation, d?.entry, d?.entryNodes], ['kube-vip', 'single-node', ['node-b']]);
  const bgp = detectLoadBalancer(state(), { ...svc(), metadata: { namespace: 'shop', name: 'web', labels: { implementation: 'kube-vip' } } });
  assert.deepEqual([bgp?.implementation, bgp?.entry], ['kube-vip', 'ecmp']);
});

test('nodes on a cloud decide only when the service carries no class', () => {
  const gce = state({ nodes: [{ metadata: { name: 'n' }, spec: { providerID: 'gce://proj/zone/n' } }] });
  assert.equal(detectLoadBalancer(gce, svc())?.implementation, 'gke');
  assert.equal(detectLoadBalancer(gce, svc({}, { loadBalancerClass: 'example.com/x' }))?.implementation, 'unknown');
  assert.equal(detectLoadBalancer(gce, svc({}, { type: 'NodePort' })), null);
});

test('AWS LBC instance targets: aws-load-balancer-target-node-labels limits the registered nodes', () => {
  const nodes = [
    { metadata: { name: 'node-a', labels: { pool: 'edge', zone: 'a' } } },
    { metadata: { name: 'node-b', labels: { pool: 'edge', zone: 'b' } } },
    { metadata: { name: 'node-c', labels: { pool: 'batch', zone: 'a' } } },
  ];
  const ann = { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-target-node-labels': 'pool=edge, zone=a' };
  assert.deepEqual(detectLoadBalancer(state({ nodes }), svc(ann))?.entryNodes, ['node-a']);
  // ip targets register pods: the node labels do not apply.
  assert.equal(detectLoadBalancer(state({ nodes }), svc({ ...ann, 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' }))?.entryNodes, null);
});

test('GKE Ingress: a NEG-annotated Service is reached pod by pod; without the annotation the target type is not claimed', async () => {
  const { ingressesFor } = await import('../../../src/analyzers/load-balancer/ingresses.ts');
  const ing = {
    metadata: { namespace: 'shop', name: 'web', annotations: { 'kubernetes.io/ingress.class': 'gce' } },
    spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
  };
  const neg = svc({ 'cloud.google.com/neg': '{"ingress": true}' }, { type: 'ClusterIP' });
  assert.deepEqual(ingressesFor(state({ ingresses: [ing] }), neg).map((i) => [i.implementation, i.targetType, i.kubeProxyOnPath]), [['gke', 'ip', false]]);
  assert.deepEqual(ingressesFor(state({ ingresses: [ing] }), svc({}, { type: 'NodePort' })).map((i) => [i.implementation, i.targetType, i.kubeProxyOnPath]), [['gke', null, null]]);
  // An Ingress routing to another service is not this one's.
  assert.deepEqual(ingressesFor(state({ ingresses: [ing] }), { ...neg, metadata: { ...neg.metadata, name: 'api' } }), []);
});
