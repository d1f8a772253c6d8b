// The return path of DNATed connections, from the real cluster's rules (examples/real-local-lb)
// and from the model. Expectations from kube-proxy's source: pkg/proxy/iptables/proxier.go writes
// for a Local-policy service
//   -A KUBE-EXT-X -s <clusterCIDR> -m comment --comment "pod traffic for ... external destinations" -j KUBE-SVC-X
// (real-local-lb node-a line 63), so a pod anywhere in the cluster CIDR reaches every endpoint
// without masquerade; an endpoint elsewhere than the DNATing node replies straight to the pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EndpointIndex } from '../../../src/analyzers/endpoint-index.ts';
import { placeOutcome } from '../../../src/analyzers/enrich-outcome.ts';
import { modelOutcomes } from '../../../src/analyzers/kube-proxy/index.ts';
import { walkOnNode } from '../../../src/analyzers/walk-node.ts';
import { expectedWalkerOf } from '../../../src/analyzers/expected-walker.ts';
import { runFacts } from '../../../src/analyzers/run-facts.ts';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import { nodeViews } from '../../../src/pipeline/node-views.ts';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import type { Outcome } from '../../../src/model/outcome.ts';
import { parseIpAddrJson } from '../../../src/net/host-addresses.ts';
import { traceBundle } from '../explain/bundle-helpers.ts';
import { node, packet, pod, slice, state, svc } from '../kube-proxy/builders.ts';

const BUNDLE = 'examples/real-local-lb';
const third = (x: number) => Math.abs(x - 1 / 3) < 1e-9;
const byPod = (outs: readonly Outcome[]) =>
  Object.fromEntries(outs.map((o) => [o.endpoint?.pod ?? '?', { returns: o.reply?.returns ?? null, preserved: o.sourceIPPreserved, node: o.endpoint?.node ?? null }]));

test('dataplane: pod client-c (node-c) to node-a NodePort 31106: pod traffic goes to all three endpoints unmasqueraded, only node-a replies come back', async () => {
  const r = await traceBundle(BUNDLE, '10.240.0.11:31106', 'pod/shop/client-c');
  assert.equal(r.basis, 'dataplane');
  assert.equal(r.packet.entryNode, 'node-a');
  // KUBE-SVC with three endpoints: 1/3, then 1/2 of 2/3, then the rest: 1/3 each.
  assert.ok(r.outcomes.every((o) => o.verdict === 'DNAT' && third(o.probability)));
  assert.ok(r.outcomes[0]?.steps.some((s) => s.line === 63), 'the pod-traffic short-circuit (line 63) decides');
  assert.deepEqual(byPod(r.outcomes), {
    'web-a1': { returns: true, preserved: true, node: 'node-a' },
    'web-a2': { returns: true, preserved: true, node: 'node-a' },
    // node-b answers 10.244.3.2 directly from 10.244.2.2: node-c's client never sees node-a's address.
    'web-b1': { returns: false, preserved: true, node: 'node-b' },
  });
  const lost = r.outcomes.find((o) => o.endpoint?.pod === 'web-b1');
  assert.match(lost?.reply?.reason ?? '', /^reply lost, the connection times out: node-b answers 10\.244\.3\.2 directly from 10\.244\.2\.2, bypassing node-a/);
  assert.ok(lost?.conditions.includes(lost.reply?.reason ?? '-'), 'the failure is a condition of the branch too');
});

test('dataplane: the same pod to node-b NodePort: web-b1 returns, node-a endpoints do not', async () => {
  const r = await traceBundle(BUNDLE, '10.240.0.12:31106', 'pod/shop/client-c');
  assert.deepEqual(
    Object.fromEntries(Object.entries(byPod(r.outcomes)).map(([k, v]) => [k, v.returns])),
    { 'web-a1': false, 'web-a2': false, 'web-b1': true },
  );
});

test('dataplane: an outside client to the LB IP on node-a: Local keeps it on node-a, every reply returns', async () => {
  const r = await traceBundle(BUNDLE, '10.251.9.9:80', 'external', { node: 'node-a' });
  assert.deepEqual(r.outcomes.map((o) => [o.endpoint?.pod, o.probability, o.reply?.returns]), [['web-a1', 0.5, true], ['web-a2', 0.5, true]]);
});

// Model: three nodes, one endpoint each, pod client on node-a, NodePort of node-b.
const NODES = [
  node('node-a', '10.240.0.11', { podCIDR: '10.244.1.0/24' }),
  node('node-b', '10.240.0.12', { podCIDR: '10.244.2.0/24' }),
  node('node-c', '10.240.0.13', { podCIDR: '10.244.3.0/24' }),
];
const PODS = [pod('ns', 'ep-a', '10.244.1.5', 'node-a'), pod('ns', 'ep-b', '10.244.2.5', 'node-b'), pod('ns', 'ep-c', '10.244.3.5', 'node-c'), pod('ns', 'client', '10.244.1.9', 'node-a')];
const SLICE = slice('ns', 'web', 'web-1', [{ name: 'http', port: 8080 }], [
  { ip: '10.244.1.5', node: 'node-a', pod: 'ep-a' },
  { ip: '10.244.2.5', node: 'node-b', pod: 'ep-b' },
  { ip: '10.244.3.5', node: 'node-c', pod: 'ep-c' },
]);
const web = (policy: 'Local' | 'Cluster') =>
  svc('ns', 'web', { type: 'NodePort', clusterIP: '10.96.0.50', externalTrafficPolicy: policy, ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
const CONFIG = { clusterCIDR: '10.244.0.0/16', detectLocalMode: 'ClusterCIDR', source: 'test' };

function model(policy: 'Local' | 'Cluster', mode: 'iptables' | 'nftables' | 'ipvs', src: string, dst: string, port: number, entry: 'NodePort' | 'ClusterIP', entryNode: string) {
  const service = web(policy);
  const st = state({ services: [service], slices: [SLICE], nodes: NODES, pods: PODS, config: CONFIG });
  const pk = packet(src, dst, port, 'pod', entryNode);
  const index = new EndpointIndex(st);
  return modelOutcomes({ state: st, service, entry, packet: pk, mode }).map((o) => placeOutcome(o, pk, index));
}

for (const mode of ['iptables', 'nftables'] as const) {
  test(`model ${mode}: pod on node-a to node-b's Local NodePort: ep-b returns, ep-a (client's own node) and ep-c (third node) do not`, () => {
    const outs = model('Local', mode, '10.244.1.9', '10.240.0.12', 30080, 'NodePort', 'node-b');
    assert.ok(outs.every((o) => third(o.probability) && o.sourceIPPreserved === true));
    assert.deepEqual(
      outs.map((o) => [o.endpoint?.pod, o.hop, o.reply?.returns]),
      [['ep-a', 'remote', false], ['ep-b', 'local', true], ['ep-c', 'remote', false]],
    );
    assert.match(outs[0]?.reply?.reason ?? '', /on node-a like the endpoint/);
  });

  test(`model ${mode}: Cluster policy masquerades, so every reply returns`, () => {
    const outs = model('Cluster', mode, '10.244.1.9', '10.240.0.12', 30080, 'NodePort', 'node-b');
    assert.deepEqual(outs.map((o) => [o.sourceIPPreserved, o.reply?.returns]), [[false, true], [false, true], [false, true]]);
  });
}

test('model: ClusterIP from a pod on the entry node to remote endpoints, no SNAT: the reply is routed back to that node', () => {
  const outs = model('Cluster', 'iptables', '10.244.1.9', '10.96.0.50', 80, 'ClusterIP', 'node-a');
  assert.deepEqual(outs.map((o) => [o.sourceIPPreserved, o.reply?.returns]), [[true, true], [true, true], [true, true]]);
});

test('model ipvs: pod to node-b Local NodePort: IPVS has no pod short-circuit, only the local ep-b, which returns', () => {
  const outs = model('Local', 'ipvs', '10.244.1.9', '10.240.0.12', 30080, 'NodePort', 'node-b');
  assert.deepEqual(outs.map((o) => [o.endpoint?.pod, o.reply?.returns]), [['ep-b', true]]);
});

test('ip -j addr (real output): every inet/inet6 address, bridge and link-local included', () => {
  const text = readFileSync('test/fixtures/ip-addr-node-like-netns.json', 'utf8');
  const addrs = parseIpAddrJson(text, 'ip-addr.json');
  for (const a of ['127.0.0.1', '::1', '10.240.0.11', '10.244.1.1', 'fd00:10:244:1::1']) assert.ok(addrs.includes(a), a);
  // lo 2, eth0p 1 (link-local), eth0 2, cbr0 3: 8 addresses.
  assert.equal(addrs.length, 8);
  assert.throws(() => parseIpAddrJson(text.slice(0, 300), 'ip-addr.json'), (e: unknown) => e instanceof DumpParseError && e.line === 1);
  assert.throws(() => parseIpAddrJson('{"a":1}', 'ip-addr.json'), DumpParseError);
});

test('a NodePort on the node bridge address (cbr0 10.244.1.1, in no Node object): accepted with ip-addr.json, NO-MATCH without', async () => {
  const source = await SnapshotSource.open(BUNDLE);
  try {
    const st = await source.readState();
    const ctx = runFacts(st);
    const [view] = nodeViews(ctx, ['node-a'], await source.readNodes({ nodes: ['node-a'], healthCheckPorts: [] }));
    assert.ok(view);
    const na = st.nodes.find((n) => n.metadata?.name === 'node-a') ?? null;
    const pk = packet('10.250.0.2', '10.244.1.1', 31106, 'external', 'node-a');
    const without = walkOnNode(ctx, view, na, pk);
    assert.deepEqual(without.outcomes.map((o) => o.verdict), ['NO-MATCH']);
    const captured = parseIpAddrJson(readFileSync('test/fixtures/ip-addr-node-like-netns.json', 'utf8'), 'ip-addr.json');
    const withCaptured = { ...view, hostAddresses: captured };
    const withAddrs = walkOnNode(ctx, { ...withCaptured, expected: expectedWalkerOf(ctx, withCaptured) }, na, pk);
    // KUBE-SERVICES line 84 (addrtype --dst-type LOCAL) -> KUBE-NODEPORTS -> KUBE-EXT -> KUBE-SVL: the two node-a pods.
    assert.deepEqual(withAddrs.outcomes.map((o) => [o.verdict, o.endpoint?.pod, o.probability]), [['DNAT', 'web-a1', 0.5], ['DNAT', 'web-a2', 0.5]]);
    assert.ok(withAddrs.outcomes[0]?.steps.some((s) => s.line === 84));
  } finally {
    await source.close();
  }
});
