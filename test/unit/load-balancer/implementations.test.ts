// explain-svc on the lb-* bundles (test/fixtures/lb-bundles.md): one per load-balancer
// implementation, all on the same cluster: ready pods web-a1, web-a2 on node-a, web-b1 on
// node-b, none on node-c; NodePort 30080, healthCheckNodePort 32000 under Local. Every
// expected share below is computed by hand: share(pod) = sum over entry nodes of
// share(node) x P(node's kube-proxy sends to pod).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainBundle } from '../explain/bundle-helpers.ts';
import type { ServiceExplanation } from '../../../src/model/results.ts';

const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

async function lb(name: string) {
  const r = await explainBundle(`test/fixtures/lb-${name}`, 'shop', 'web');
  assert.ok(r.loadBalancer, `${name}: a LoadBalancer service has a loadBalancer report`);
  return { r, lb: r.loadBalancer };
}

function assertShares(got: { node: string; share: number }[] | undefined, want: Record<string, number>, what: string) {
  assert.deepEqual(got?.map((s) => s.node), Object.keys(want), `${what}: nodes`);
  for (const s of got ?? []) assert.ok(near(s.share, want[s.node]!), `${what}: ${s.node} ${s.share} != ${want[s.node]}`);
}

function podShares(r: ServiceExplanation): Record<string, number> {
  return Object.fromEntries((r.loadBalancer?.shares ?? []).map((s) => [s.endpoint.pod, s.share]));
}

function assertPods(r: ServiceExplanation, want: Record<string, number>) {
  const got = podShares(r);
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const [pod, share] of Object.entries(want)) assert.ok(near(got[pod]!, share), `${pod}: ${got[pod]} != ${share}`);
}

test('AWS LBC ip targets: pods directly, kube-proxy off the path, 1/3 per ready pod, health per pod on 8080', async () => {
  const { r, lb: l } = await lb('aws-lbc-ip');
  assert.deepEqual([l.implementation, l.targetType, l.entry, l.kubeProxyOnPath, l.assumed], ['aws-load-balancer-controller', 'ip', 'pods', false, false]);
  // 3 ready pods, each its own target: 1/3 each; by placement node-a 2/3, node-b 1/3, node-c none.
  assertPods(r, { 'web-a1': 1 / 3, 'web-a2': 1 / 3, 'web-b1': 1 / 3 });
  assertShares(l.nodeShares, { 'node-a': 2 / 3, 'node-b': 1 / 3 }, 'nodes');
  // Defaults: traffic-port (the pod's 8080 for ip targets), TCP.
  assert.deepEqual(l.healthCheck, { target: 'pod', port: 8080, protocol: 'TCP', path: null });
  assert.ok(l.evidence.some((e) => e.kind === 'TargetGroupBinding' && e.detail.includes('targetType ip')));
  // Hostname-only ingress: pods go out to the NLB; ip targets do not keep the client IP by default.
  assert.deepEqual([l.inCluster.path, l.inCluster.hairpinRisk], ['via-load-balancer', false]);
  // ALB Ingress with target-type ip: client -> ALB -> pod, no kube-proxy.
  assert.deepEqual(r.ingresses?.map((i) => [i.name, i.implementation, i.targetType, i.kubeProxyOnPath, i.hops.length]), [['web-ingress', 'aws-alb', 'ip', false, 2]]);
});

test('AWS LBC instance targets under Local: HTTP /healthz on 32000, node-c (503) out, 1/4 1/4 1/2', async () => {
  const { r, lb: l } = await lb('aws-lbc-instance-local');
  assert.deepEqual([l.implementation, l.targetType, l.entry, l.kubeProxyOnPath], ['aws-load-balancer-controller', 'instance', 'all-healthy-nodes', true]);
  assert.deepEqual(l.healthCheck, { target: 'node', port: 32000, protocol: 'HTTP', path: '/healthz' });
  // kube-proxy answers 200/200/503 (2/1/0 local pods): the LB splits 1/2 over node-a and node-b;
  // node-a sends 1/2 to each of its pods: web-a1 = web-a2 = 1/2 x 1/2 = 1/4; web-b1 = 1/2 x 1 = 1/2.
  assert.deepEqual(r.nodes.map((n) => n.healthCheck.status), [200, 200, 503]);
  assertShares(l.nodeShares, { 'node-a': 1 / 2, 'node-b': 1 / 2 }, 'nodes');
  assertPods(r, { 'web-a1': 1 / 4, 'web-a2': 1 / 4, 'web-b1': 1 / 2 });
  // Instance targets keep the client IP: a pod going out to the NLB and back to its own node hangs.
  assert.deepEqual([l.inCluster.path, l.inCluster.hairpinRisk], ['via-load-balancer', true]);
  // The Ingress has no target-type: default instance, ALB -> node:30080 -> kube-proxy.
  assert.deepEqual(r.ingresses?.map((i) => [i.targetType, i.kubeProxyOnPath, i.hops[1]]), [['instance', true, 'ALB -> node:30080 on every registered node']]);
});

test('in-tree AWS Classic LB: instance targets on every node, TCP on the NodePort, 1/3 per pod', async () => {
  const { r, lb: l } = await lb('aws-clb');
  assert.deepEqual([l.implementation, l.targetType, l.entry, l.assumed], ['aws-cloud-provider', 'instance', 'all-healthy-nodes', false]);
  assert.deepEqual(l.healthCheck, { target: 'node', port: 30080, protocol: 'TCP', path: null });
  // Cluster policy: 1/3 per node; each node sends 1/3 to each of the 3 pods: 3 x 1/3 x 1/3 = 1/3 per pod.
  assertShares(l.nodeShares, { 'node-a': 1 / 3, 'node-b': 1 / 3, 'node-c': 1 / 3 }, 'nodes');
  assertPods(r, { 'web-a1': 1 / 3, 'web-a2': 1 / 3, 'web-b1': 1 / 3 });
  // The Classic LB proxies (client IP replaced): going through it is no hairpin.
  assert.deepEqual([l.inCluster.path, l.inCluster.hairpinRisk], ['via-load-balancer', false]);
});

test('MetalLB L2 under Local: all traffic enters at the announcing node-a, split 1/2 1/2 over its pods', async () => {
  const { r, lb: l } = await lb('metallb-l2');
  assert.deepEqual([l.implementation, l.entry, l.kubeProxyOnPath, l.healthCheck], ['metallb', 'single-node', true, null]);
  // ServiceL2Status status.node = node-a: share 1; node-a's Local rules pick its 2 pods 1/2 each; web-b1 gets 0.
  assertShares(l.nodeShares, { 'node-a': 1 }, 'nodes');
  assertPods(r, { 'web-a1': 1 / 2, 'web-a2': 1 / 2, 'web-b1': 0 });
  assert.equal(l.inCluster.path, 'short-circuit');
});

test('MetalLB BGP under Local: ECMP over the two advertising nodes, 1/4 1/4 1/2', async () => {
  const { r, lb: l } = await lb('metallb-bgp-local');
  assert.deepEqual([l.implementation, l.entry], ['metallb', 'ecmp']);
  // ServiceBGPStatus for node-a and node-b: 1/2 each; node-a 1/2 x 1/2 per pod, node-b 1/2 x 1.
  assertShares(l.nodeShares, { 'node-a': 1 / 2, 'node-b': 1 / 2 }, 'nodes');
  assertPods(r, { 'web-a1': 1 / 4, 'web-a2': 1 / 4, 'web-b1': 1 / 2 });
});

test('GKE weighted (pods-per-node) under Local: node split 2/3 1/3, so every pod 1/3', async () => {
  const { r, lb: l } = await lb('gke-weighted');
  assert.deepEqual([l.implementation, l.targetType, l.entry], ['gke', 'instance', 'all-healthy-nodes']);
  assert.deepEqual(l.healthCheck, { target: 'node', port: 32000, protocol: 'HTTP', path: '/healthz' });
  // Weights = ready local pods 2/1/0 of 3: node-a 2/3, node-b 1/3; web-a1 = web-a2 = 2/3 x 1/2 = 1/3, web-b1 = 1/3 x 1.
  assertShares(l.nodeShares, { 'node-a': 2 / 3, 'node-b': 1 / 3 }, 'nodes');
  assertPods(r, { 'web-a1': 1 / 3, 'web-a2': 1 / 3, 'web-b1': 1 / 3 });
  // The old field keeps its meaning: even over healthy nodes, 1/4 1/4 1/2.
  const old = Object.fromEntries(r.loadBalancerShares.map((s) => [s.endpoint.pod, s.share]));
  assert.ok(near(old['web-b1']!, 1 / 2) && near(old['web-a1']!, 1 / 4));
  assert.equal(l.inCluster.path, 'short-circuit');
});

test('ipMode Proxy: pods leave for the load balancer; unknown implementation, assumed even split', async () => {
  const { r, lb: l } = await lb('ipmode-proxy');
  assert.deepEqual([l.implementation, l.assumed], ['unknown', true]);
  assert.deepEqual([l.inCluster.path, l.inCluster.hairpinRisk], ['via-load-balancer', true]);
  assert.ok(l.evidence.some((e) => e.detail.includes('ipMode Proxy')));
  // Delivered to node:NodePort under Cluster: 1/3 per node, each node 1/3 per pod: 1/3 per pod.
  assertShares(l.nodeShares, { 'node-a': 1 / 3, 'node-b': 1 / 3, 'node-c': 1 / 3 }, 'nodes');
  assertPods(r, { 'web-a1': 1 / 3, 'web-a2': 1 / 3, 'web-b1': 1 / 3 });
});

test('unknown class: says so, names the class, falls back to even over healthy nodes (same as loadBalancerShares)', async () => {
  const { r, lb: l } = await lb('unknown');
  assert.deepEqual([l.implementation, l.assumed, l.entry], ['unknown', true, 'all-healthy-nodes']);
  assert.ok(l.evidence.some((e) => e.kind === 'loadBalancerClass' && e.detail.startsWith('example.com/custom-lb')));
  // 200/200/503: 1/2 per healthy node; 1/4 1/4 1/2, as the old model.
  assertPods(r, { 'web-a1': 1 / 4, 'web-a2': 1 / 4, 'web-b1': 1 / 2 });
  for (const s of r.loadBalancerShares) assert.ok(near(s.share, podShares(r)[s.endpoint.pod!]!));
});

test('a ClusterIP service has loadBalancer null', async () => {
  const r = await explainBundle('examples/overall', 'ns1', 'svc1');
  assert.equal(r.service.type === 'LoadBalancer', false);
  assert.equal(r.loadBalancer, null);
});
