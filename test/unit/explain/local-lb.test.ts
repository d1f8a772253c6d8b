// examples/local-lb: LoadBalancer shop/web, externalTrafficPolicy Local, ready pods 2/1/0 on
// node-a/node-b/node-c. Hand computation: kube-proxy answers 200 where a ready local endpoint
// exists, else 503 -> 200/200/503. The LB spreads evenly over the two healthy nodes (1/2 each);
// node-a splits its half over web-a1 and web-a2 (1/4 each), node-b gives all of its half to web-b1.
// Imbalance factor = largest / smallest non-zero share = (1/2) / (1/4) = 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainBundle } from './bundle-helpers.ts';

const close = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-9;

test('Local LB with pods 2/1/0: health 200/200/503, shares 1/4, 1/4, 1/2, imbalance factor 2', async () => {
  const r = await explainBundle('examples/local-lb', 'shop', 'web');
  assert.deepEqual(
    r.nodes.map((n) => [n.name, n.readyLocalEndpoints, n.healthCheck.status]),
    [['node-a', 2, 200], ['node-b', 1, 200], ['node-c', 0, 503]],
  );
  const share = new Map(r.loadBalancerShares.map((s) => [s.endpoint.pod, s.share]));
  assert.equal(share.size, 3);
  assert.ok(close(share.get('web-a1'), 1 / 4));
  assert.ok(close(share.get('web-a2'), 1 / 4));
  assert.ok(close(share.get('web-b1'), 1 / 2));
  assert.ok(close(r.imbalanceFactor ?? undefined, 2));
  const ids = r.findings.map((f) => f.id);
  assert.ok(ids.includes('local-policy-unhealthy-nodes'));
  assert.ok(ids.includes('local-policy-imbalance'));
  const unhealthy = r.findings.find((f) => f.id === 'local-policy-unhealthy-nodes');
  assert.equal(unhealthy?.severity, 'warning', 'two nodes still pass: not an outage');
  assert.match(unhealthy?.message ?? '', /1 of 3 nodes \(node-c\)/);
  // External traffic that still reaches node-c is dropped; the node's own pods reach every endpoint.
  const lbOnC = r.paths.find((p) => p.entry === 'LoadBalancer' && p.node === 'node-c');
  assert.deepEqual(lbOnC?.outcomes.map((o) => [o.verdict, o.probability]), [['DROP', 1]]);
  assert.equal(lbOnC?.basis, 'model');
  const clusterIPOnC = r.paths.find((p) => p.entry === 'ClusterIP' && p.node === 'node-c');
  assert.equal(clusterIPOnC?.from, 'pod shop/client-c on node-c', 'a real pod of the bundle is the source');
  assert.equal(clusterIPOnC?.outcomes.length, 3);
});

test('the same service under Cluster policy: every node healthy, 1/3 each, factor 1', async () => {
  const { cp, mkdtemp, readFile, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'netpath-lb-'));
  try {
    await cp('examples/local-lb', dir, { recursive: true });
    const file = join(dir, 'cluster/services.json');
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.items[0].spec.externalTrafficPolicy = 'Cluster';
    delete doc.items[0].spec.healthCheckNodePort;
    await writeFile(file, JSON.stringify(doc));
    const r = await explainBundle(dir, 'shop', 'web');
    // Each of 3 nodes gets 1/3 of LB traffic and splits it 1/3 per endpoint: 3 x 1/9 = 1/3 per pod.
    for (const s of r.loadBalancerShares) assert.ok(close(s.share, 1 / 3), `${s.endpoint.pod}: ${s.share}`);
    assert.equal(r.loadBalancerShares.length, 3);
    assert.ok(close(r.imbalanceFactor ?? undefined, 1));
    assert.ok(r.nodes.every((n) => n.healthCheck.status === null));
    assert.ok(r.findings.some((f) => f.id === 'cluster-policy-snat'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("trace from a pod on node-c to node-a's NodePort: kube-proxy on node-a decides, pod traffic short-circuits", async () => {
  const { traceBundle } = await import('./bundle-helpers.ts');
  const t = await traceBundle('examples/local-lb', '192.168.10.11:30080', 'pod/shop/client-c');
  assert.equal(t.packet.entryNode, 'node-a');
  assert.match(t.packet.from, /^pod shop\/client-c on node-c .*via the network to node-a$/);
  // eTP Local, but the source is pod traffic (10.244.3.20 in clusterCIDR 10.244.0.0/16): kube-proxy
  // sends it to all endpoints, not only node-a's, 1/3 each.
  assert.deepEqual(t.outcomes.map((o) => o.endpoint?.pod).sort(), ['web-a1', 'web-a2', 'web-b1']);
  for (const o of t.outcomes) assert.ok(close(o.probability, 1 / 3));
  await assert.rejects(traceBundle('examples/local-lb', '192.168.10.11:30080', 'pod/shop/client-c', { node: 'node-b' }), /contradicts the target: 192\.168\.10\.11:30080 is seen first by node-a/);
});
