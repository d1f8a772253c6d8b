// explain-svc --compare-exposure, numbers checked by hand from the bundles' EndpointSlices and
// Nodes, with kube-proxy's semantics (pkg/proxy/topology.go CategorizeEndpoints; iptables
// proxier.go: the EXT chain masquerades external traffic unless externalTrafficPolicy is Local,
// and a node without local endpoints DROPs external traffic under Local, "has no local endpoints").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import { explainFrom } from '../../../src/commands/explain-svc.ts';
import type { ExposureRow, ExposureWay } from '../../../src/model/exposure.ts';
import type { ServiceExplanation } from '../../../src/model/results.ts';
import { renderExplain } from '../../../src/render/text-explain.ts';
import { toJson } from '../../../src/render/json.ts';

async function compare(dir: string, ns = 'shop', name = 'web'): Promise<ServiceExplanation> {
  const source = await SnapshotSource.open(dir);
  try {
    return await explainFrom(source, ns, name, true, { compareExposure: true });
  } finally {
    await source.close();
  }
}

const r9 = (x: number) => Math.round(x * 1e9) / 1e9;
function row(result: ServiceExplanation, way: ExposureWay): ExposureRow {
  const found = result.exposureComparison?.rows.find((r) => r.way === way);
  assert.ok(found, `row ${way}`);
  return found;
}
/** pod -> share, rounded. */
const shares = (r: ExposureRow) => Object.fromEntries(r.shares.map((s) => [s.endpoint.pod, r9(s.share)]));

// examples/real-local-lb: EndpointSlice web-pbh65 has ready web-a1, web-a2 on node-a and web-b1 on
// node-b; node-c has none. Three nodes, none excluded from load balancers; eTP Local, iTP unset.
test('real-local-lb: every way of reaching shop/web, by hand', async () => {
  const r = await compare('examples/real-local-lb');

  // ClusterIP from a pod, client pods 1/3 on each node, iTP Cluster: every node spreads 1/3 per pod.
  // Remote: node-a 1/3 (web-b1), node-b 2/3 (web-a1, web-a2), node-c 1 -> (1/3 + 2/3 + 1) / 3 = 2/3.
  const cip = row(r, 'ClusterIP');
  assert.deepEqual(shares(cip), { 'web-a1': r9(1 / 3), 'web-a2': r9(1 / 3), 'web-b1': r9(1 / 3) });
  assert.equal(r9(cip.remoteHopShare), r9(2 / 3));
  assert.equal(cip.snatShare, 0); // a pod client keeps its IP
  assert.equal(cip.droppedShare, 0);
  assert.deepEqual([cip.current, cip.basis, cip.kubeProxyOnPath], [true, 'dataplane', true]);

  // NodePort under Local, clients 1/3 per node: node-a 1/3 split 1/2-1/2 -> 1/6 each for web-a1,
  // web-a2; node-b 1/3 -> web-b1; node-c 1/3 dropped. No remote hop, no SNAT.
  const np = row(r, 'NodePort');
  assert.deepEqual(shares(np), { 'web-a1': r9(1 / 6), 'web-a2': r9(1 / 6), 'web-b1': r9(1 / 3) });
  assert.equal(r9(np.droppedShare), r9(1 / 3));
  assert.deepEqual([np.remoteHopShare, np.snatShare, np.current, np.basis], [0, 0, true, 'dataplane']);
  assert.match(np.notes.join(), /node-c gets no answer/);

  // LB instance, Cluster (hypothetical): all 3 nodes pass, each spreads 1/3 per pod -> 1/3 each;
  // remote 2/3 as for ClusterIP; all of it masqueraded.
  const lbc = row(r, 'LoadBalancer-instance-Cluster');
  assert.deepEqual(shares(lbc), { 'web-a1': r9(1 / 3), 'web-a2': r9(1 / 3), 'web-b1': r9(1 / 3) });
  assert.deepEqual(lbc.entryNodes.map((e) => [e.node, r9(e.share)]), [['node-a', r9(1 / 3)], ['node-b', r9(1 / 3)], ['node-c', r9(1 / 3)]]);
  assert.equal(r9(lbc.remoteHopShare), r9(2 / 3));
  assert.deepEqual([lbc.snatShare, lbc.droppedShare, lbc.current, lbc.basis], [1, 0, false, 'model']);

  // LB instance, Local (current): healthz 200 on node-a, node-b, 503 on node-c -> 1/2 per node;
  // node-a's 1/2 split over web-a1, web-a2 -> 1/4 each; web-b1 1/2. No remote hop, client IP kept.
  const lbl = row(r, 'LoadBalancer-instance-Local');
  assert.deepEqual(shares(lbl), { 'web-a1': 0.25, 'web-a2': 0.25, 'web-b1': 0.5 });
  assert.deepEqual(lbl.entryNodes, [{ node: 'node-a', share: 0.5 }, { node: 'node-b', share: 0.5 }]);
  assert.deepEqual([lbl.remoteHopShare, lbl.snatShare, lbl.droppedShare, lbl.current, lbl.basis], [0, 0, 0, true, 'dataplane']);
  assert.match(lbl.healthCheck, /healthCheckNodePort 30549 .*\(node-a, node-b\), 503 elsewhere \(node-c\)/);

  // LB ip targets: 3 ready pods, 1/3 each, straight to the pod: no kube-proxy, no second hop.
  const ip = row(r, 'LoadBalancer-ip');
  assert.deepEqual(shares(ip), { 'web-a1': r9(1 / 3), 'web-a2': r9(1 / 3), 'web-b1': r9(1 / 3) });
  assert.deepEqual([ip.remoteHopShare, ip.kubeProxyOnPath, ip.snatShare, ip.entryNodes], [0, false, null, []]);

  // Headless: DNS lists the 3 ready pods, 1/3 each; remote as for ClusterIP, (1/3 + 2/3 + 1) / 3 = 2/3.
  const hl = row(r, 'headless');
  assert.deepEqual(shares(hl), { 'web-a1': r9(1 / 3), 'web-a2': r9(1 / 3), 'web-b1': r9(1 / 3) });
  assert.equal(r9(hl.remoteHopShare), r9(2 / 3));
  assert.deepEqual([hl.kubeProxyOnPath, hl.balancing], [false, 'client']);

  // The text table carries the same numbers: web-a1's row reads 1/3, 1/6, 1/3, 1/4, 1/3, 1/3.
  const text = renderExplain(r, { format: 'text', color: false, width: 120 });
  assert.match(text, /web-a1\s+node-a\s+33\.3% \(1\/3\)\s+16\.7% \(1\/6\)\s+33\.3% \(1\/3\)\s+25\.0%\s+33\.3% \(1\/3\)\s+33\.3% \(1\/3\)/);
  assert.match(text, /dropped\s+0\.0%\s+33\.3% \(1\/3\)\s+0\.0%/);

  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(await readFile('schema/service-explanation.schema.json', 'utf8')));
  assert.ok(validate(JSON.parse(toJson(r))), JSON.stringify(validate.errors));
});

// examples/local-lb (API objects only) with each endpoint hinted for its own zone, as the
// EndpointSlice controller writes them, and web-a2 terminating (ready false, serving true).
// Ready: web-a1 (zone-a), web-b1 (zone-b); every ready endpoint has a zone hint, so topology
// applies where a hint names the node's zone: node-a -> web-a1 only; node-b -> web-b1 only;
// node-c (zone-c, named by no hint) -> both ready ones, 1/2 each. Terminating web-a2 is used only
// where no ready endpoint is available: nowhere for Cluster; for Local, node-a has ready web-a1.
test('local-lb with zone hints and a terminating pod: topology and readiness per way, by hand', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'netpath-exposure-'));
  try {
    await cp('examples/local-lb', dir, { recursive: true });
    const file = join(dir, 'cluster/endpointslices.json');
    type Ep = { zone: string; hints?: unknown; conditions?: Record<string, boolean>; targetRef?: { name: string } };
    const doc = JSON.parse(await readFile(file, 'utf8')) as { items: { endpoints: Ep[] }[] };
    for (const ep of doc.items[0]!.endpoints) {
      ep.hints = { forZones: [{ name: ep.zone }] };
      if (ep.targetRef?.name === 'web-a2') ep.conditions = { ready: false, serving: true, terminating: true };
    }
    await writeFile(file, JSON.stringify(doc));
    const r = await compare(dir);

    // ClusterIP, clients 1/3 per node: web-a1 = 1/3 (node-a) + 1/3 * 1/2 (node-c) = 1/2;
    // web-b1 = 1/3 (node-b) + 1/6 (node-c) = 1/2; web-a2 0. Remote: only node-c's, and half of
    // it lands on each other node: 1/3 (node-c's clients) * 1 = 1/3.
    const cip = row(r, 'ClusterIP');
    assert.deepEqual(shares(cip), { 'web-a1': 0.5, 'web-a2': 0, 'web-b1': 0.5 });
    assert.equal(r9(cip.remoteHopShare), r9(1 / 3));
    assert.equal(cip.basis, 'model');

    // LB instance, Cluster: the same spread over all 3 nodes, masqueraded.
    const lbc = row(r, 'LoadBalancer-instance-Cluster');
    assert.deepEqual(shares(lbc), { 'web-a1': 0.5, 'web-a2': 0, 'web-b1': 0.5 });
    assert.deepEqual([r9(lbc.remoteHopShare), lbc.snatShare], [r9(1 / 3), 1]);

    // LB instance, Local: kube-proxy's healthz counts ready local endpoints: node-a 1 (web-a1),
    // node-b 1, node-c 0 -> targets node-a, node-b at 1/2; node-a uses its ready web-a1 only.
    const lbl = row(r, 'LoadBalancer-instance-Local');
    assert.deepEqual(shares(lbl), { 'web-a1': 0.5, 'web-a2': 0, 'web-b1': 0.5 });
    assert.deepEqual(lbl.entryNodes.map((e) => e.node), ['node-a', 'node-b']);

    // NodePort under Local: node-a 1/3 -> web-a1, node-b 1/3 -> web-b1, node-c 1/3 dropped.
    const np = row(r, 'NodePort');
    assert.deepEqual(shares(np), { 'web-a1': r9(1 / 3), 'web-a2': 0, 'web-b1': r9(1 / 3) });
    assert.equal(r9(np.droppedShare), r9(1 / 3));

    // ip targets and headless ignore hints and take ready pods only: 1/2 each; headless remote:
    // node-a 1/2, node-b 1/2, node-c 1 -> (1/2 + 1/2 + 1) / 3 = 2/3.
    assert.deepEqual(shares(row(r, 'LoadBalancer-ip')), { 'web-a1': 0.5, 'web-a2': 0, 'web-b1': 0.5 });
    const hl = row(r, 'headless');
    assert.deepEqual(shares(hl), { 'web-a1': 0.5, 'web-a2': 0, 'web-b1': 0.5 });
    assert.equal(r9(hl.remoteHopShare), r9(2 / 3));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// examples/overall ns1/svc1 (ClusterIP): its one endpoint 10.180.0.1 names no node, so under a
// Local policy no node has a local endpoint, kube-proxy answers 503 everywhere and a load
// balancer has no target: everything is dropped (not 0% everywhere and nothing said).
test('Local with no healthy node: all dropped, no entry node, and a note', async () => {
  const lbl = row(await compare('examples/overall', 'ns1', 'svc1'), 'LoadBalancer-instance-Local');
  assert.deepEqual([lbl.droppedShare, lbl.entryNodes, lbl.basis, lbl.current], [1, [], 'model', false]);
  assert.match(lbl.notes.join(), /no healthy target/);
  assert.match(lbl.healthCheck, /healthCheckNodePort the API server would allocate/);
});

test('without --compare-exposure the JSON has no exposureComparison', async () => {
  const source = await SnapshotSource.open('examples/local-lb');
  try {
    const r = await explainFrom(source, 'shop', 'web', true);
    assert.equal(r.exposureComparison, undefined);
  } finally {
    await source.close();
  }
});
