// Unusual EndpointSlices counted as kube-proxy counts them. Expectations from kube-proxy v1.36.3
// (k8s.io/kubernetes@v1.36.3, the version the e2e cluster runs), pkg/proxy/endpointslicecache.go:
// - line 209: isLocal only when nodeName is set and equals the node's name;
// - line 211: `ready := endpoint.Conditions.Ready == nil || *endpoint.Conditions.Ready` (no conditions: ready);
// - line 247: `if _, exists := endpointSet[endpointInfo.String()]; !exists || !terminating`: any
//   non-terminating copy of an IP:port replaces the one merged before it (slices come from a Go map:
//   netpath merges them in name order and says the order may differ);
// pkg/proxy/endpointschangetracker.go lines 252-267: the health server's count is the distinct IPs of
// ready, local endpoints; healthcheck/service_health.go 258/260: 200 when non-zero, else 503.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { explainService } from '../../../src/analyzers/explain.ts';
import { expectedWalkerOf } from '../../../src/analyzers/expected-walker.ts';
import type { NodeView } from '../../../src/analyzers/inputs.ts';
import { runFacts } from '../../../src/analyzers/run-facts.ts';
import type { ClusterState } from '../../../src/model/cluster.ts';
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

test('the same address in a managed and a hand-made slice: the copy merged last counts (netpath: last by name)', () => {
  for (const slices of [[managed, handMade], [handMade, managed]]) {
    const st = state({ services: [web], slices, nodes: NODES, pods: PODS });
    // web-abcde < web-manual: the hand-made copy (node-b, no conditions = ready) replaces the managed one everywhere.
    assert.deepEqual(NAMES.map((n) => readyLocalEndpoints(st, web, n, gates)), [0, 1, 0]);
    assert.deepEqual(NAMES.map((n) => predictHealthCheck(st, web, n, gates).status), [503, 200, 503]);
  }
  const terminatingCopy = { ...handMade, endpoints: [{ addresses: ['10.244.1.2'], nodeName: 'node-b', conditions: { ready: false, terminating: true } }] };
  const st = state({ services: [web], slices: [managed, terminatingCopy], nodes: NODES, pods: PODS });
  // A terminating copy never replaces (line 247): the managed copy stays, local on node-a.
  assert.deepEqual(NAMES.map((n) => readyLocalEndpoints(st, web, n, gates)), [1, 0, 0]);
});

test('an endpoint with no conditions is ready; one without nodeName is local nowhere', () => {
  const noConditions = { ...handMade, endpoints: [{ addresses: ['10.244.2.7'], nodeName: 'node-b' }] };
  const noNode = { ...handMade, metadata: { ...handMade.metadata, name: 'web-nonode' }, endpoints: [{ addresses: ['10.244.3.7'], conditions: { ready: true } }] };
  const st = state({ services: [web], slices: [noConditions, noNode], nodes: NODES });
  assert.deepEqual(NAMES.map((n) => readyLocalEndpoints(st, web, n, gates)), [0, 1, 0]);
  assert.deepEqual(NAMES.map((n) => predictHealthCheck(st, web, n, gates).status), [503, 200, 503]);
});

/** Every node answered by kube-proxy's iptables semantics (no dump). */
const modelViews = (st: ClusterState): NodeView[] =>
  NAMES.map((name) => ({ node: name, mode: 'iptables', modeSource: 'config', reportedMode: null, basis: 'model' as const, walker: null, notices: [], expected: expectedWalkerOf(runFacts(st), { node: name, mode: 'iptables' }), location: null, problems: [], healthz: new Map() }));

test('rules follow the slice, the packet follows the pod: node-b DNATs to 10.244.1.2 as local, unmasqueraded, and the reply is lost', () => {
  const st = state({ services: [web], slices: [handMade], nodes: NODES, pods: PODS, config: { clusterCIDR: '10.244.0.0/16', source: 'test' } });
  const r = explainService({ state: st, service: web, nodes: modelViews(st) });
  const at = (node: string) => r.paths.find((p) => p.entry === 'LoadBalancer' && p.node === node)?.outcomes ?? [];
  // kube-proxy on node-b: one local endpoint (the slice says node-b), eTP=Local: KUBE-SVL, no masquerade.
  assert.deepEqual(at('node-b').map((o) => [o.verdict, o.probability, o.endpoint?.ip, o.endpoint?.node, o.endpoint?.sliceNodeName, o.hop, o.sourceIPPreserved, o.reply?.returns]), [
    ['DNAT', 1, '10.244.1.2', 'node-a', 'node-b', 'remote', true, false],
  ]);
  // node-a, where the pod runs, has no local endpoint by the rules: dropped.
  assert.deepEqual(at('node-a').map((o) => o.verdict), ['DROP']);
  assert.deepEqual(r.nodes.map((n) => n.healthCheck.status), [503, 200, 503]);
  const f = r.findings.filter((x) => x.id === 'endpoint-node-mismatch');
  assert.equal(f.length, 1);
  assert.deepEqual(f[0]?.evidence.map((e) => [e.kind, 'name' in e ? e.name : null]), [['endpointslice', 'web-manual'], ['pod', 'web-a1']]);
  assert.match(f[0]?.message ?? '', /web-manual puts 10\.244\.1\.2 on node-b, but pod shop\/web-a1 runs on node-a/);
  assert.ok(!r.findings.some((x) => x.id === 'endpoint-duplicated'));
});

test('a duplicated address whose copies disagree: endpoint-duplicated names both slices', () => {
  const st = state({ services: [web], slices: [handMade, managed], nodes: NODES, pods: PODS });
  const r = explainService({ state: st, service: web, nodes: modelViews(st) });
  const f = r.findings.filter((x) => x.id === 'endpoint-duplicated');
  assert.equal(f.length, 1);
  assert.deepEqual(f[0]?.evidence.map((e) => ('name' in e ? e.name : null)), ['web-abcde', 'web-manual']);
  assert.match(f[0]?.message ?? '', /netpath follows the last by name \(web-manual\)/);
});

test('without pods.json the podCIDR places the endpoint; a slice that agrees gives no finding', () => {
  const st = state({ services: [web], slices: [handMade], nodes: NODES, config: { clusterCIDR: '10.244.0.0/16', source: 'test' } });
  const r = explainService({ state: st, service: web, nodes: modelViews(st) });
  const f = r.findings.find((x) => x.id === 'endpoint-node-mismatch');
  assert.deepEqual(f?.evidence[1], { kind: 'node', node: 'node-a', detail: 'podCIDR contains 10.244.1.2' });
  const managedState = state({ services: [web], slices: [managed], nodes: NODES, pods: PODS });
  const ok = explainService({ state: managedState, service: web, nodes: modelViews(managedState) });
  assert.ok(!ok.findings.some((x) => x.id === 'endpoint-node-mismatch'));
});
