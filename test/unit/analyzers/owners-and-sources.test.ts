// Two bugs the e2e suite found against real kube-proxy, pinned down on hand-made objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { EndpointIndex } from '../../../src/analyzers/endpoint-index.ts';
import { externalSource } from '../../../src/analyzers/sources.ts';

const slice = (name: string, pod: string, port: number, terminating = false): V1EndpointSlice => ({
  addressType: 'IPv4',
  metadata: { namespace: 'mon', name, labels: { 'kubernetes.io/service-name': name } },
  ports: [{ name: 'metrics', port, protocol: 'TCP' }],
  endpoints: [{ addresses: ['10.240.0.11'], nodeName: 'node-a', conditions: { ready: !terminating, terminating }, targetRef: { kind: 'Pod', namespace: 'mon', name: pod } }],
});

test('two hostNetwork pods share the node IP: each endpoint is named by its own slice (IP and port)', () => {
  const index = new EndpointIndex({
    services: [],
    endpointSlices: [slice('agent-a', 'agent-a-x', 9100), slice('agent-b', 'agent-b-y', 9101)],
    nodes: [{ metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '10.240.0.11' }] } }],
    pods: null,
    kubeProxyConfig: null,
    ingresses: null,
    ingressClasses: null,
    targetGroupBindings: null,
    serviceL2Statuses: null,
    serviceBGPStatuses: null,
  });
  assert.deepEqual(index.ref('10.240.0.11', 9100), { ip: '10.240.0.11', port: 9100, node: 'node-a', pod: 'agent-a-x' });
  assert.deepEqual(index.ref('10.240.0.11', 9101), { ip: '10.240.0.11', port: 9101, node: 'node-a', pod: 'agent-b-y' });
  // Any other port on that IP is the node itself.
  assert.deepEqual(index.ref('10.240.0.11', 22), { ip: '10.240.0.11', port: 22, node: 'node-a', pod: null });
});

test('a reused IP: the ready endpoint wins over the terminating copy, whatever the slice order', () => {
  for (const order of [0, 1]) {
    const slices = [slice('web', 'old-pod', 8080, true), slice('web', 'new-pod', 8080)];
    if (order) slices.reverse();
    const index = new EndpointIndex({ services: [], endpointSlices: slices, nodes: [], pods: null, kubeProxyConfig: null, ingresses: null, ingressClasses: null, targetGroupBindings: null, serviceL2Statuses: null, serviceBGPStatuses: null });
    assert.equal(index.ref('10.240.0.11', 8080).pod, 'new-pod');
  }
});

test('a /32 loadBalancerSourceRange: the allowed client is the range address itself', () => {
  assert.equal(externalSource(['10.250.0.2/32'], 4).ip, '10.250.0.2');
  assert.equal(externalSource([' 203.0.113.0/25'], 4).ip, '203.0.113.126', 'last usable address of .0/25 (.127 is broadcast)');
  assert.equal(externalSource([], 4).ip, '203.0.113.10');
});
