// Issue 11: which nodes a question about one service reads. Expectations derived by hand from
// where the endpoints sit and how the nodes group (kube-proxy version, mode, zone under hints).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { planNodeReads, readsSummary } from '../../../src/analyzers/node-plan.ts';
import type { ClusterState } from '../../../src/model/cluster.ts';

const node = (name: string, kubelet = 'v1.36.3', extra: { kubeProxy?: string; zone?: string } = {}): V1Node => ({
  metadata: { name, labels: extra.zone ? { 'topology.kubernetes.io/zone': extra.zone } : {} },
  status: { nodeInfo: { kubeletVersion: kubelet, kubeProxyVersion: extra.kubeProxy ?? '' } as NonNullable<V1Node['status']>['nodeInfo'] },
});
const service: V1Service = {
  metadata: { namespace: 'shop', name: 'web' },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ port: 80, protocol: 'TCP' }] },
};
const slice = (nodes: string[], zoneHints = false): V1EndpointSlice => ({
  addressType: 'IPv4',
  metadata: { namespace: 'shop', name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } },
  endpoints: nodes.map((n, i) => ({
    addresses: [`10.244.${i}.2`],
    nodeName: n,
    conditions: { ready: true },
    ...(zoneHints ? { hints: { forZones: [{ name: 'z1' }] } } : {}),
  })),
});
const state = (nodes: V1Node[], endpointNodes: string[], opts: { hints?: boolean; mode?: string } = {}): ClusterState =>
  ({
    services: [service],
    endpointSlices: [slice(endpointNodes, opts.hints)],
    nodes,
    pods: null,
    kubeProxyConfig: opts.mode ? { mode: opts.mode, source: 'test' } : null,
  }) as ClusterState;

const reads = (p: ReturnType<typeof planNodeReads>) => p.read.map((r) => r.node);

test('endpoint nodes are read, and one node without endpoints stands for its alike', () => {
  // a..e all kubelet v1.36.3, endpoints on b and d: read b, d; of a, c, e (one group) read a.
  const plan = planNodeReads(state(['e', 'd', 'c', 'b', 'a'].map((n) => node(n)), ['b', 'd']), service, false);
  assert.deepEqual(reads(plan), ['a', 'b', 'd']);
  assert.deepEqual(plan.model, ['c', 'e']);
  assert.deepEqual(plan.read.find((r) => r.node === 'a')?.reason, { kind: 'representative', group: 'kube-proxy v1.36.3, iptables mode', of: 3 });
  assert.deepEqual(plan.read.find((r) => r.node === 'b')?.reason, { kind: 'endpoints' });
});

test('one node without endpoints per kube-proxy version: kubeProxyVersion when reported, else the kubelet\'s', () => {
  // a, c: v1.35.0; e: v1.36.3; f: kubelet v1.36.3 but kube-proxy v1.34.1 reported. Endpoints on b.
  const nodes = [node('a', 'v1.35.0'), node('b'), node('c', 'v1.35.0'), node('e'), node('f', 'v1.36.3', { kubeProxy: 'v1.34.1' })];
  const plan = planNodeReads(state(nodes, ['b'], { mode: 'nftables' }), service, false);
  // Groups: {a, c} v1.35.0 -> a; {e} v1.36.3 -> e; {f} v1.34.1 -> f.
  assert.deepEqual(reads(plan), ['a', 'b', 'e', 'f']);
  assert.deepEqual(plan.model, ['c']);
  assert.equal((plan.read.find((r) => r.node === 'f')?.reason as { group: string }).group, 'kube-proxy v1.34.1, nftables mode');
});

test('with topology hints each zone is its own group (hints give each zone its own endpoint list)', () => {
  const nodes = [node('a', undefined, { zone: 'z1' }), node('b', undefined, { zone: 'z1' }), node('c', undefined, { zone: 'z2' }), node('d', undefined, { zone: 'z2' }), node('e', undefined, { zone: 'z1' })];
  // Endpoint on e: z1 keeps a (for a, b), z2 keeps c (for c, d).
  const plan = planNodeReads(state(nodes, ['e'], { hints: true }), service, false);
  assert.deepEqual(reads(plan), ['a', 'c', 'e']);
  assert.deepEqual(plan.model, ['b', 'd']);
  // The same nodes without hints: one group, a for a, b, c, d.
  assert.deepEqual(reads(planNodeReads(state(nodes, ['e']), service, false)), ['a', 'e']);
});

test('--all-nodes (or a bundle) reads every node', () => {
  const plan = planNodeReads(state(['c', 'a', 'b'].map((n) => node(n)), ['b']), service, true);
  assert.deepEqual(reads(plan), ['a', 'b', 'c']);
  assert.deepEqual(plan.model, []);
});

test('a service without endpoints still reads one node per group', () => {
  const plan = planNodeReads(state(['a', 'b', 'c'].map((n) => node(n)), []), service, false);
  assert.deepEqual(reads(plan), ['a']);
  assert.deepEqual(plan.model, ['b', 'c']);
});

test('reads: a planned node that could not be read counts as answered from the model; offline costs are null', () => {
  const plan = planNodeReads(state(['a', 'b', 'c', 'd'].map((n) => node(n)), ['b', 'c']), service, false);
  // Planned: a (for a, d), b, c. c failed to read.
  const live = readsSummary(plan, ['a', 'b'], { apiCalls: 12, debugPods: 2 });
  assert.deepEqual(live, {
    nodesRead: ['a', 'b'],
    nodesModel: ['c', 'd'],
    reasons: { a: 'no endpoints, for 2 such nodes with kube-proxy v1.36.3, iptables mode', b: 'endpoints' },
    apiCalls: 12,
    debugPods: 2,
  });
  assert.equal(readsSummary(plan, ['a', 'b', 'c'], null).apiCalls, null);
});
