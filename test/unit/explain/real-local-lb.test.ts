// examples/real-local-lb: a bundle captured from real kube-proxy v1.36.3 (iptables) with a
// Local-policy LoadBalancer and ready pods 2/1/0 on node-a/b/c. Expected by hand as in
// local-lb.test.ts (200/200/503; 1/2 of LB traffic per healthy node: 1/4, 1/4, 1/2; factor 2),
// now read from the real rules; line numbers read from nodes/node-c/iptables-save.txt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainBundle } from './bundle-helpers.ts';

const close = (a: number | undefined | null, b: number) => typeof a === 'number' && Math.abs(a - b) < 1e-9;

test('real rules: health 200/200/503 predicted and observed, shares 1/4, 1/4, 1/2, drops on node-c', async () => {
  const r = await explainBundle('examples/real-local-lb', 'shop', 'web');
  assert.ok(r.paths.length > 0 && r.paths.every((p) => p.basis === 'dataplane'));
  assert.deepEqual(
    r.nodes.map((n) => [n.name, n.proxyMode, n.readyLocalEndpoints, n.healthCheck.status, n.healthCheck.observed?.status]),
    [['node-a', 'iptables', 2, 200, 200], ['node-b', 'iptables', 1, 200, 200], ['node-c', 'iptables', 0, 503, 503]],
  );
  const share = new Map(r.loadBalancerShares.map((s) => [s.endpoint.pod, s.share]));
  assert.ok(close(share.get('web-a1'), 1 / 4) && close(share.get('web-a2'), 1 / 4) && close(share.get('web-b1'), 1 / 2));
  assert.ok(close(r.imbalanceFactor, 2));
  const onC = (entry: string) => r.paths.find((p) => p.entry === entry && p.node === 'node-c')?.outcomes;
  assert.deepEqual(onC('LoadBalancer')?.map((o) => [o.verdict, o.probability, o.steps.at(-1)?.line]), [['DROP', 1, 34]]);
  assert.deepEqual(onC('NodePort')?.map((o) => [o.verdict, o.probability, o.steps.at(-1)?.line]), [['DROP', 1, 35]]);
  // Local policy keeps the client's address on the nodes that serve.
  const lbOnA = r.paths.find((p) => p.entry === 'LoadBalancer' && p.node === 'node-a');
  assert.deepEqual(lbOnA?.outcomes.map((o) => [o.endpoint?.pod, o.probability, o.sourceIPPreserved]).sort(), [['web-a1', 0.5, true], ['web-a2', 0.5, true]]);
  assert.deepEqual(r.findings.filter((f) => f.id === 'dataplane-stale' || f.id === 'health-check-differs'), []);
});
