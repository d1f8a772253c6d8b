// The expected walker answers a bare WalkPacket (no Service, no entry) as kube-proxy's rules do:
// it finds the entry from destination, port and protocol (KUBE-SERVICES matches ClusterIP,
// external IP and LB IP, then KUBE-NODEPORTS the node's LOCAL addresses), then applies the
// proxier's semantics. Expectations from pkg/proxy/iptables/proxier.go (syncProxyRules):
// eTP=Local sends outside traffic only to local endpoints, unmasqueraded; pod traffic to an
// external address of a Local service short-circuits to every endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedWalker } from '../../../src/analyzers/expected-walker.ts';
import { runFacts } from '../../../src/analyzers/run-facts.ts';
import type { WalkPacket } from '../../../src/dataplane/types.ts';
import type { KubeProxyConfig } from '../../../src/model/cluster.ts';
import { node, pod, slice, state, svc } from '../kube-proxy/builders.ts';

const NODES = [
  node('node-a', '10.240.0.11', { podCIDR: '10.244.1.0/24' }),
  node('node-b', '10.240.0.12', { podCIDR: '10.244.2.0/24' }),
  node('node-c', '10.240.0.13', { podCIDR: '10.244.3.0/24' }),
];
const PODS = [pod('ns', 'ep-a', '10.244.1.5', 'node-a'), pod('ns', 'ep-b', '10.244.2.5', 'node-b'), pod('ns', 'ep-c', '10.244.3.5', 'node-c')];
const SLICE = slice('ns', 'web', 'web-1', [{ name: 'http', port: 8080 }], [
  { ip: '10.244.1.5', node: 'node-a', pod: 'ep-a' },
  { ip: '10.244.2.5', node: 'node-b', pod: 'ep-b' },
  { ip: '10.244.3.5', node: 'node-c', pod: 'ep-c' },
]);
const WEB = svc(
  'ns',
  'web',
  {
    type: 'LoadBalancer',
    clusterIP: '10.96.0.50',
    externalIPs: ['192.0.2.10'],
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: 32000,
    ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }],
  },
  [{ ip: '203.0.113.7' }],
);
const CIDR: KubeProxyConfig = { clusterCIDR: '10.244.0.0/16', detectLocalMode: 'ClusterCIDR', source: 'test' };

const walkerOn = (nodeName: string, config: KubeProxyConfig = CIDR, mode: 'iptables' | 'nftables' | 'ipvs' = 'iptables') =>
  expectedWalker(runFacts(state({ services: [WEB], slices: [SLICE], nodes: NODES, pods: PODS, config })), nodeName, mode, null);
const NODE_B = { localAddresses: ['10.240.0.12', '127.0.0.1', '::1'] };
const outside = (dst: string, port: number): WalkPacket => ({ src: '198.51.100.1', dst, port, protocol: 'TCP', hook: 'prerouting' });
const fates = (w: ReturnType<typeof walkerOn>, p: WalkPacket) =>
  w.walk(p, NODE_B).map((o) => [o.verdict, o.dnat ? `${o.dnat.ip}:${o.dnat.port}` : null, o.probability, o.masquerade]);

test('every entry of the Service is found from the packet alone: Local policy from outside keeps node-b\'s one endpoint, unmasqueraded', () => {
  const w = walkerOn('node-b');
  // NodePort on node-b's address, LB IP, external IP: the same eTP=Local chain, local endpoints = [ep-b].
  for (const [dst, port] of [['10.240.0.12', 30080], ['203.0.113.7', 80], ['192.0.2.10', 80]] as const) {
    assert.deepEqual(fates(w, outside(dst, port)), [['DNAT', '10.244.2.5:8080', 1, false]], `${dst}:${port}`);
  }
});

test('ClusterIP from outside the cluster CIDR: all three endpoints, 1/3 each, masqueraded (not pod traffic)', () => {
  assert.deepEqual(fates(walkerOn('node-b'), outside('10.96.0.50', 80)), [
    ['DNAT', '10.244.1.5:8080', 1 / 3, true],
    ['DNAT', '10.244.2.5:8080', 1 / 3, true],
    ['DNAT', '10.244.3.5:8080', 1 / 3, true],
  ]);
});

test('fromPod decides for interface-based detectors: a pod\'s packet to the LB IP short-circuits Local to every endpoint', () => {
  const w = walkerOn('node-b', { detectLocalMode: 'InterfaceNamePrefix', source: 'test' });
  const toLB: WalkPacket = { src: '10.244.2.9', dst: '203.0.113.7', port: 80, protocol: 'TCP', hook: 'prerouting' };
  assert.deepEqual(fates(w, { ...toLB, fromPod: true }).map((f) => f[1]), ['10.244.1.5:8080', '10.244.2.5:8080', '10.244.3.5:8080']);
  assert.deepEqual(fates(w, toLB).map((f) => f[1]), ['10.244.2.5:8080']);
});

test('no Service at the address: one NO-MATCH naming it; the model reads no file', () => {
  const w = walkerOn('node-b');
  const [o, ...rest] = w.walk(outside('10.96.0.99', 80), NODE_B);
  assert.equal(rest.length, 0);
  assert.equal(o?.verdict, 'NO-MATCH');
  assert.deepEqual(o?.steps, [{ table: 'model', chain: 'kube-proxy', rule: 'no Service has 10.96.0.99:80/TCP', line: null }]);
  assert.deepEqual(w.notices(), []);
  assert.equal(w.mode, 'iptables');
});

test('the health-check node port on one of the node\'s own addresses: iptables ACCEPTs it, nftables has no rule; elsewhere nothing', () => {
  const toHC = outside('10.240.0.12', 32000);
  const [ipt] = walkerOn('node-b').walk(toHC, NODE_B);
  assert.equal(ipt?.verdict, 'ACCEPT');
  // ep-b is node-b's local ready endpoint: the health server answers 200.
  assert.match(ipt?.conditions[0] ?? '', /^delivered to kube-proxy's health server for ns\/web on node-b, which answers 200/);
  assert.equal(walkerOn('node-b', CIDR, 'nftables').walk(toHC, NODE_B)[0]?.verdict, 'NO-MATCH');
  // node-a's address is not node-b's own: no health server there, and no Service entry either.
  const [away] = walkerOn('node-b').walk(outside('10.240.0.11', 32000), NODE_B);
  assert.deepEqual([away?.verdict, away?.steps[0]?.rule], ['NO-MATCH', 'no Service has 10.240.0.11:32000/TCP']);
});
