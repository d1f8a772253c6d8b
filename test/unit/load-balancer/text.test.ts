// The explain-svc text section of the load-balancer hop, on the lb-* bundles: the values are the
// hand-computed ones of implementations.test.ts, as the section prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderExplain } from '../../../src/render/text-explain.ts';
import { explainBundle } from '../explain/bundle-helpers.ts';

async function section(name: string): Promise<string[]> {
  const text = renderExplain(await explainBundle(`test/fixtures/lb-${name}`, 'shop', 'web'), { format: 'text', color: false, width: 100 });
  const lines = text.split('\n');
  const start = lines.indexOf('Load balancer hop');
  assert.ok(start >= 0, `${name}: the section is there`);
  return lines.slice(start, lines.indexOf('', start)).map((l) => l.replace(/\s+/g, ' ').trim());
}

test('instance targets under Local: path, the LB probe, per node LB share next to kube-proxy\'s answer, per pod', async () => {
  const s = await section('aws-lbc-instance-local');
  assert.ok(s.join(' ').includes('client -> load balancer -> node -> kube-proxy -> pod'));
  assert.ok(s.includes('its health check: HTTP port 32000 /healthz on each node'));
  // 1/2, 1/2, 0 over nodes; kube-proxy 200/200/503.
  for (const row of ['node-a 50.0% 200', 'node-b 50.0% 200', 'node-c 0.0% 503']) assert.ok(s.includes(row), row);
  // 1/2 x 1/2 = 1/4 for each pod on node-a, 1/2 for web-b1.
  for (const row of ['web-b1 10.244.2.10:8080 node-b 50.0%', 'web-a1 10.244.1.10:8080 node-a 25.0%']) assert.ok(s.includes(row), row);
  assert.ok(s.some((l) => l.startsWith('pods to the load-balancer address: via-load-balancer (hairpin risk)')));
});

test('ip targets: no node table, pods 1/3 each, the probe on the pod port', async () => {
  const s = await section('aws-lbc-ip');
  assert.ok(s.join(' ').includes('client -> load balancer -> pod (no NodePort, no kube-proxy, no second hop)'));
  assert.ok(s.includes('its health check: TCP port 8080 on each pod'));
  assert.ok(!s.some((l) => l.startsWith('NODE LB SHARE')));
  assert.ok(s.includes('web-b1 10.244.2.10:8080 node-b 33.3% (1/3)'));
});

test('a detected load balancer replaces the even-spread share table: one set of shares, the hop section\'s', async () => {
  // MetalLB L2 sends everything to node-a (1/2, 1/2, 0 per pod), where the even spread over
  // nodes passing the health check would print other numbers: the text must not show both.
  const text = renderExplain(await explainBundle('test/fixtures/lb-metallb-l2', 'shop', 'web'), { format: 'text', color: false, width: 100 });
  assert.ok(text.includes('Load balancer hop'));
  assert.ok(!text.includes('Load balancer shares'));
});
