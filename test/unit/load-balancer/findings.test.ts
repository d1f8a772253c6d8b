// explain-svc's findings on the lb-* bundles (test/fixtures/lb-bundles.md), end to end: ready
// pods web-a1, web-a2 on node-a, web-b1 on node-b, none on node-c; healthCheckNodePort 32000
// under Local, so node-c answers 503. What the Local-policy findings say depends on the load
// balancer detected in front.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainBundle } from '../explain/bundle-helpers.ts';

const LOCAL_RULES = ['local-policy-unhealthy-nodes', 'local-policy-imbalance'];

async function localFindings(dir: string) {
  const r = await explainBundle(dir, 'shop', 'web');
  return Object.fromEntries(r.findings.filter((f) => LOCAL_RULES.includes(f.id)).map((f) => [f.id, f]));
}

test('AWS LBC ip targets under Local: no unhealthy-nodes and no imbalance finding (1/3 per pod, kube-proxy off the path)', async () => {
  // lb-aws-lbc-ip turned Local: the same NLB with ip targets, healthCheckNodePort 32000.
  const dir = mkdtempSync(join(tmpdir(), 'netpath-lb-ip-local-'));
  try {
    cpSync('test/fixtures/lb-aws-lbc-ip', dir, { recursive: true });
    const file = join(dir, 'cluster', 'services.json');
    const list = JSON.parse(readFileSync(file, 'utf8'));
    for (const s of list.items) Object.assign(s.spec, { externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 });
    writeFileSync(file, JSON.stringify(list));
    const r = await explainBundle(dir, 'shop', 'web');
    assert.equal(r.loadBalancer?.entry, 'pods');
    // node-c still answers 503 (no local pod): kube-proxy's verdict, but not the LB's concern.
    assert.equal(r.nodes.find((n) => n.name === 'node-c')?.healthCheck.status, 503);
    assert.deepEqual(r.findings.filter((f) => LOCAL_RULES.includes(f.id)), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('AWS LBC instance targets under Local: the NLB probes 32000 and avoids node-c; even split over node-a, node-b gives factor 2', async () => {
  const f = await localFindings('test/fixtures/lb-aws-lbc-instance-local');
  assert.equal(f['local-policy-unhealthy-nodes']?.severity, 'warning');
  assert.match(f['local-policy-unhealthy-nodes']!.message, /1 of 3 nodes \(node-c\).*marks them unhealthy.*dropped\.$/);
  // web-a1, web-a2: 1/2 x 1/2 = 25% each; web-b1: 1/2 = 50%.
  assert.match(f['local-policy-imbalance']!.message, /aws-load-balancer-controller spreads it over node-a, node-b.*gets 50\.0% while .* gets 25\.0% \(imbalance factor 2\.00\)/);
});

test('MetalLB L2 announced by node-a under Local: no unhealthy-nodes finding, web-b1 gets none of the traffic', async () => {
  const f = await localFindings('test/fixtures/lb-metallb-l2');
  assert.equal(f['local-policy-unhealthy-nodes'], undefined);
  // All of it enters node-a: web-a1, web-a2 1/2 each, web-b1 0.
  assert.equal(f['local-policy-imbalance']?.severity, 'warning');
  assert.match(f['local-policy-imbalance']!.message, /gets 50\.0% while 1 of 3 ready pods \(web-b1 on node-b\) get none/);
});

test('MetalLB BGP advertised by node-a, node-b under Local: node-c is no next hop; ECMP halves give factor 2', async () => {
  const f = await localFindings('test/fixtures/lb-metallb-bgp-local');
  assert.equal(f['local-policy-unhealthy-nodes'], undefined);
  assert.match(f['local-policy-imbalance']!.message, /\(ECMP\).*imbalance factor 2\.00/);
});

test('GKE pods-per-node weighting: no imbalance (1/3 per pod), node-c avoided by the health check', async () => {
  const f = await localFindings('test/fixtures/lb-gke-weighted');
  assert.equal(f['local-policy-imbalance'], undefined);
  assert.equal(f['local-policy-unhealthy-nodes']?.severity, 'warning');
  assert.doesNotMatch(f['local-policy-unhealthy-nodes']!.message, /assumed/);
});

test('unknown implementation: today\'s messages, saying the model is assumed', async () => {
  const f = await localFindings('test/fixtures/lb-unknown');
  assert.match(f['local-policy-unhealthy-nodes']!.message, /marks them unhealthy.*\(load-balancer model assumed: implementation unknown\)\.$/);
  assert.match(f['local-policy-imbalance']!.message, /evenly per healthy node \(load-balancer model assumed: implementation unknown\)/);
});
