// Unusual EndpointSlices counted as kube-proxy counts them. Expectations from
// pkg/proxy/endpointslicecache.go (kubernetes master, read 2026-12):
// - newEndpointSliceInfo: `Ready: endpoint.Conditions.Ready == nil || *endpoint.Conditions.Ready`
//   (no conditions: ready and serving, not terminating);
// - addEndpoints: `isLocal = cache.isLocal(*endpoint.NodeName)` only when nodeName is set, and for
//   an endpoint string (IP:port) seen in several slices
//   `if _, exists := endpointSet[endpointInfo.String()]; !exists || isLocal { ...set }`:
//   a copy naming this node wins;
// - EndpointsMap.LocalReadyEndpoints (pkg/proxy/endpointschangetracker.go) counts distinct IPs of
//   ready, local endpoints: the health server answers 200 when that count is > 0
//   (pkg/proxy/healthcheck/service_health.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { explainService } from '../../../src/analyzers/explain.ts';
import type { NodeView } from '../../../src/analyzers/inputs.ts';
import { DEFAULT_FEATURE_GATES, predictHealthCheck, readyLocalEndpoints } from '../../../src/analyzers/kube-proxy/index.ts';
import { node, pod, slice, state, svc } from './builders.ts';

const gates = DEFAULT_FEATURE_GATES;
const NODES = [
  node('node-a', '10.240.0.11', { podCIDR: '10.244.1.0/24' }),
  node('node-b', '10.240.0.12', { podCIDR: '10.244.2.0/24' }),
  node('node-c', '10.240.0.13', { podCIDR: '10.244.3.0/24' }),
];
const web = svc(
  'shop',
  'web',
  { type: 'LoadBalancer', clusterIP: '10.96.0.60', externalTrafficPolicy: 'Local', healthCheckNodePort: 30549, ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31106 }] },
  [{ ip: '10.251.9.9' }],
);
const PORTS = [{ name: 'http', port: 8080 }];
/** The controller's slice: pod web-a1 on node-a. */
const managed = slice('shop', 'web', 'web-abcde', PORTS, [{ ip: '10.244.1.2', node: 'node-a', ready: true, pod: 'web-a1' }]);
/** A hand-made slice (no managed-by label) repeating the address with the wrong nodeName and no conditions at all. */
const handMade: V1EndpointSlice = {
  metadata: { namespace: 'shop', name: 'web-manual', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: [{ addresses: ['10.244.1.2'], nodeName: 'node-b' }],
};
const PODS = [pod('shop', 'web-a1', '10.244.1.2', 'node-a')];
const NAMES = ['node-a', 'node-b', 'node-c'];

test('the same address in a managed and a hand-made slice: local on both nodes the slices name, whatever the slice order', () => {
  for (const slices of [[managed, handMade], [handMade, managed]]) {
    const st = state({ services: [web], slices, nodes: NODES, pods: PODS });
    // node-a: the managed copy is local; node-b: the hand-made copy is local (isLocal wins); node-c: neither.
    assert.deepEqual(NAMES.map((n) => readyLocalEndpoints(st, web, n, gates)), [1, 1, 0]);
    assert.deepEqual(NAMES.map((n) => predictHealthCheck(st, web, n, gates).status), [200, 200, 503]);
  }
});

test('an endpoint with no conditions is ready; one without nodeName is local nowhere', () => {
  const noConditions = { ...handMade, endpoints: [{ addresses: ['10.244.2.7'], nodeName: 'node-b' }] };
  const noNode = { ...handMade, metadata: { ...handMade.metadata, name: 'web-nonode' }, endpoints: [{ addresses: ['10.244.3.7'], conditions: { ready: true } }] };
  const st = state({ services: [web], slices: [noConditions, noNode], nodes: NODES });
  assert.deepEqual(NAMES.map((n) => readyLocalEndpoints(st, web, n, gates)), [0, 1, 0]);
  assert.deepEqual(NAMES.map((n) => predictHealthCheck(st, web, n, gates).status), [503, 200, 503]);
});

const modelView = (name: string): NodeView => ({ node: name, mode: 'iptables', modeSource: 'config', reportedMode: null, walker: null, location: null, problems: [], healthz: new Map() });

test('rules follow the slice, the packet follows the pod: node-b DNATs to 10.244.1.2 as local, unmasqueraded, and the reply is lost', () => {
  const st = state({ services: [web], slices: [managed, handMade], nodes: NODES, pods: PODS, config: { clusterCIDR: '10.244.0.0/16', source: 'test' } });
  const r = explainService({ state: st, service: web, nodes: NAMES.map(modelView) });
  const nb = r.paths.find((p) => p.entry === 'LoadBalancer' && p.node === 'node-b');
  assert.ok(nb);
  // kube-proxy on node-b: one local endpoint (the hand-made copy), eTP=Local: KUBE-SVL, no masquerade.
  assert.deepEqual(nb.outcomes.map((o) => [o.verdict, o.probability, o.endpoint?.ip, o.endpoint?.node, o.endpoint?.sliceNodeName, o.hop, o.sourceIPPreserved, o.reply?.returns]), [
    ['DNAT', 1, '10.244.1.2', 'node-a', 'node-b', 'remote', true, false],
  ]);
  const na = r.paths.find((p) => p.entry === 'LoadBalancer' && p.node === 'node-a');
  assert.deepEqual(na?.outcomes.map((o) => [o.endpoint?.node, o.endpoint?.sliceNodeName, o.hop, o.reply?.returns]), [['node-a', undefined, 'local', true]]);
  assert.deepEqual(r.nodes.map((n) => n.healthCheck.status), [200, 200, 503]);
  const f = r.findings.filter((x) => x.id === 'endpoint-node-mismatch');
  assert.equal(f.length, 1);
  assert.deepEqual(f[0]?.evidence.map((e) => [e.kind, 'name' in e ? e.name : null]), [['endpointslice', 'web-manual'], ['pod', 'web-a1']]);
  assert.match(f[0]?.message ?? '', /web-manual puts 10\.244\.1\.2 on node-b, but pod shop\/web-a1 runs on node-a/);
});

test('without pods.json the podCIDR places the endpoint; a slice that agrees gives no finding', () => {
  const st = state({ services: [web], slices: [handMade], nodes: NODES, config: { clusterCIDR: '10.244.0.0/16', source: 'test' } });
  const r = explainService({ state: st, service: web, nodes: NAMES.map(modelView) });
  const f = r.findings.find((x) => x.id === 'endpoint-node-mismatch');
  assert.deepEqual(f?.evidence[1], { kind: 'node', node: 'node-a', detail: 'podCIDR contains 10.244.1.2' });
  const ok = explainService({ state: state({ services: [web], slices: [managed], nodes: NODES, pods: PODS }), service: web, nodes: NAMES.map(modelView) });
  assert.ok(!ok.findings.some((x) => x.id === 'endpoint-node-mismatch'));
});
